"""One place that turns `--store memory|oxigraph|sparql` and its options into a Store.

Every store gets the same reasoner (the incremental materializer of `cajkg.graph.reasoner`,
equal to owlrl's closure and proven so by tests), the same inferred graph names (cjg:inferred
and cjg:inferred-schema, under the deployment base) and the same allow-lists, so the endpoint
behaves the same on each. The dataset may be given as a callable so that a store that already
holds data (an oxigraph data directory after its first start) never pays for a build.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypedDict

from rdflib import Dataset, URIRef

from cajkg.graph.iris import G_ASSERTED, G_INFERRED, G_INFERRED_SCHEMA, Base
from cajkg.graph.reasoner import IncrementalReasoner, Reasoner

from .base import SYSTEM_GRAPHS, Store

KINDS = ("memory", "oxigraph", "sparql")


class _Shared(TypedDict):
    """What every store gets alike."""

    reasoner: Reasoner
    inferred_graph: URIRef
    schema_graph: URIRef
    merged_graph: URIRef
    fetchable: Sequence[str]
    services: Sequence[str]
    workers: int


# An rdflib Dataset or N-Quads bytes (the build cache), or a callable that gives one.
DatasetSource = Dataset | bytes | Callable[[], Dataset | bytes]


def _resolve(dataset: DatasetSource | None, kind: str) -> Dataset | bytes:
    if dataset is None:
        raise ValueError(f"the {kind} store needs a dataset to start from")
    return dataset() if callable(dataset) else dataset


def open_store(
    kind: str,
    *,
    dataset: DatasetSource | None = None,
    base: Base | None = None,
    data_dir: Path | None = None,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    system_graphs: Sequence[str] = SYSTEM_GRAPHS,
    read_only: bool = False,
    fetchable: Sequence[str] = (),
    services: Sequence[str] = (),
    workers: int = 4,
    inferred_by: str | None = None,
) -> Store:
    """Open a store of the given kind.

    memory: `dataset` (required); `data_dir` holds the write journal.
    oxigraph: `data_dir` (required) holds the database; `dataset` seeds an empty one.
    sparql: `endpoint` (required), `update_endpoint` (default: the endpoint), `user` and
    `password` (HTTP basic) or `token` (bearer).
    `inferred_by`: the fingerprint of the reasoner that computed the dataset's inferred graphs
    (`reasoner.FINGERPRINT` for a cajkg build), so that the embedded stores resume the reasoner
    from them instead of deriving them again.
    """
    base = base or Base()
    common: _Shared = {
        "reasoner": IncrementalReasoner(),
        "inferred_graph": base.rebase(G_INFERRED),
        "schema_graph": base.rebase(G_INFERRED_SCHEMA),
        "merged_graph": base.rebase(G_ASSERTED),
        "fetchable": fetchable,
        "services": services,
        "workers": workers,
    }
    if kind == "memory":
        from .journal import Journal
        from .memory import MemoryStore

        journal = Journal(Path(data_dir)) if data_dir else None
        memory = MemoryStore(
            _resolve(dataset, kind), journal=journal, inferred_by=inferred_by, **common
        )
        memory.warm()
        return memory
    if kind == "oxigraph":
        from .oxigraph import OxigraphStore

        if data_dir is None:
            raise ValueError("the oxigraph store needs a data directory")
        store = OxigraphStore(Path(data_dir), read_only=read_only, **common)
        if store.is_empty() and dataset is not None and not read_only:
            store.load(_resolve(dataset, kind), inferred_by=inferred_by)
        if not read_only:
            store.warm()
        return store
    if kind == "sparql":
        from .remote import RemoteStore, Skolem, SparqlClient

        if not endpoint:
            raise ValueError("the sparql store needs an endpoint URL")
        client = SparqlClient(endpoint, update_endpoint, user=user, password=password, token=token)
        return RemoteStore(client, skolem=Skolem(base.iri), system_graphs=system_graphs, **common)
    raise ValueError(f"unknown store {kind!r}; choose one of {', '.join(KINDS)}")
