"""The persistent embedded store: pyoxigraph (RocksDB) in a data directory.

Queries run on Oxigraph's engine. The inferred graph lives in the store next to the asserted
graphs, and the query's dataset decides whether it is seen: with inference the default graph is
the union of all graphs; without it, the default graph is the union of every graph except
`cjg:inferred`, which is then not available to GRAPH either (as in the memory store).

A write takes the store lock, applies the operation in one Oxigraph transaction, recomputes the
inferred graph from the asserted quads and writes the difference, then lets go. A query takes the
same lock only while Oxigraph opens its snapshot (evaluation is lazy and reads that snapshot), so
readers never see new asserted facts without their inferences, and a runaway query never blocks a
writer. A write whose inferences cannot be computed (an inconsistency) is undone. A marker file
written before the operation and removed after the inferred graph is current tells the next start
to recompute inferences if the process died in between; Oxigraph's write-ahead log makes the
operation itself survive a kill -9 once acknowledged.

Difference from the memory store: Oxigraph evaluates the WHERE clause of an update against the
store's own default graph (empty unless an update wrote to it), not against the union of the
graphs, and pyoxigraph offers no way to pass the protocol's using-graph-uri, so such requests
are refused; name graphs in the update (GRAPH, USING, WITH) instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Node

from cajkg.graph.iris import G_INFERRED, PREFIXES

from . import operations
from .base import (
    ForbiddenOperation,
    Prepared,
    QuerySyntaxError,
    ReadOnly,
    ResultTooLarge,
    StoreError,
)
from .deadline import Deadlines

log = logging.getLogger(__name__)

Reasoner = Callable[[Dataset], Graph]
MARKER = "inference-pending"
ENGINE_DIR = "oxigraph"
_XSD_STRING = str(XSD.string)


def to_ox(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"cannot store {term!r}")


def from_ox(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term (xsd:string literals become plain literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise StoreError(f"unsupported term in the store: {term!r}")


def _row(variables: list[Variable], values: list[Any]) -> dict[Variable, Node]:
    """One solution as rdflib bindings (unbound variables left out)."""
    row = {}
    for variable, value in zip(variables, values, strict=True):
        if value is not None:
            row[variable] = from_ox(value)
    return row


def _graph_name(name: URIRef | None) -> Any:
    return ox.DefaultGraph() if name is None else ox.NamedNode(str(name))


def quads_from(dataset: Dataset) -> Iterable[Any]:
    """Every quad of an rdflib dataset as pyoxigraph quads (the default graph stays default)."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        graph = ox.DefaultGraph() if name in (None, DATASET_DEFAULT_GRAPH_ID) else to_ox(name)
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)


