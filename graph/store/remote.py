"""Any SPARQL 1.1 Query + Update server as the store, through SPARQLWrapper.

Dataset: cajkg names the graphs of every query (default-graph-uri, named-graph-uri), so the
answers do not depend on how the remote store composes its own default graph (Oxigraph's
`--union-default-graph` or not, Fuseki's `unionDefaultGraph`, GraphDB, Virtuoso). The default
graph is the RDF merge of the asserted graphs: stores that merge several default graphs count a
triple once per graph holding it (Oxigraph, Virtuoso), so cajkg keeps the merge as a graph of its
own, `cjg:asserted`, written by `push` and kept current by every write, and queries it with
`cjg:inferred` (with inference), which holds no asserted triple. A query that composes its
default graph of several graphs itself (FROM, default-graph-uri) is answered by cajkg from a
merge of those graphs fetched from the store. Graph lists are cached for `graphs_ttl` seconds.

Blank nodes: SPARQL Update gives every request its own blank nodes, so a blank node written in
one batch could never be met again by the next one, nor by the inferred graph. cajkg therefore
writes blank nodes as skolem IRIs (`BASE .well-known/genid/<label>`, RDF 1.1 §3.5) and turns
them back into blank nodes in every answer.

Writes: cajkg computes the write's exact change from what the write names (`remote_write`: the
existence of the named quads, the graphs an operation reads, a WHERE clause evaluated by the
remote store), reasons from the neighbourhood of the change (`reasoner.neighbourhood`: cajkg
holds the TBox, never the asserted graph), and sends the asserted change, the merge's change,
the inferred graph's change and a new state token as one update request: readers never see new
facts without their inferences. A write whose inferences cannot be computed sends nothing. The
timeout is enforced by cajkg on the client side for queries (configure the server's own
timeout too).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import urllib.error
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.sparql import Update
from rdflib.query import Result
from rdflib.term import Node
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from cajkg.graph import formats
from cajkg.graph.inferred import Infer, InferredGraphs
from cajkg.graph.iris import DEFAULT_BASE, G_ASSERTED, G_INFERRED, G_INFERRED_SCHEMA, PREFIXES
from cajkg.graph.reasoner import IncrementalReasoner, Inference, Reasoner
from cajkg.graph.reasoner.delta import Delta
from cajkg.graph.reasoner.neighbourhood import Neighbourhood
from cajkg.graph.reasoner.tracking import Tracking

from . import operations, remote_write, updates
from .base import (
    SYSTEM_GRAPHS,
    ChangeListener,
    ForbiddenOperation,
    Prepared,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    notify,
)
from .deadline import Deadlines
from .engine import result_of
from .remote_closure import RemoteClosure
from .sparql_text import _lex
from .terms import graph_name, quad_of
from .worker import Replica, answer

log = logging.getLogger(__name__)

# Where cajkg keeps the token of the state its last write made (see reasoner.tracking).
STATE_GRAPH = URIRef("urn:x-cajkg:state")

Quad = tuple[Node, Node, Node, URIRef | None]

_RESULTS_JSON = formats.named("sparql-json").media_type
_NTRIPLES = formats.named("ntriples").media_type
_QUERY_ACCEPT = {
    "SELECT": _RESULTS_JSON,
    "ASK": _RESULTS_JSON,
    "CONSTRUCT": _NTRIPLES,
    "DESCRIBE": _NTRIPLES,
}


class RemoteError(StoreError):
    """The remote store failed or could not be reached; the message says which and why."""


@dataclass(frozen=True)
class Skolem:
    """Blank nodes <-> skolem IRIs under the deployment base."""

    base: str = DEFAULT_BASE

    @property
    def prefix(self) -> str:
        """Where the skolem IRIs live."""
        return self.base + ".well-known/genid/"

    def skolemize(self, term: Node) -> Node:
        """A blank node as its skolem IRI; other terms unchanged."""
        return URIRef(self.prefix + str(term)) if isinstance(term, BNode) else term

    def deskolemize(self, term: Node) -> Node:
        """A skolem IRI as its blank node; other terms unchanged."""
        if isinstance(term, URIRef) and str(term).startswith(self.prefix):
            return BNode(str(term)[len(self.prefix) :])
        return term

    def triples(
        self, triples: Iterable[tuple[Node, Node, Node]], back: bool = False
    ) -> Iterable[tuple[Node, Node, Node]]:
        """Skolemize (or with back=True deskolemize) every term of the triples."""
        convert = self.deskolemize if back else self.skolemize
        for s, p, o in triples:
            yield convert(s), p, convert(o)


@dataclass
class SparqlClient:
    """One remote SPARQL 1.1 service: query and update URLs and credentials."""

    endpoint: str
    update_endpoint: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    agent: str = "cajkg"
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.token and (self.user or self.password):
            raise ValueError("give either user and password or a token, not both")
        if self.token:
            self.headers["Authorization"] = f"Bearer {self.token}"

    def request(
        self,
        text: str,
        *,
        update: bool = False,
        accept: str = _RESULTS_JSON,
        params: Sequence[tuple[str, str]] = (),
        timeout: float | None = None,
    ) -> bytes:
        """Send one query (or update) by POST and return the response body."""
        url = (self.update_endpoint or self.endpoint) if update else self.endpoint
        wrapper = SPARQLWrapper(self.endpoint, updateEndpoint=url, agent=self.agent)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(text)
        wrapper.queryType = "INSERT" if update else "SELECT"
        for key, value in params:
            wrapper.addParameter(key, value)
        if self.user and self.password:
            wrapper.setCredentials(self.user, self.password)
        for key, value in {**self.headers, "Accept": accept}.items():
            wrapper.addCustomHttpHeader(key, value)
        if timeout is not None:
            wrapper.setTimeout(max(1, math.ceil(timeout)))
        try:
            response = wrapper.query().response
            return response.read()
        except SPARQLWrapperException as error:
            raise _refusal(url, error) from error
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace").strip()
            raise RemoteError(f"{url} answered {error.code} {error.reason}: {body}") from error
        except TimeoutError as error:
            raise QueryTimeout(f"{url} did not answer within {timeout} s") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise QueryTimeout(f"{url} did not answer within {timeout} s") from error
            raise RemoteError(f"cannot reach {url}: {error.reason}") from error
        except OSError as error:
            raise RemoteError(f"connection to {url} failed: {error}") from error

    def select(
        self, text: str, params: Sequence[tuple[str, str]] = (), timeout: float | None = None
    ) -> Result:
        """A SELECT or ASK query's result."""
        body = self.request(text, params=params, timeout=timeout)
        return formats.parse_result(body, formats.named("sparql-json"))

    def construct(
        self, text: str, params: Sequence[tuple[str, str]] = (), timeout: float | None = None
    ) -> Graph:
        """A CONSTRUCT or DESCRIBE query's graph."""
        body = self.request(text, accept=_NTRIPLES, params=params, timeout=timeout)
        return formats.parse_graph(body, formats.named("ntriples"))

    def update(self, text: str, params: Sequence[tuple[str, str]] = ()) -> None:
        """Send an update request."""
        self.request(text, update=True, params=params)

    def graph_names(self) -> list[URIRef]:
        """The named graphs that hold at least one triple."""
        result = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row[0] for row in result if isinstance(row[0], URIRef))  # type: ignore[index]

    def graph_triples(self, name: URIRef) -> Graph:
        """One named graph as the store spells it (skolem IRIs stay IRIs)."""
        return self.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name.n3()} {{ ?s ?p ?o }} }}"
        )

    def quads(self, graphs: Sequence[URIRef]) -> set[Quad]:
        """The quads of some graphs, as the store spells them."""
        return {(s, p, o, name) for name in graphs for s, p, o in self.graph_triples(name)}


