"""Moving the built dataset into a remote SPARQL 1.1 store and back out of it.

push: every named graph goes as SPARQL Update batches of at most `batch_size` triples; the first
batch of a graph is `DROP SILENT GRAPH g ; INSERT DATA { GRAPH g { ... } }` and the rest are
`INSERT DATA`, so a re-run replaces graphs instead of duplicating them. Graphs under the graph
namespace that the dataset no longer has are dropped at the end. The merge of the asserted
graphs (`cjg:asserted`, each triple once: the default graph of cajkg's queries) and the inferred
graphs go last, split into `cjg:inferred` and `cjg:inferred-schema` by `cajkg.graph.inferred`
(so a dataset written before the split is pushed in today's layout).
Blank nodes travel as skolem IRIs (see store/remote.py), so a graph can be split anywhere and the
inferred graph still meets the blank nodes of the provenance graph.

A failure midway raises TransferError, which names the graph and how far the push got; the
remote store then holds a partial copy until `push` is run again, which completes it.

pull: every graph under the graph namespace but the merge, one CONSTRUCT per graph, blank nodes
restored, into a TriG or N-Quads file (written to a temporary name, then renamed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from cajkg.graph import formats
from cajkg.graph.inferred import InferredGraphs
from cajkg.graph.iris import G_ASSERTED, G_INFERRED, G_INFERRED_SCHEMA, PREFIXES, Base
from cajkg.graph.store import operations
from cajkg.graph.store.base import StoreError
from cajkg.graph.store.remote import Skolem, SparqlClient

Progress = Callable[[int], None]
Triple = tuple[Node, Node, Node]


class TransferError(Exception):
    """A push or pull stopped; the message says where and what to do."""


@dataclass(frozen=True)
class PushReport:
    """What a push did."""

    graphs: int
    triples: int
    batches: int
    dropped: tuple[URIRef, ...]


def _named_graphs(ds: Dataset, base: Base) -> list[Graph]:
    """The dataset's non-empty named graphs by name, then the merge of the asserted ones, then
    the inferred graphs."""
    routes = InferredGraphs(base.rebase(G_INFERRED), base.rebase(G_INFERRED_SCHEMA))
    merged = base.rebase(G_ASSERTED)
    skipped = (DATASET_DEFAULT_GRAPH_ID, merged, *routes.names)
    graphs = [g for g in ds.graphs() if g.identifier not in skipped and len(g)]
    if len(ds.get_context(DATASET_DEFAULT_GRAPH_ID)):
        raise TransferError("the dataset has triples outside any named graph; cannot push them")
    merge = Graph(identifier=merged)
    for graph in graphs:
        merge += graph
    graphs.append(merge)
    inferred = routes.split(t for name in routes.names for t in ds.get_context(name))
    graphs += [g for g in inferred.values() if len(g)]
    return sorted(
        graphs, key=lambda g: (g.identifier in routes.names, g is merge, str(g.identifier))
    )


def size(ds: Dataset, base: Base | None = None) -> int:
    """How many triples push sends: each graph's own (so a triple in two graphs counts twice),
    and the merge of the asserted graphs."""
    return sum(len(g) for g in _named_graphs(ds, base or Base()))


def _batches(triples: list[Triple], size: int) -> Iterator[list[Triple]]:
    for start in range(0, len(triples), size):
        yield triples[start : start + size]


def push(
    ds: Dataset,
    client: SparqlClient,
    *,
    base: Base | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> PushReport:
    """Load every named graph of `ds` into the remote store, replacing what it held."""
    base = base or Base()
    skolem = Skolem(base.iri)
    namespace = _namespace(base)
    graphs = _named_graphs(ds, base)
    total = sum(len(g) for g in graphs)
    sent = batches = 0
    for graph in graphs:
        name = graph.identifier
        triples = list(skolem.triples(graph))
        for number, batch in enumerate(_batches(triples, batch_size)):
            request = operations.insert_data(name, batch)
            if number == 0:
                request = operations.sequence(operations.drop(name), request)
            try:
                client.update(request)
            except StoreError as error:
                raise TransferError(
                    f"push stopped in graph {name.n3()} after {sent} of {total} triples "
                    f"({batches} batches sent): {error}\nThe store now holds a partial copy; "
                    "run push again to complete it (graphs are replaced, not duplicated)."
                ) from error
            sent += len(batch)
            batches += 1
            if progress:
                progress(len(batch))
    pushed = {g.identifier for g in graphs}
    try:
        stale = [
            g for g in client.graph_names() if str(g).startswith(namespace) and g not in pushed
        ]
        for name in stale:
            client.update(operations.drop(name))
    except StoreError as error:
        raise TransferError(
            f"push sent every graph but could not drop stale ones: {error}"
        ) from error
    return PushReport(len(graphs), sent, batches, tuple(stale))


def _namespace(base: Base) -> str:
    return str(base.rebase(URIRef(PREFIXES["cjg"])))


def remote_size(client: SparqlClient, base: Base | None = None) -> int:
    """How many triples the remote store holds in our graphs (for a progress bar)."""
    namespace = Literal(_namespace(base or Base()))
    try:
        merged = (base or Base()).rebase(G_ASSERTED)
        result = client.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {namespace.n3()}) && ?g != {merged.n3()}) }}"
        )
    except StoreError as error:
        raise TransferError(f"cannot count the remote graphs: {error}") from error
    return int(next(iter(result))[0])  # type: ignore[index]


def pull(
    client: SparqlClient,
    path: Path,
    *,
    base: Base | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Write every graph the remote store holds under our graph namespace to a TriG/N-Quads
    file (by extension); returns the dataset written."""
    base = base or Base()
    skolem = Skolem(base.iri)
    fmt = formats.by_extension(path.suffix)
    if fmt is None or formats.DATASET not in fmt.kinds:
        raise TransferError(f"{path.name}: pull writes TriG (.trig) or N-Quads (.nq)")
    namespace = _namespace(base)
    ds = Dataset()
    for prefix, iri in PREFIXES.items():
        ds.bind(prefix, base.rebase(URIRef(iri)))
    try:
        merged = base.rebase(G_ASSERTED)
        names = [g for g in client.graph_names() if str(g).startswith(namespace) and g != merged]
        for name in names:
            target = ds.graph(name)
            found = client.graph_triples(name)
            for triple in skolem.triples(found, back=True):
                target.add(triple)
            if progress:
                progress(len(found))
    except StoreError as error:
        raise TransferError(f"pull failed: {error}") from error
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(formats.serialize_graph(ds, fmt))
    partial.replace(path)
    return ds