class OxigraphStore:
    """The Store protocol over a pyoxigraph store on disk."""

    def __init__(
        self,
        data_dir: Path,
        *,
        reasoner: Reasoner | None = None,
        inferred_graph: URIRef = G_INFERRED,
        read_only: bool = False,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        workers: int = 4,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.inferred_graph = inferred_graph
        self.read_only = read_only
        self.fetchable = tuple(fetchable)
        self.services = tuple(services)
        self.deadlines = Deadlines(workers)
        self._reasoner = reasoner
        self._inferred = ox.NamedNode(str(inferred_graph))
        self._lock = threading.Lock()
        engine = self.data_dir / ENGINE_DIR
        if read_only:
            self._store = ox.Store.read_only(str(engine))
        else:
            engine.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(engine))
        self._marker = self.data_dir / MARKER
        if self._marker.exists() and not read_only:
            log.warning("%s: the last write did not finish; recomputing inferences", self.data_dir)
            with self._lock:
                self._refresh_inferences()
            self._marker.unlink()

    def is_empty(self) -> bool:
        """True when the store holds no quad at all (a fresh data directory)."""
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def load(self, dataset: Dataset) -> None:
        """Replace the whole content by a built dataset; computes inferences when it has none."""
        self._check_writable()
        with self._lock:
            self._pending(True)
            self._store.clear()
            self._store.bulk_extend(quads_from(dataset))
            if not self._has_graph(self._inferred):
                self._refresh_inferences()
            self._store.flush()
            self._pending(False)

    # -- queries ---------------------------------------------------------------------------

    def prepare(self, text: str) -> Prepared:
        """Parse with rdflib (syntax errors, SERVICE refused, form known before evaluation)."""
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
        """Evaluate on Oxigraph in a deadline-bound worker; protocol graphs override FROM."""
        if isinstance(query, str):
            query = self.prepare(query)
        plan: operations.QueryPlan = query.parsed
        defaults, named = plan.dataset(default_graphs, named_graphs)
        if defaults or named:
            options = {
                "default_graph": [self._chosen(g, infer) for g in defaults],
                "named_graphs": [self._chosen(g, infer) for g in named],
            }
        elif infer:
            options = {"use_default_graph_as_union": True}
        else:
            graphs = [g for g in self._store.named_graphs() if g != self._inferred]
            options = {"default_graph": [ox.DefaultGraph(), *graphs], "named_graphs": graphs}
        return self.deadlines.run(lambda: self._evaluate(query, options, max_rows), timeout)

    def _chosen(self, iri: URIRef, infer: bool) -> Any:
        """A graph named by FROM or the protocol: it must be a (visible) graph of the store."""
        node = ox.NamedNode(str(iri))
        if (infer or node != self._inferred) and self._has_graph(node):
            return node
        raise ForbiddenOperation(
            f"{iri.n3()} is not a graph of this store; FROM, USING and the protocol's graph "
            "parameters select graphs of the store and never fetch anything"
        )

    def _has_graph(self, node: Any) -> bool:
        quads = self._store.quads_for_pattern(None, None, None, node)
        return next(iter(quads), None) is not None

    def _evaluate(self, query: Prepared, options: dict[str, Any], max_rows: int | None) -> Result:
        """Run and convert in the calling worker thread.

        pyoxigraph's result objects must be dropped by the thread that made them, and a frame
        kept by an exception's traceback keeps its locals: so no comprehension holds them, and
        the locals are cleared before any exception leaves this frame.
        """
        answer = solution = triple = None
        try:
            with self._lock:
                answer = self._store.query(query.text, **options)
            result = Result(query.form)
            if query.form == "ASK":
                result.askAnswer = bool(answer)
                return result
            if query.form == "SELECT":
                result.vars = [Variable(v.value) for v in answer.variables]
                rows: list[dict[Variable, Node]] = []
                for solution in answer:
                    if max_rows is not None and len(rows) >= max_rows:
                        raise ResultTooLarge(
                            f"the result has more than {max_rows} rows; add a LIMIT"
                        )
                    rows.append(_row(result.vars, list(solution)))
                result.bindings = rows
                return result
            graph = Graph()
            for prefix, namespace in PREFIXES.items():
                graph.bind(prefix, namespace)
            for triple in answer:
                graph.add(
                    (from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object))
                )
                if max_rows is not None and len(graph) > max_rows:
                    raise ResultTooLarge(
                        f"the result has more than {max_rows} triples; add a LIMIT"
                    )
            result.graph = graph
            return result
        except SyntaxError as error:
            answer = solution = triple = None
            raise QuerySyntaxError(str(error)) from None
        except OSError as error:
            answer = solution = triple = None
            raise StoreError(str(error)) from None
        except BaseException:
            answer = solution = triple = None
            raise
        finally:
            answer = solution = triple = None

    # -- writes ----------------------------------------------------------------------------

    def update(
        self,
        text: str,
        *,
        using_graphs: Sequence[URIRef] = (),
        using_named_graphs: Sequence[URIRef] = (),
        base: str | None = None,
    ) -> None:
        """Apply a SPARQL update in one Oxigraph transaction, then bring inferences up to date."""
        self._check_writable()
        operations.inspect_update(
            text,
            base=base,
            protected=self.inferred_graph,
            fetchable=self.fetchable,
            services=self.services,
            using=bool(using_graphs or using_named_graphs),
        )
        if using_graphs or using_named_graphs:
            raise ForbiddenOperation(
                "the oxigraph store cannot take using-graph-uri/using-named-graph-uri; "
                "write USING or WITH in the update instead"
            )
        self._write(lambda: self._store.update(text, base_iri=base))

    def graph(self, name: URIRef | None) -> Graph | None:
        """A copy of one graph (the store's own default graph for None)."""
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for quad in self._store.quads_for_pattern(None, None, None, _graph_name(name)):
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
        if name is not None and not len(graph):
            return None
        return graph

    def replace_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store PUT: drop and insert in one transaction."""
        text = operations.sequence(operations.drop(name), operations.insert_data(name, data))
        return self._write_graph(name, text)

    def add_to_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store POST."""
        return self._write_graph(name, operations.insert_data(name, data))

    def drop_graph(self, name: URIRef | None) -> bool:
        """Graph Store DELETE; False when there was no such graph."""
        self._check_graph_writable(name)
        if self.graph(name) is None:
            return False
        self._write(lambda: self._store.update(operations.drop(name)))
        return True

    def close(self) -> None:
        """Flush to disk and let go of the store (RocksDB allows one process at a time)."""
        if not self.read_only:
            self._store.flush()
        del self._store

    def _write_graph(self, name: URIRef | None, text: str) -> bool:
        self._check_graph_writable(name)
        created = name is not None and self.graph(name) is None
        self._write(lambda: self._store.update(text))
        return created

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnly("the oxigraph store was opened read-only")

    def _check_graph_writable(self, name: URIRef | None) -> None:
        self._check_writable()
        if name == self.inferred_graph:
            raise ForbiddenOperation(
                f"{self.inferred_graph.n3()} is computed by the reasoner and cannot be written"
            )

    def _all(self) -> set[Any]:
        return set(self._store.quads_for_pattern(None, None, None, None))

    def _write(self, apply: Callable[[], None]) -> None:
        """Apply, reason, and undo the write if reasoning fails; one writer at a time."""
        with self._lock:
            before = self._all()
            self._pending(True)
            try:
                apply()
            except SyntaxError as error:
                self._pending(False)
                raise QuerySyntaxError(str(error)) from error
            except OSError as error:
                self._pending(False)
                raise StoreError(str(error)) from error
            after = self._all()
            if after != before:
                try:
                    self._refresh_inferences(after)
                except Exception as error:
                    self._undo(before, after)
                    self._pending(False)
                    log.exception("reasoning failed; the write was undone")
                    raise ForbiddenOperation(
                        f"the write was refused because reasoning failed: {error}"
                    ) from error
            self._pending(False)

    def _undo(self, before: set[Any], after: set[Any]) -> None:
        for quad in after - before:
            self._store.remove(quad)
        self._store.extend(before - after)

    def _refresh_inferences(self, quads: set[Any] | None = None) -> None:
        """Replace the inferred graph by the reasoner's answer, writing only the difference."""
        if self._reasoner is None:
            return
        dataset = Dataset()
        for quad in self._all() if quads is None else quads:
            name = quad.graph_name
            if name == self._inferred:
                continue
            graph = dataset.graph(
                DATASET_DEFAULT_GRAPH_ID if isinstance(name, ox.DefaultGraph) else from_ox(name)
            )
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
        wanted = {
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), self._inferred)
            for s, p, o in self._reasoner(dataset)
        }
        current = set(self._store.quads_for_pattern(None, None, None, self._inferred))
        self._store.extend(wanted - current)
        for quad in current - wanted:
            self._store.remove(quad)

    def _pending(self, pending: bool) -> None:
        """Create (durably) or remove the marker that says inferences may be stale."""
        if not pending:
            self._marker.unlink(missing_ok=True)
            return
        with self._marker.open("wb") as out:
            out.flush()
            os.fsync(out.fileno())
