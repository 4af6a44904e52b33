"""The embedded store: rdflib Datasets held in memory, replaced whole on every write.

Readers take the current snapshot (an immutable pair of Datasets: asserted graphs, and asserted
plus the inferred graph) and never lock. A write copies the asserted graphs, applies itself,
recomputes the inferred graph, appends itself to the journal (fsync) and only then swaps the
snapshot in, so readers never see half of a write and an acknowledged write is on disk.

The default graph of a query is the union of all graphs. Updates and the Graph Store Protocol
write the store's own default graph; WHERE clauses of updates read the union of the asserted
graphs. FROM, USING and the protocol's graph parameters select graphs of the store and never
dereference an IRI unless the operator allow-listed it (`fetchable`); SERVICE likewise.
rdflib's own FROM, USING and LOAD code (which fetches while SPARQL_LOAD_GRAPHS is on, its
default) is never reached: dataset clauses are taken out of the parsed query and Modify and
LOAD run here, so no process-wide rdflib flag needs flipping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql import update as rdflib_update
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.evalutils import _fillTemplate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.processor import SPARQLResult
from rdflib.plugins.sparql.sparql import Query, QueryContext, Update
from rdflib.query import Result

from cajkg.graph import formats
from cajkg.graph.iris import G_INFERRED

from . import operations
from .base import ForbiddenOperation, Prepared, ResultTooLarge, StoreError
from .deadline import Deadlines
from .journal import Journal

log = logging.getLogger(__name__)

Reasoner = Callable[[Dataset], Graph]
_NT = formats.by_name("ntriples")
_SIMPLE_UPDATES = {
    "InsertData": rdflib_update.evalInsertData,
    "DeleteData": rdflib_update.evalDeleteData,
    "DeleteWhere": rdflib_update.evalDeleteWhere,
    "Clear": rdflib_update.evalClear,
    "Drop": rdflib_update.evalDrop,
    "Add": rdflib_update.evalAdd,
    "Move": rdflib_update.evalMove,
    "Copy": rdflib_update.evalCopy,
}


def _copy(source: Dataset, skip: URIRef | None = None) -> Dataset:
    """A deep copy of a dataset's graphs (default union on), leaving out `skip`."""
    copy = Dataset(default_union=True)
    copy.namespace_manager = source.namespace_manager
    for graph in source.graphs():
        if graph.identifier != skip and len(graph):
            target = copy.graph(graph.identifier)
            target.addN((s, p, o, target) for s, p, o in graph)
    return copy


def _context(dataset: Dataset, name: URIRef | None) -> Graph:
    """A graph of the dataset without registering it (safe on shared snapshots)."""
    return dataset.get_context(DATASET_DEFAULT_GRAPH_ID if name is None else name)


@dataclass(frozen=True)
class _Snapshot:
    asserted: Dataset
    full: Dataset

    @classmethod
    def make(cls, asserted: Dataset, inferred: Graph, name: URIRef) -> _Snapshot:
        full = _copy(asserted)
        if len(inferred):
            target = full.graph(name)
            target.addN((s, p, o, target) for s, p, o in inferred)
        return cls(asserted, full)


