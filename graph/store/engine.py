"""The embedded stores' common core: data in a pyoxigraph Store, queries on Oxigraph's engine
in worker processes, writes through an rdflib overlay and the incremental reasoner.

Queries: cajkg reads the query's shape (form, FROM, SERVICE) from its tokens, and a worker
process of the `QueryPool` (a replica of the store) evaluates it; one that passes its deadline is
killed. The default graph is an RDF merge, a set of triples, so a fact that two sentence graphs
state counts once: it is the merge of every asserted graph (the store's own default graph
included), which the store keeps current on every write in Oxigraph's default graph (the store's
own default graph lives in `terms.OWN_DEFAULT`, hidden from queries), plus, with inference,
`cjg:inferred`, which holds no asserted triple (and `cjg:inferred-schema` with `infer="full"`:
`cajkg.graph.inferred` routes each inferred triple to one of the two). All three are computed: no
write reaches them. Queries
on Oxigraph's own default graph are as fast as on its union default graph, which would count a
triple once per graph holding it. A default graph that a query composes of several
graphs (FROM, default-graph-uri) is merged by the worker before evaluation; Oxigraph itself
would count a triple once per graph holding it (oxigraph#1919). FROM and the protocol's graph
parameters select graphs of the store and never fetch anything.

Writes, one at a time: the operation runs against an `Overlay` (reads from Oxigraph, writes kept
aside), so the exact asserted difference is known without copying the dataset. The reasoner
turns it into the difference of the inferred graph; a subclass makes the write durable
(`_record`); then both differences, and the change of the merge they imply, are applied to the
store and broadcast to the workers under one lock, so no later query sees asserted facts without
their inferences. A write that fails, or whose inferences cannot be computed (an
inconsistency), changes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.plugins.sparql.sparql import Update
from rdflib.query import Result
from rdflib.term import Node

from cajkg.graph import formats
from cajkg.graph.inferred import Infer, InferredGraphs, is_schema
from cajkg.graph.iris import G_ASSERTED, G_INFERRED, G_INFERRED_SCHEMA, PREFIXES
from cajkg.graph.reasoner import Delta, Inference, Reasoner, as_reasoner

from . import journal, operations, updates
from .base import (
    ChangedQuad,
    ChangeListener,
    ForbiddenOperation,
    Prepared,
    QuerySyntaxError,
    ResultTooLarge,
    StoreError,
    notify,
)
from .deadline import Deadlines
from .overlay import changes
from .pool import QueryPool
from .terms import (
    OWN_DEFAULT,
    from_ox,
    graph_name,
    nquads,
    quad_of,
    quads_from,
    to_ox,
    triple_of,
)

log = logging.getLogger(__name__)


def _row(variables: list[Variable], values: list[Any]) -> dict[Variable, Node]:
    """One solution as rdflib bindings (unbound variables left out)."""
    return {
        v: from_ox(value) for v, value in zip(variables, values, strict=True) if value is not None
    }


def _bound_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def merge_update(*inferred: Any) -> str:
    """The SPARQL update that (re)computes the merge of every asserted graph (every named graph
    but the `inferred` ones) in Oxigraph's default graph."""
    names = ", ".join(str(g) for g in inferred)
    return (
        "CLEAR SILENT DEFAULT ; INSERT { ?s ?p ?o } "
        f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({names})) }}"
    )


def merge_steps(*inferred: Any) -> list[str]:
    """The SPARQL updates that compute the merge after a load, whatever the store holds, so
    that a query worker given the same data and these steps ends with the same replica: the
    triples of Oxigraph's default graph become the store's own default graph when that is
    empty (N-Quads, or a database of an earlier cajkg, load them there), then the merge."""
    own = (
        f"INSERT {{ GRAPH {OWN_DEFAULT} {{ ?s ?p ?o }} }} "
        f"WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH {OWN_DEFAULT} {{ ?a ?b ?c }} }} }}"
    )
    return [own, merge_update(*inferred)]