def _refusal(url: str, error: SPARQLWrapperException) -> StoreError:
    """SPARQLWrapper's exceptions as store errors that keep the remote message."""
    message = str(error).split("Response:\n", 1)[-1].strip()
    status = type(error).__name__
    if status == "QueryBadFormed":
        return QuerySyntaxError(f"{url} refused the request: {message}")
    if status == "Unauthorized":
        return RemoteError(f"{url} refused the credentials (401): {message}")
    return RemoteError(f"{url} failed ({status}): {message}")


class RemoteStore:
    """The Store protocol over a remote SPARQL 1.1 service."""

    def __init__(
        self,
        client: SparqlClient,
        *,
        reasoner: Reasoner | Inference | None = None,
        inferred_graph: URIRef = G_INFERRED,
        schema_graph: URIRef = G_INFERRED_SCHEMA,
        merged_graph: URIRef = G_ASSERTED,
        skolem: Skolem | None = None,
        system_graphs: Sequence[str] = SYSTEM_GRAPHS,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        graphs_ttl: float = 5.0,
        workers: int = 4,
    ) -> None:
        self.client = client
        self.inferred_graph = inferred_graph
        self.schema_graph = schema_graph
        self.merged_graph = merged_graph
        self.inferred_graphs = InferredGraphs(inferred_graph, schema_graph)
        # The graphs no write may name: computed from the asserted ones.
        self.computed_graphs = (inferred_graph, schema_graph, merged_graph)
        self.skolem = skolem or Skolem()
        self.system_graphs = tuple(system_graphs)
        self.fetchable = tuple(fetchable)
        self.services = tuple(services)
        self.graphs_ttl = graphs_ttl
        self.deadlines = Deadlines(workers)
        self._reasoner: Neighbourhood | Tracking | None = None
        if isinstance(reasoner, IncrementalReasoner):
            self._reasoner = Neighbourhood(RemoteClosure(self))
        elif reasoner is not None:
            self._reasoner = Tracking(reasoner)
        self._written: str | None = None  # the state token of this process's last write
        self._write_lock = threading.Lock()
        self._graphs: tuple[float, list[URIRef]] | None = None
        self._own_default: bool | None = None
        self.listeners: list[ChangeListener] = []  # told of every write sent (base.notify)

    # -- queries ---------------------------------------------------------------------------

    def prepare(self, text: str, base: str | None = None) -> Prepared:
        """Check the query first: the remote server would follow SERVICE on its own. The
        service's base IRI goes first in the text sent (a BASE in the query still wins)."""
        plan = operations.inspect_query(text, self.services, base)
        sent = f"BASE <{base}>\n{text}" if base else text
        return Prepared(sent, plan.form, plan, base)

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
        """Send the query with the dataset cajkg chose; protocol graphs override FROM."""
        if isinstance(query, str):
            query = self.prepare(query)
        plan: operations.QueryPlan = query.parsed
        defaults, named = plan.dataset(default_graphs, named_graphs)
        if defaults or named:
            defaults = tuple(self._chosen(g, infer) for g in defaults)
            named = tuple(self._chosen(g, infer) for g in named)
            if len(defaults) > 1:
                chosen = (defaults, named)
                return self.deadlines.run(
                    lambda: self._merged_here(query, *chosen, max_rows), timeout
                )
        else:
            defaults = (self.merged_graph, *self.inferred_graphs.in_default(infer))
            named = ()
            if _reads_named_graphs(query.text):  # else the graph list changes no answer
                named = tuple(
                    g for g in self.graph_names() if infer or g not in self.inferred_graphs.names
                )
        params = [("default-graph-uri", str(g)) for g in defaults]
        params += [("named-graph-uri", str(g)) for g in named]
        return self.deadlines.run(lambda: self._evaluate(query, params, timeout, max_rows), timeout)

    def graph_names(self) -> list[URIRef]:
        """The remote store's named graphs but the merge and the store's own system graphs,
        cached for graphs_ttl seconds."""
        now = time.monotonic()
        if self._graphs is None or now - self._graphs[0] > self.graphs_ttl:
            names = [
                g
                for g in self.client.graph_names()
                if g not in (self.merged_graph, STATE_GRAPH)
                and not str(g).startswith(self.system_graphs)
            ]
            self._graphs = (now, names)
        return self._graphs[1]

    def _chosen(self, iri: URIRef, infer: Infer) -> URIRef:
        if (infer or iri not in self.inferred_graphs.names) and iri in self.graph_names():
            return iri
        raise operations.not_a_graph(iri)

    def _merged_here(
        self,
        query: Prepared,
        defaults: Sequence[URIRef],
        named: Sequence[URIRef],
        max_rows: int | None,
    ) -> Result:
        """A query whose default graph merges several graphs, answered by Oxigraph here from
        those graphs (the remote store would count a triple once per graph holding it)."""
        local = ox.Store()
        for name in {*defaults, *named}:
            triples = list(self._read(name))
            if name in defaults:
                local.extend(quad_of(t, ox.DefaultGraph()) for t in triples)
            if name in named:
                local.extend(quad_of(t, graph_name(name)) for t in triples)
        dataset = {"default": [ox.DefaultGraph()], "named": [graph_name(g) for g in named]}
        reply = answer(Replica(local), query.text, {}, dataset, max_rows)
        return result_of(query.form, reply, max_rows)

    def _evaluate(
        self,
        query: Prepared,
        params: list[tuple[str, str]],
        timeout: float | None,
        max_rows: int | None,
    ) -> Result:
        body = self.client.request(
            query.text, accept=_QUERY_ACCEPT[query.form], params=params, timeout=timeout
        )
        result = Result(query.form)
        if query.form in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            for prefix, namespace in PREFIXES.items():
                graph.bind(prefix, namespace)
            parsed = formats.parse_graph(body, formats.named("ntriples"))
            if max_rows is not None and len(parsed) > max_rows:
                raise ResultTooLarge(f"the result has more than {max_rows} triples; add a LIMIT")
            for triple in self.skolem.triples(parsed, back=True):
                graph.add(triple)
            result.graph = graph
            return result
        if query.form == "ASK":
            result.askAnswer = bool(json.loads(body)["boolean"])
            return result
        parsed_result = formats.parse_result(body, formats.named("sparql-json"))
        rows = parsed_result.bindings
        if max_rows is not None and len(rows) > max_rows:
            raise ResultTooLarge(f"the result has more than {max_rows} rows; add a LIMIT")
        result.vars = parsed_result.vars
        result.bindings = [
            {var: self.skolem.deskolemize(value) for var, value in row.items()} for row in rows
        ]
        return result

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
        """Compute the update's change here and send it with its inferences, as one request.

        The WHERE clause reads the merge of the asserted graphs, as on the embedded stores;
        USING, WITH and using-graph-uri narrow it. `timeout` is not applied: the one request
        that carries the change is atomic, and stopping halfway would leave nothing to undo."""
        parsed = self._parse(text, base, using=bool(using_graphs or using_named_graphs))
        entry = {
            "op": "update",
            "text": text,
            "base": base,
            "using": [str(g) for g in using_graphs],
            "using_named": [str(g) for g in using_named_graphs],
        }
        self._write(entry, parsed)

    def graph(self, name: URIRef | None) -> Graph | None:
        """A copy of one graph; None asks for the triples that are in no named graph."""
        if name == self.merged_graph:
            return None
        triples = list(self._read(name))
        if name is not None and not triples:
            return None
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in triples:
            graph.add(triple)
        return graph

    def replace_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store PUT."""
        return self._write_graph("put", name, data)

    def add_to_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store POST."""
        return self._write_graph("post", name, data)

    def drop_graph(self, name: URIRef | None) -> bool:
        """Graph Store DELETE; False when there was no such graph."""
        if self._check_graph(name):
            return False
        self._write({"op": "delete", "graph": name and str(name)})
        return True

    def ready(self) -> bool:
        """Always: the remote server holds the data and cajkg has nothing to warm."""
        return True

    def close(self) -> None:
        """Nothing to release: every request opens its own connection."""

    def _parse(self, text: str, base: str | None, using: bool = False) -> Update:
        return operations.inspect_update(
            text,
            base=base,
            protected=self.computed_graphs,
            fetchable=self.fetchable,
            services=self.services,
            using=using,
        )

    def _write_graph(self, op: str, name: URIRef | None, data: Graph) -> bool:
        created = self._check_graph(name)
        nt = formats.serialize_graph(data, updates.NT).decode("utf-8")
        self._write({"op": op, "graph": name and str(name), "nt": nt})
        return created

    def _check_graph(self, name: URIRef | None) -> bool:
        """Refuse the computed graphs; True when a named graph does not exist yet."""
        if name in self.computed_graphs:
            raise ForbiddenOperation(operations.computed(name))
        self._graphs = None
        return name is not None and name not in self.graph_names()

    def _read(self, name: URIRef | None) -> Iterable[tuple[Node, Node, Node]]:
        """One graph's triples, skolem IRIs as blank nodes; None: the store's own default graph."""
        if name is None:
            merge = self.merged_graph.n3()
            pattern = "?s ?p ?o"
            if not self._default_is_own():
                pattern += f" FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {merge}) }}"
            found = self.client.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}")
        else:
            found = self.client.graph_triples(name)
        foreign = [t for t in found if any(isinstance(term, BNode) for term in t)]
        if foreign:
            log.warning(
                "%s holds %d triples with blank nodes of the remote store, which no request "
                "can address again; cajkg leaves them out",
                name.n3() if name is not None else "the default graph",
                len(foreign),
            )
            for triple in foreign:
                found.remove(triple)
        return self.skolem.triples(found, back=True)

    def _default_is_own(self) -> bool:
        """Whether a query without a dataset reads the store's own default graph, or the union of
        its graphs (Oxigraph's --union-default-graph, Fuseki's unionDefaultGraph, Virtuoso):
        asked once, by writing a probe triple to a graph of its own and looking for it. A store
        that cannot be written is read as the union, its own default graph as what no named
        graph but the merge holds."""
        if self._own_default is None:
            probe = URIRef(f"urn:x-cajkg:probe:{uuid.uuid4()}").n3()
            try:
                self.client.update(f"INSERT DATA {{ GRAPH {probe} {{ {probe} {probe} {probe} }} }}")
                try:
                    seen = self.client.select(f"ASK {{ {probe} {probe} {probe} }}").askAnswer
                finally:
                    self.client.update(f"DROP SILENT GRAPH {probe}")
            except StoreError:
                return False
            self._own_default = not seen
        return self._own_default

    def _asserted(self) -> set[Quad]:
        """Every asserted quad (the computed graphs left out), blank nodes restored."""
        self._graphs = None
        names: list[URIRef | None] = [None, *self.graph_names()]
        return {
            (s, p, o, name)
            for name in names
            if name not in self.inferred_graphs.names
            for s, p, o in self._read(name)
        }

    def _write(self, entry: dict[str, Any], parsed: Update | None = None) -> None:
        """Compute the write's exact change from what it names (`remote_write`), reason, and send
        the asserted change, the merge's change and the inferred graph's change as one request.
        One writer at a time (through this process); nothing is sent when the write fails or
        cannot be reasoned about."""
        with self._write_lock:
            found = remote_write.plan(entry, parsed, self.fetchable)
            change = None if found.full else self._planned(entry, parsed, found)
            if change is None:
                log.info("the write reads the whole store: %s", found.full or "see remote_write")
                self._apply(*self._whole(entry, parsed))
            else:
                self._apply(*change)

    def _planned(
        self, entry: dict[str, Any], parsed: Update | None, found: remote_write.Plan
    ) -> tuple[set[Quad], set[Quad]] | None:
        """The change of a write computed from what it names; None when it needs the whole
        store after all (DELETE WHERE on the default graph of a union-default store)."""
        if found.where is not None:
            solutions = self._solutions(entry, found)
            if solutions is None:
                return None
            deleted, inserted = remote_write.filled(found.where, solutions)
            held = self._holders((s, p, o) for s, p, o, _ in deleted | inserted)
            return remote_write.exact(deleted, inserted, lambda q: q[3] in held[q[:3]])
        known = {(*t, name) for name in found.graphs for t in self._read(name)}
        held = self._holders(found.triples)
        known |= {(*t, g) for t, graphs in held.items() for g in graphs if self._asserted_graph(g)}
        return remote_write.local_change(entry, parsed, known, self._parse, self._source)

    def _solutions(
        self, entry: dict[str, Any], found: remote_write.Plan
    ) -> list[remote_write.Solution] | None:
        """The solutions of the one WHERE clause, evaluated by the remote store over the dataset
        the embedded stores use, skolem IRIs as blank nodes (the store's own blank nodes can
        never be addressed again: their solutions are left out)."""
        op = found.where
        if op is None:
            return None
        dataset = remote_write.where_dataset(op, entry, self.merged_graph, self._asserted_names)
        params: list[tuple[str, str]] = []
        if dataset is None:
            if not self._default_is_own():
                return None
        else:
            defaults, named = dataset
            hidden = [g for g in named if not self._asserted_graph(g)]
            if op.name == "DeleteWhere":
                if hidden:
                    return []  # a graph the store computes matches nothing, as when embedded
            elif op.using or entry.get("using") or entry.get("using_named"):
                defaults = [self._chosen(g, infer=False) for g in defaults]
                named = [self._chosen(g, infer=False) for g in named]
            if len(defaults) > 1:
                query = self.prepare(found.where_text)
                rows = self._merged_here(query, defaults, named, None).bindings
                return [remote_write.Solution(row) for row in rows]
            params = [("default-graph-uri", str(g)) for g in defaults]
            params += [("named-graph-uri", str(g)) for g in named]
        result = self.client.select(found.where_text, params)
        solutions = []
        for row in result.bindings:
            if any(isinstance(value, BNode) for value in row.values()):
                log.warning("a solution binds a blank node of the remote store; left out")
                continue
            solution = {var: self.skolem.deskolemize(value) for var, value in row.items()}
            solutions.append(remote_write.Solution(solution))
        return solutions

    def _asserted_names(self) -> list[URIRef]:
        return [g for g in self.graph_names() if g not in self.inferred_graphs.names]

    def _asserted_graph(self, name: URIRef | None) -> bool:
        """Whether a graph holds asserted triples (not a computed, system or state graph)."""
        if name is None:
            return True
        computed = (*self.computed_graphs, STATE_GRAPH)
        return name not in computed and not str(name).startswith(self.system_graphs)

    def _holders(self, triples: Iterable[tuple[Node, Node, Node]]) -> remote_write.Holders:
        """Every graph holding each triple (one query per few hundred triples)."""
        wanted = {t: next(iter(self.skolem.triples([t]))) for t in triples}
        found = remote_write.holders(
            self.client.select, wanted.values(), self.merged_graph, self._default_is_own()
        )
        return {t: found[sk] for t, sk in wanted.items()}

    def _whole(
        self, entry: dict[str, Any], parsed: Update | None
    ) -> tuple[set[Quad], set[Quad], bool]:
        """The change of a write computed on a local copy of every asserted quad: the path of
        the writes `remote_write.plan` cannot bound (DROP ALL, a WHERE after another
        operation, ...). The flag says whether the write leaves the store empty."""
        before = self._asserted()
        added, removed = remote_write.local_change(entry, parsed, before, self._parse, self._source)
        return added, removed, not (before - removed) and not added

    def _apply(self, added: set[Quad], removed: set[Quad], empty: bool = False) -> None:
        """Send the asserted change, the merge's change and the inferred graph's change as one
        request. A triple leaves the merge only when no asserted graph holds it any more. An
        `empty` store afterwards holds nothing, not even the state token."""
        if not added and not removed:
            return
        held = self._holders({q[:3] for q in added | removed})
        merge_added: set[tuple[Node, Node, Node]] = set()
        merge_removed: set[tuple[Node, Node, Node]] = set()
        for triple, graphs in held.items():
            after = {g for g in graphs if self._asserted_graph(g)}
            after -= {q[3] for q in removed if q[:3] == triple}
            after |= {q[3] for q in added if q[:3] == triple}
            if after and self.merged_graph not in graphs:
                merge_added.add(triple)
            elif not after and self.merged_graph in graphs:
                merge_removed.add(triple)
        current = set(removed) | {(*t, self.merged_graph) for t in merge_removed}
        wanted = set(added) | {(*t, self.merged_graph) for t in merge_added}
        token = None if empty else str(uuid.uuid4())
        delta = self._infer(merge_added, merge_removed)
        if delta is not None:
            routed = self.inferred_graphs.of
            if delta.reset:
                now = {(*t, g) for g in self.inferred_graphs.names for t in self._read(g)}
                then = {(*t, routed(t)) for t in delta.added}
                current |= now - then
                wanted |= then - now
            else:
                current |= {(*t, routed(t)) for t in delta.removed}
                wanted |= {(*t, routed(t)) for t in delta.added}
        self._send(current - wanted, wanted - current, token)
        self._written = token
        self._follow_graphs(wanted - current, current - wanted)
        if isinstance(self._reasoner, Tracking) and token is not None:
            self._reasoner.wrote(token)

    def _follow_graphs(self, added: set[Quad], removed: set[Quad]) -> None:
        """Keep the cached graph list current after a write through this process, instead of
        listing the store's graphs again (a scan of every quad on most stores): a graph written
        into exists, and a graph that lost quads is asked whether it still holds any."""
        if self._graphs is None:
            return
        names = set(self._graphs[1]) | {q[3] for q in added if q[3] is not None}
        emptied = {q[3] for q in removed if q[3] is not None} - {q[3] for q in added}
        if emptied:
            rows = self.client.select(remote_write.holding_query(sorted(emptied))).bindings
            names -= emptied - {row[Variable("g")] for row in rows}
        kept = [g for g in names if self._asserted_graph(g) or g in self.inferred_graphs.names]
        self._graphs = (self._graphs[0], sorted(kept))

    def _infer(
        self, added: set[tuple[Node, Node, Node]], removed: set[tuple[Node, Node, Node]]
    ) -> Delta | None:
        """The inferred graph's change for a change of the merge (None: no reasoner)."""
        if self._reasoner is None:
            return None
        try:
            if isinstance(self._reasoner, Neighbourhood):
                if self._token() != self._written:
                    self._reasoner.forget()  # another process wrote: the TBox may have changed
                delta = self._reasoner.change(added, removed)
                log.debug(
                    "reasoned in %d rounds over %d fetched triples",
                    self._reasoner.last_rounds,
                    self._reasoner.last_fetched,
                )
                return delta
            return self._reasoner.change(added, removed, self._token(), self._merge_triples)
        except Exception as error:
            log.exception("reasoning failed; the write is refused")
            raise ForbiddenOperation(
                f"the write was refused because reasoning failed: {error}"
            ) from error

    def _token(self) -> str | None:
        """The token of the state the store holds (None before cajkg's first write)."""
        result = self.client.select(
            f"SELECT ?token WHERE {{ GRAPH {STATE_GRAPH.n3()} {{ ?s ?p ?token }} }}"
        )
        tokens = [str(row[Variable("token")]) for row in result.bindings]
        return tokens[0] if len(tokens) == 1 else None

    def _merge_triples(self) -> Iterable[tuple[Node, Node, Node]]:
        return self._read(self.merged_graph)

    def _source(self, dataset: Dataset, iri: URIRef) -> Graph:
        return updates.graph_source(dataset, iri, self.fetchable)

    def _send(self, removed: set[Quad], added: set[Quad], token: str | None) -> None:
        """Remove and add the quads in one request, blank nodes as skolem IRIs, with the token
        of the state they make (None: no token)."""
        requests = [operations.delete_data(g, self._skolem(t)) for g, t in _by_graph(removed)]
        requests += [operations.insert_data(g, self._skolem(t)) for g, t in _by_graph(added)]
        if requests:
            requests.append(operations.drop(STATE_GRAPH))
            if token is not None:
                requests.append(operations.insert_data(STATE_GRAPH, [_state_triple(token)]))
            self.client.update(operations.sequence(*requests))
            notify(self.listeners, list(added), list(removed))

    def _skolem(self, triples: list[tuple[Node, Node, Node]]) -> list[tuple[Node, Node, Node]]:
        return list(self.skolem.triples(triples))


def _reads_named_graphs(text: str) -> bool:
    """Whether a (checked) query has a GRAPH pattern: only then do its named graphs matter, and
    sending thousands of graph names with every query costs more than the query."""
    return any(token[0] == "GRAPH" for token in _lex(text))


def _state_triple(token: str) -> tuple[Node, Node, Node]:
    return (STATE_GRAPH, STATE_GRAPH, Literal(token))


def _by_graph(quads: Iterable[Quad]) -> list[tuple[URIRef | None, list[tuple[Node, Node, Node]]]]:
    graphs: dict[URIRef | None, list[tuple[Node, Node, Node]]] = {}
    for s, p, o, g in quads:
        graphs.setdefault(g, []).append((s, p, o))
    return sorted(graphs.items(), key=lambda item: str(item[0] or ""))