class MemoryStore:
    """The Store protocol over rdflib, with inference, deadlines and a journal."""

    def __init__(
        self,
        dataset: Dataset | None = None,
        *,
        reasoner: Reasoner | None = None,
        inferred_graph: URIRef = G_INFERRED,
        journal: Journal | None = None,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        workers: int = 4,
    ) -> None:
        source = dataset if dataset is not None else Dataset()
        self.inferred_graph = inferred_graph
        self.fetchable = tuple(fetchable)
        self.services = tuple(services)
        self.deadlines = Deadlines(workers)
        self._reasoner = reasoner
        self._journal = journal
        self._write_lock = threading.Lock()
        asserted = _copy(source, skip=inferred_graph)
        inferred = Graph()
        inferred += _context(source, inferred_graph)
        replayed = 0
        for entry in journal.entries() if journal else ():
            self._apply(asserted, entry)
            replayed += 1
        if replayed:
            log.info("replayed %d journal entries from %s", replayed, journal and journal.path)
        if reasoner is not None and (replayed or not len(inferred)):
            inferred = reasoner(asserted)
        self._snap = _Snapshot.make(asserted, inferred, inferred_graph)

    # -- queries ---------------------------------------------------------------------------

    def prepare(self, text: str) -> Prepared:
        """Parse, refuse SERVICE unless allow-listed, and set the FROM clauses aside."""
        plan = operations.inspect_query(text, self.services)
        return Prepared(text, plan.form, plan)

    def query(
        self,
        query: Prepared | str,
        *,
        default_graphs: Sequence[URIRef] = (),
        named_graphs: Sequence[URIRef] = (),
        infer: bool = True,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> Result:
        """Evaluate in a deadline-bound worker; protocol graphs override the query's FROM."""
        if isinstance(query, str):
            query = self.prepare(query)
        plan: operations.QueryPlan = query.parsed
        defaults, named = plan.dataset(default_graphs, named_graphs)
        snap = self._snap
        dataset = snap.full if infer else snap.asserted
        if defaults or named:
            dataset = _choose(dataset, defaults, named, self._source)
        return self.deadlines.run(lambda: _evaluate(plan.query, dataset, max_rows), timeout)

    def _source(self, dataset: Dataset, iri: URIRef) -> Graph:
        """A graph of the store, or an allow-listed IRI fetched; anything else is refused."""
        graph = _context(dataset, iri)
        if len(graph):
            return graph
        if operations.allowed(iri, self.fetchable):
            return _fetch(iri)
        raise ForbiddenOperation(
            f"{iri.n3()} is not a graph of this store; FROM, USING and the protocol's graph "
            "parameters select graphs of the store and never fetch anything"
        )

    # -- writes ----------------------------------------------------------------------------

    def update(
        self,
        text: str,
        *,
        using_graphs: Sequence[URIRef] = (),
        using_named_graphs: Sequence[URIRef] = (),
        base: str | None = None,
    ) -> None:
        """Check, then apply as one atomic, journalled write."""
        self._parse_update(text, base, using=bool(using_graphs or using_named_graphs))
        self._write({"op": "update", "text": text, "base": base,
                     "using": [str(g) for g in using_graphs],
                     "using_named": [str(g) for g in using_named_graphs]})

    def _parse_update(self, text: str, base: str | None, using: bool = False) -> Update:
        """Parse and refuse what the operator has not allowed (the checks all stores share)."""
        return operations.inspect_update(
            text,
            base=base,
            protected=self.inferred_graph,
            using=using,
            fetchable=self.fetchable,
            services=self.services,
        )

    def graph(self, name: URIRef | None) -> Graph | None:
        """A copy of one graph (the store's own default graph for None)."""
        graph = _context(self._snap.full, name)
        if name is not None and not len(graph):
            return None
        copy = Graph()
        copy.namespace_manager = self._snap.full.namespace_manager
        copy += graph
        return copy

    def replace_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store PUT."""
        return self._write_graph("put", name, data)

    def add_to_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store POST."""
        return self._write_graph("post", name, data)

    def drop_graph(self, name: URIRef | None) -> bool:
        """Graph Store DELETE."""
        if self.graph(name) is None:
            return False
        self._write({"op": "delete", "graph": name and str(name)})
        return True

    def close(self) -> None:
        """Nothing to release: the journal is opened per append."""

    def _write_graph(self, op: str, name: URIRef | None, data: Graph) -> bool:
        created = name is not None and self.graph(name) is None
        nt = formats.serialize_graph(data, _NT).decode("utf-8")
        self._write({"op": op, "graph": name and str(name), "nt": nt})
        return created

    def _write(self, entry: dict[str, Any]) -> None:
        """Copy, apply, reason, journal, swap: all or nothing, one writer at a time."""
        with self._write_lock:
            asserted = _copy(self._snap.asserted)
            self._apply(asserted, entry)
            if len(_context(asserted, self.inferred_graph)):
                raise ForbiddenOperation(
                    f"{self.inferred_graph.n3()} is computed by the reasoner and cannot be written"
                )
            inferred = self._infer(asserted)
            if self._journal is not None:
                self._journal.append(entry)
            self._snap = _Snapshot.make(asserted, inferred, self.inferred_graph)

    def _infer(self, asserted: Dataset) -> Graph:
        if self._reasoner is None:
            return Graph()
        try:
            return self._reasoner(asserted)
        except Exception as error:
            log.exception("reasoning failed; the write is refused")
            raise ForbiddenOperation(f"the write was refused because reasoning failed: {error}") \
                from error

    def _apply(self, dataset: Dataset, entry: dict[str, Any]) -> None:
        """Apply one journal entry to a private dataset."""
        op = entry["op"]
        name = URIRef(entry["graph"]) if entry.get("graph") else None
        if op == "update":
            _run_update(dataset, self._parse_update(entry["text"], entry.get("base")),
                        [URIRef(g) for g in entry.get("using", ())],
                        [URIRef(g) for g in entry.get("using_named", ())], self._source)
        elif op in ("put", "post"):
            target = dataset.graph(name or DATASET_DEFAULT_GRAPH_ID)
            if op == "put":
                target.remove((None, None, None))
            data = formats.parse_graph(entry["nt"], _NT)
            target.addN((s, p, o, target) for s, p, o in data)
        elif op == "delete":
            _context(dataset, name).remove((None, None, None))
        else:
            raise StoreError(f"unknown journal operation {op!r}")


def _choose(dataset: Dataset, defaults: Sequence[URIRef], named: Sequence[URIRef],
            source: Callable[[Dataset, URIRef], Graph]) -> Dataset:
    """A dataset of chosen graphs: the merge of `defaults` as default graph, `named` by name."""
    chosen = Dataset(default_union=False)
    chosen.namespace_manager = dataset.namespace_manager
    for iri in defaults:
        target = chosen.default_graph
        target.addN((s, p, o, target) for s, p, o in source(dataset, iri))
    for iri in named:
        target = chosen.graph(iri)
        target.addN((s, p, o, target) for s, p, o in source(dataset, iri))
    return chosen


def _evaluate(query: Query, dataset: Dataset, max_rows: int | None) -> Result:
    """Evaluate fully (rdflib is lazy), refusing results over max_rows."""
    ctx = QueryContext(dataset, initBindings={})
    ctx.graph = dataset
    ctx.prologue = query.prologue
    result = SPARQLResult(evalPart(ctx, query.algebra))
    if result.type == "SELECT":
        for count, _ in enumerate(result, start=1):
            if max_rows is not None and count > max_rows:
                raise ResultTooLarge(f"the result has more than {max_rows} rows; add a LIMIT")
    elif result.graph is not None and max_rows is not None and len(result.graph) > max_rows:
        raise ResultTooLarge(f"the result has more than {max_rows} triples; add a LIMIT")
    return result


def _fetch(iri: URIRef) -> Graph:
    """Dereference an allow-listed IRI."""
    graph = Graph()
    try:
        graph.parse(str(iri))
    except Exception as error:
        raise StoreError(f"could not fetch {iri.n3()}: {error}") from error
    return graph


def _run_update(dataset: Dataset, update: Update, using: Sequence[URIRef],
                using_named: Sequence[URIRef],
                source: Callable[[Dataset, URIRef], Graph]) -> None:
    """rdflib's update loop, with the store's default graph and dataset rules."""
    for op in update.algebra:
        ctx = QueryContext(dataset, initBindings={})
        ctx.prologue = op.prologue
        try:
            if op.name == "Modify":
                _modify(ctx, dataset, op, using, using_named, source)
            elif op.name == "Load":
                target = dataset.graph(op.graphiri or DATASET_DEFAULT_GRAPH_ID)
                target.addN((s, p, o, target) for s, p, o in _fetch(op.iri))
            elif op.name == "Create":
                if len(_context(dataset, op.graphiri)):
                    raise ForbiddenOperation(f"graph {op.graphiri.n3()} already exists")
            else:
                _SIMPLE_UPDATES[op.name](ctx.pushGraph(dataset.default_graph), op)
        except ForbiddenOperation:
            if not op.silent:
                raise
        except Exception as error:
            if not op.silent:
                raise StoreError(f"{op.name} failed: {error}") from error


def _modify(ctx: QueryContext, dataset: Dataset, op: CompValue, using: Sequence[URIRef],
            using_named: Sequence[URIRef], source: Callable[[Dataset, URIRef], Graph]) -> None:
    """DELETE/INSERT ... WHERE: all deletions, then all insertions (SPARQL 1.1 Update 3.1.3)."""
    clauses = op.using or []
    defaults = [c.default for c in clauses if c.default is not None] or list(using)
    named = [c.named for c in clauses if c.named is not None] or list(using_named)
    if defaults or named:
        chosen = _choose(dataset, defaults, named, source)
        where = QueryContext(chosen, initBindings={})
        where.graph = chosen
        where.prologue = ctx.prologue
    elif op.withClause:
        where = ctx.pushGraph(_context(dataset, op.withClause))
    else:
        where = ctx
        where.graph = dataset
    solutions = list(evalPart(where, op.where))
    target = _context(dataset, op.withClause) if op.withClause else dataset.default_graph
    for template, remove in ((op.delete, True), (op.insert, False)):
        if not template:
            continue
        for solution in solutions:
            _apply_template(dataset, target, template, solution, remove)


def _apply_template(dataset: Dataset, target: Graph, template: CompValue, solution: Any,
                    remove: bool) -> None:
    graphs = [(target, template.triples)]
    for name, quads in (template.quads or {}).items():
        bound = solution.get(name)
        if isinstance(bound, URIRef):
            graphs.append((dataset.graph(bound), quads))
    for graph, triples in graphs:
        filled = list(_fillTemplate(triples or [], solution))
        if remove:
            for triple in filled:
                graph.remove(triple)
        else:
            graph.addN((s, p, o, graph) for s, p, o in filled)