def result_of(form: str, answer: tuple[Any, ...], max_rows: int | None) -> Result:
    """A worker's answer (`worker.answer`) as an rdflib Result."""
    if answer[0] == "too-large":
        unit = "rows" if form == "SELECT" else "triples"
        raise ResultTooLarge(f"the result has more than {max_rows} {unit}; add a LIMIT")
    result = Result(form)
    if answer[0] == "ASK":
        result.askAnswer = answer[1]
    elif answer[0] == "SELECT":
        result.vars = [Variable(name) for name in answer[1]]
        result.bindings = [_row(result.vars, row) for row in answer[2]]
    else:
        graph = _bound_graph()
        for s, p, o in answer[1]:
            graph.add((from_ox(s), from_ox(p), from_ox(o)))
        result.graph = graph
    return result


class EngineStore:
    """The Store protocol over a pyoxigraph Store; subclasses decide where data lives."""

    def __init__(
        self,
        engine: ox.Store,
        *,
        reasoner: Reasoner | Inference | None = None,
        inferred_graph: URIRef = G_INFERRED,
        schema_graph: URIRef = G_INFERRED_SCHEMA,
        merged_graph: URIRef = G_ASSERTED,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        workers: int = 4,
    ) -> None:
        self.inferred_graph = inferred_graph
        self.schema_graph = schema_graph
        self.merged_graph = merged_graph
        self.inferred_graphs = InferredGraphs(inferred_graph, schema_graph)
        # The graphs no write may name: computed from the asserted ones.
        self.computed_graphs = (inferred_graph, schema_graph, merged_graph)
        self.fetchable = tuple(fetchable)
        self.services = tuple(services)
        # Told of every change `_apply` makes (see base.ChangeListener); bulk loads at opening
        # (`load`, `rebuild_merge`) are not changes.
        self.listeners: list[ChangeListener] = []
        self._engine = engine
        self._inferred = graph_name(inferred_graph)
        self._schema = graph_name(schema_graph)
        self._merged = ox.DefaultGraph()
        self._computed = frozenset({self._inferred, self._schema, self._merged})
        self._reasoner = None if reasoner is None else as_reasoner(reasoner)
        self._seeded = False
        # The fingerprint of the reasoner whose closure the stored inferred graphs are (None:
        # not known): a reasoner of the same fingerprint resumes from them instead of seeding.
        self._inferred_by: str | None = None
        self._closed = False
        self._write_lock = threading.Lock()
        self._swap_lock = threading.Lock()
        self._warm_done = threading.Event()
        self._warm_done.set()
        self.pool = QueryPool(workers, self._worker_seed, self._swap_lock)
        self._update_deadline = Deadlines(1)

    # -- queries ---------------------------------------------------------------------------

    def prepare(self, text: str, base: str | None = None) -> Prepared:
        """Read the query's form and dataset, refuse SERVICE, check the syntax."""
        plan = operations.inspect_query(text, self.services, base)
        return Prepared(text, plan.form, plan, base)

    def query(
        self,
        query: Prepared | str,
        *,
        default_graphs: Sequence[URIRef] = (),
        named_graphs: Sequence[URIRef] = (),
        infer: Infer = True,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> Result:
        """Evaluate in a worker process, stopped at the deadline; protocol graphs override FROM.
        The default graph: the merge, with cjg:inferred (infer=True) and cjg:inferred-schema
        (infer="full"); without inference, neither inferred graph is a named graph either."""
        if isinstance(query, str):
            query = self.prepare(query)
        plan: operations.QueryPlan = query.parsed
        defaults, named = plan.dataset(default_graphs, named_graphs)
        fetched: list[Any] = []
        if defaults or named:
            dataset: dict[str, Any] = {
                "default": [self._chosen(g, infer, fetched) for g in defaults],
                "named": [self._chosen(g, infer, fetched) for g in named],
            }
        else:
            inferred = [graph_name(g) for g in self.inferred_graphs.in_default(infer)]
            dataset = {
                "default": [self._merged, *inferred],
                "hide": {OWN_DEFAULT} if infer else {OWN_DEFAULT, self._inferred, self._schema},
            }
        extra = nquads(fetched) if fetched else b""
        return self._evaluate(query, {"base_iri": query.base}, dataset, max_rows, timeout, extra)

    def _chosen(self, iri: URIRef, infer: Infer, fetched: list[Any]) -> Any:
        """A graph named by FROM or the protocol: a (visible) graph of the store, or an IRI the
        operator allow-listed, fetched here (its quads go to the worker with the query)."""
        node = graph_name(iri)
        visible = node != OWN_DEFAULT and (infer or node not in (self._inferred, self._schema))
        if visible and self._has_graph(node):
            return node
        if operations.allowed(iri, self.fetchable):
            fetched.extend(quad_of(t, node) for t in updates.fetch(iri))
            return node
        raise operations.not_a_graph(iri)

    def _has_graph(self, node: Any) -> bool:
        return next(iter(self._engine.quads_for_pattern(None, None, None, node)), None) is not None

    def _evaluate(
        self,
        query: Prepared,
        options: dict[str, Any],
        dataset: dict[str, Any],
        max_rows: int | None,
        timeout: float | None,
        extra: bytes,
    ) -> Result:
        """Run in a worker process and turn the reply into an rdflib Result."""
        status, answer = self.pool.run((query.text, options, dataset, max_rows, extra), timeout)
        if status == "syntax":
            raise QuerySyntaxError(answer)
        if status != "ok":
            raise StoreError(answer)
        return result_of(query.form, answer, max_rows)

    # -- reads of whole graphs -------------------------------------------------------------

    def graph(self, name: URIRef | None) -> Graph | None:
        """A copy of one graph (the store's own default graph for None); None for a graph the
        store does not hold, or the merge, which is no graph of its own."""
        if name == self.merged_graph:
            return None
        graph = _bound_graph()
        for quad in self._engine.quads_for_pattern(None, None, None, graph_name(name)):
            graph.add(triple_of(quad))
        if name is not None and not len(graph):
            return None
        return graph

    def is_empty(self) -> bool:
        """True when the store holds no quad at all."""
        return next(iter(self._engine.quads_for_pattern(None, None, None, None)), None) is None

    # -- writes ----------------------------------------------------------------------------

    def update(
        self,
        text: str,
        *,
        using_graphs: Sequence[URIRef] = (),
        using_named_graphs: Sequence[URIRef] = (),
        base: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Check, then apply as one atomic write."""
        self._check_writable()
        parsed = self._parse_update(text, base, using=bool(using_graphs or using_named_graphs))
        self._write(
            {
                "op": "update",
                "text": text,
                "base": base,
                "using": [str(g) for g in using_graphs],
                "using_named": [str(g) for g in using_named_graphs],
            },
            timeout,
            parsed,
        )

    def replace_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store PUT."""
        return self._write_graph("put", name, data)

    def add_to_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store POST."""
        return self._write_graph("post", name, data)

    def drop_graph(self, name: URIRef | None) -> bool:
        """Graph Store DELETE; False when there was no such graph."""
        self._check_graph_writable(name)
        if self.graph(name) is None:
            return False
        self._write({"op": "delete", "graph": name and str(name)})
        return True

    def close(self) -> None:
        """Stop the query workers (after a write or warm-up in progress)."""
        with self._write_lock:
            self._closed = True
            self.pool.close()

    def _worker_seed(self) -> tuple[Any, ...]:
        """A new query worker's first message (called under the swap lock): every quad."""
        return ("load", self._engine.dump(format=ox.RdfFormat.N_QUADS))

    def _seeds_from_load(self) -> bool:
        """Whether a bulk load starts the first query worker from the same N-Quads, loading in
        parallel with this process (in-memory replicas; a store on disk opens checkpoints)."""
        return True

    def _write_graph(self, op: str, name: URIRef | None, data: Graph) -> bool:
        self._check_graph_writable(name)
        created = name is not None and self.graph(name) is None
        nt = formats.serialize_graph(data, updates.NT).decode("utf-8")
        self._write({"op": op, "graph": name and str(name), "nt": nt})
        return created

    def _check_writable(self) -> None:
        """Subclasses that can be opened read-only refuse writes here."""

    def _check_graph_writable(self, name: URIRef | None) -> None:
        self._check_writable()
        if name in self.computed_graphs:
            raise ForbiddenOperation(operations.computed(name))

    def _parse_update(self, text: str, base: str | None, using: bool = False) -> Update:
        """Parse and refuse what the operator has not allowed (the checks all stores share)."""
        return operations.inspect_update(
            text,
            base=base,
            protected=self.computed_graphs,
            using=using,
            fetchable=self.fetchable,
            services=self.services,
        )

    def _source(self, dataset: Dataset, iri: URIRef) -> Graph:
        """A graph of the store, or an allow-listed IRI fetched; anything else is refused."""
        return updates.graph_source(dataset, iri, self.fetchable)

    def _write(
        self, entry: dict[str, Any], timeout: float | None = None, parsed: Update | None = None
    ) -> None:
        """Overlay, reason, record, apply: all or nothing, one writer at a time. Computing the
        changes (rdflib evaluating a WHERE clause, pure Python) is stopped at `timeout`; the
        overlay is then dropped, and nothing was applied."""
        with self._write_lock:
            if timeout is None:
                added, removed = self._changes(entry, parsed)
            else:
                added, removed = self._update_deadline.run(
                    lambda: self._changes(entry, parsed), timeout
                )
            if not added and not removed:
                return
            delta = self._reason(added, removed)
            try:
                self._record(entry, added, removed, delta)
            except BaseException:
                if self._reasoner is not None and self._seeded:
                    self._reasoner.change(
                        [triple_of(q) for q in removed], [triple_of(q) for q in added]
                    )
                raise
            try:
                self._apply(added, removed, delta)
            except BaseException:
                self._seeded = False
                raise
            self._recorded()

    def _replay(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Apply a journal entry at start-up: its quads removed, then added, and its inferred
        change when it has one (else refresh_inferences after). An old entry holding the text of
        a write is run again; either way the change applied comes back as an entry of quads."""
        if journal.is_text(entry):
            added, removed = self._changes(entry)
            self._apply(added, removed, Delta())
            return journal.encode(added, removed, None)
        delta = Delta()
        if not journal.needs_reasoning(entry):
            delta = Delta(
                frozenset(triple_of(t) for t in journal.triples(entry, "inferred_add")),
                frozenset(triple_of(t) for t in journal.triples(entry, "inferred_remove")),
            )
        self._apply(set(journal.quads(entry, "add")), set(journal.quads(entry, "remove")), delta)
        return entry

    def _changes(
        self, entry: dict[str, Any], parsed: Update | None = None
    ) -> tuple[set[Any], set[Any]]:
        """The quads a write adds and removes, computed without touching the engine (an update
        already parsed and checked is not parsed again)."""
        parse = self._parse_update if parsed is None else (lambda _text, _base: parsed)
        return changes(self._engine, self._computed, entry, parse, self._source)

    def _reason(self, added: set[Any], removed: set[Any]) -> Delta:
        """The inferred graph's difference for an asserted difference (seeding on first use:
        then the whole inferred graph, since what is stored may predate the reasoner)."""
        if self._reasoner is None:
            return Delta()
        try:
            seeded = self._seed()
            delta = self._reasoner.change(
                [triple_of(q) for q in added], [triple_of(q) for q in removed]
            )
        except Exception as error:
            log.exception("reasoning failed; the write is refused")
            raise ForbiddenOperation(
                f"the write was refused because reasoning failed: {error}"
            ) from error
        if seeded is not None and not delta.reset:
            whole = (frozenset(seeded) - delta.removed) | delta.added
            return Delta(whole, reset=True)
        return delta

    def _seed(self) -> Graph | None:
        """Seed the reasoner from the stored asserted quads; its inferred graph, or None when
        it was seeded already or resumed from the stored inferred graphs (which it computed)."""
        if self._seeded or self._reasoner is None:
            return None
        # Oxigraph's own terms: the reasoner decodes each distinct term once (Terms.reader).
        # Graph by graph, so that the merge (the default graph, as large again) is never read:
        # half the reading at a million triples, where RocksDB reads 50,000 quads a second.
        asserted = (
            (q.subject, q.predicate, q.object)
            for graph in self._engine.named_graphs()
            if graph not in self._computed
            for q in self._engine.quads_for_pattern(None, None, None, graph)
        )
        if self._reasoner.fingerprint is not None and self._reasoner.fingerprint == (
            self._inferred_by
        ):
            stored = (
                (q.subject, q.predicate, q.object)
                for graph in (self._inferred, self._schema)
                for q in self._engine.quads_for_pattern(None, None, None, graph)
            )
            self._reasoner.resume(asserted, stored, decode=from_ox)
            self._seeded = True
            log.info("resumed the reasoner from the stored inferred graphs (the same code's)")
            return None
        inferred = self._reasoner.seed(asserted, decode=from_ox)
        self._seeded = True
        return inferred

    @contextmanager
    def reasoner_held(self) -> Iterator[Reasoner | None]:
        """The seeded reasoner, held still under the write lock, for reading its closure (the
        explanations of `cajkg.graph.explain`); None on a store without inference."""
        with self._write_lock:
            if self._reasoner is not None:
                self._seed()
            yield self._reasoner

    def snapshot(self) -> ox.Store:
        """Every stored quad (the merge and the inferred graph included) copied into Oxigraph's
        memory, for what-if questions (`cajkg.graph.impact`); taken inside `reasoner_held`, it
        matches the reasoner's closure."""
        copy = ox.Store()
        copy.extend(self._engine.quads_for_pattern(None, None, None, None))
        return copy

    def graphs_holding(self, triple: tuple[Node, Node, Node]) -> list[URIRef | None]:
        """The asserted graphs (None: the default graph) that hold `triple`, blank nodes
        included; the computed graphs are left out."""
        s, p, o = (to_ox(term) for term in triple)
        return sorted(
            (
                None if isinstance(q.graph_name, ox.DefaultGraph) else URIRef(q.graph_name.value)
                for q in self._engine.quads_for_pattern(s, p, o, None)
                if q.graph_name not in self._computed
            ),
            key=lambda name: str(name or ""),
        )

    def refresh_inferences(self) -> None:
        """Recompute the inferred graph from the asserted quads and store the difference."""
        with self._write_lock:
            self._seeded = False
            self._inferred_by = None
            self._refresh()

    def warm(self) -> threading.Thread:
        """In the background, start a query worker and seed the reasoner (writes wait for it),
        so that neither the first query nor the first write pays for loading; seeding also
        repairs a stale stored inferred graph."""
        self._warm_done.clear()
        thread = threading.Thread(target=self._warm, name="cajkg-warm", daemon=True)
        thread.start()
        return thread

    def ready(self) -> bool:
        """False while warming up: queries are answered, but share the CPU with the reasoner."""
        return self._warm_done.is_set()

    def _warm(self) -> None:
        """Start a query worker loading (unless the load started one), wait for it, then seed
        the reasoner: ready means both. The seeding waits so that the first answer does not
        share the two cores of a small machine with it (at a million triples the worker's load
        and the seeding each take a core for tens of seconds). Queries are answered before,
        exactly (the stored inferred graph is current), as soon as a worker has loaded; a write
        that comes first seeds the reasoner itself, and later ones wait for the seeding."""
        try:
            while not self._closed and not self.pool.loaded.is_set():
                self.pool.prestart()  # again if a worker died loading
                self.pool.loaded.wait(1.0)
            with self._write_lock:
                if self._closed:
                    return
                started = time.perf_counter()
                if self._reasoner is not None and not self._seeded:
                    self._refresh()
                    log.info("seeded the reasoner in %.1f s", time.perf_counter() - started)
        except Exception:
            if not self._closed:
                log.exception("warming up failed; the first query or write will try again")
        finally:
            self._warm_done.set()

    def _refresh(self) -> None:
        inferred = self._seed()
        if inferred is not None:
            self._forget_inferred_by()
            self._apply(set(), set(), Delta(frozenset(inferred), reset=True))
            assert self._reasoner is not None
            self._keep_inferred_by(self._reasoner.fingerprint)

    def _forget_inferred_by(self) -> None:
        """The stored inferred graphs are about to be replaced (the persistent store forgets
        whose they were first, so that a crash meanwhile is never trusted)."""
        self._inferred_by = None

    def _keep_inferred_by(self, fingerprint: str | None) -> None:
        """The stored inferred graphs are now `fingerprint`'s closure."""
        self._inferred_by = fingerprint

    def _record(
        self, entry: dict[str, Any], added: set[Any], removed: set[Any], delta: Delta
    ) -> None:
        """Make the write durable before it is applied (the journal, a pending file): its
        quads and the inferred change, never the text of `entry` (which may draw NOW(), UUID()
        or blank nodes anew)."""

    def _recorded(self) -> None:
        """The write is applied: clean up what `_record` left."""

    def _apply(self, added: set[Any], removed: set[Any], delta: Delta) -> None:
        """Both differences into Oxigraph, readers held off from opening queries meanwhile."""
        inferred_added = {quad_of(t, self._inferred_graph_of(t)) for t in delta.added}
        inferred_removed = {quad_of(t, self._inferred_graph_of(t)) for t in delta.removed}
        if delta.reset:
            current = self._inferred_quads()
            inferred_removed, inferred_added = current - inferred_added, inferred_added - current
        merge_added, merge_removed = self._merge_change(added, removed)
        gone = removed | inferred_removed | merge_removed
        new = added | inferred_added | merge_added
        with self._swap_lock:
            for quad in gone:
                self._engine.remove(quad)
            self._engine.extend(new)
            self.pool.broadcast(nquads(gone), nquads(new))
        if self.listeners:
            notify(self.listeners, self._changed(new), self._changed(gone))

    def _inferred_graph_of(self, triple: tuple[Node, Node, Node]) -> Any:
        """cjg:inferred or cjg:inferred-schema (`cajkg.graph.inferred.is_schema`)."""
        return self._schema if is_schema(triple) else self._inferred

    def _inferred_quads(self) -> set[Any]:
        """Every quad of both inferred graphs."""
        return {
            q
            for name in (self._inferred, self._schema)
            for q in self._engine.quads_for_pattern(None, None, None, name)
        }

    def _changed(self, quads: set[Any]) -> list[ChangedQuad]:
        """pyoxigraph quads as rdflib quads for change listeners (the merge by its name)."""
        return [(*triple_of(q), self._graph_iri(q.graph_name)) for q in quads]

    def _graph_iri(self, name: Any) -> URIRef | None:
        if name == OWN_DEFAULT:
            return None
        if isinstance(name, ox.DefaultGraph):
            return self.merged_graph
        return URIRef(name.value)

    def _merge_change(self, added: set[Any], removed: set[Any]) -> tuple[set[Any], set[Any]]:
        """What an asserted change adds to and removes from the merge: a triple leaves it only
        when no asserted graph holds it any more (before the change is applied)."""
        merged = self._merged
        plus = {ox.Quad(q.subject, q.predicate, q.object, merged) for q in added}
        minus = set()
        for quad in removed:
            entry = ox.Quad(quad.subject, quad.predicate, quad.object, merged)
            if entry in plus or entry in minus:
                continue
            holders = self._engine.quads_for_pattern(quad.subject, quad.predicate, quad.object)
            if not any(q.graph_name not in self._computed and q not in removed for q in holders):
                minus.add(entry)
        return {q for q in plus if q not in self._engine}, minus

    def _load(self, dataset: Dataset | bytes) -> None:
        """Bulk-load a built dataset, then compute the merge. N-Quads go through `ox.parse`,
        which keeps blank node labels (`Store.bulk_load` renames them, and the journal, the
        query workers and the build cache name blank nodes by label). Given N-Quads, the first
        query worker loads the same bytes and runs the same merge steps meanwhile, in its own
        process, and gets every change after them; so the first answer waits for one load,
        not for this one and then a dump of it loaded again."""
        started = time.perf_counter()
        steps = merge_steps(self._inferred, self._schema)
        early = isinstance(dataset, bytes) and self._seeds_from_load()
        if early:
            with self._swap_lock:
                self.pool.restart()
                self.pool.prestart(("load", dataset), *(("update", text) for text in steps))
        if isinstance(dataset, bytes):
            self._engine.bulk_extend(ox.parse(dataset, format=ox.RdfFormat.N_QUADS))
        else:
            self._engine.bulk_extend(quads_from(dataset))
        log.info("loaded the dataset in %.1f s", time.perf_counter() - started)
        self._rebuild(steps, broadcast=not early)

    def rebuild_merge(self) -> None:
        """Compute the merge of the asserted graphs from scratch (after a bulk load, or when
        opening data written without it), in Oxigraph, one triple once (`merge_steps`); the
        query workers run the same steps on their replicas (the same data, the same result)."""
        self._rebuild(merge_steps(self._inferred, self._schema), broadcast=True)

    def _rebuild(self, steps: list[str], broadcast: bool) -> None:
        started = time.perf_counter()
        with self._swap_lock:
            for text in steps:
                self._engine.update(text)
                if broadcast:
                    self.pool.post_all(("update", text))
        log.info("computed the merge in %.1f s", time.perf_counter() - started)
