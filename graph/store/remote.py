"""Any SPARQL 1.1 Query + Update server as the store, through SPARQLWrapper.

Dataset: the remote store must answer a query without FROM from the union of its named graphs
(`union_default=True`: Oxigraph `--union-default-graph`, Fuseki `tdb2:unionDefaultGraph true`,
GraphDB and Virtuoso by default); that is the dataset with inference. Without inference, and for
stores without a union default graph, cajkg lists the graphs and sends them as default-graph-uri
and named-graph-uri, leaving out `cjg:inferred`. Graph lists are cached for `graphs_ttl` seconds.

Blank nodes: SPARQL Update gives every request its own blank nodes, so a blank node written in
one batch could never be met again by the next one, nor by the inferred graph. cajkg therefore
writes blank nodes as skolem IRIs (`BASE .well-known/genid/<label>`, RDF 1.1 §3.5) and turns
them back into blank nodes in every answer.

Writes through cajkg keep `cjg:inferred` current: the asserted quads are read before and after
the write, the reasoner runs on them, and only the difference to the stored inferred graph is
sent, in one request. Readers of the remote store may see the new asserted facts a moment
before their inferences. When reasoning fails the write is undone. The timeout is enforced by
cajkg on the client side (configure the server's own timeout too, so that it stops the work).
"""

from __future__ import annotations

import io
import json
import logging
import math
import threading
import time
import urllib.error
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from cajkg.graph.iris import DEFAULT_BASE, G_INFERRED, PREFIXES

from . import operations
from .base import (
    ForbiddenOperation,
    Prepared,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from .deadline import Deadlines
from .reasoning import Reasoner

log = logging.getLogger(__name__)

Quad = tuple[Node, Node, Node, URIRef]

_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
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
        return Result.parse(io.BytesIO(body), format="json")

    def construct(
        self, text: str, params: Sequence[tuple[str, str]] = (), timeout: float | None = None
    ) -> Graph:
        """A CONSTRUCT or DESCRIBE query's graph."""
        body = self.request(text, accept=_NTRIPLES, params=params, timeout=timeout)
        graph = Graph()
        graph.parse(data=body, format="nt")
        return graph

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
        reasoner: Reasoner | None = None,
        inferred_graph: URIRef = G_INFERRED,
        union_default: bool = True,
        skolem: Skolem | None = None,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        graphs_ttl: float = 5.0,
        workers: int = 4,
    ) -> None:
        self.client = client
        self.inferred_graph = inferred_graph
        self.union_default = union_default
        self.skolem = skolem or Skolem()
        self.fetchable = tuple(fetchable)
        self.services = tuple(services)
        self.graphs_ttl = graphs_ttl
        self.deadlines = Deadlines(workers)
        self._reasoner = reasoner
        self._write_lock = threading.Lock()
        self._graphs: tuple[float, list[URIRef]] | None = None

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
        infer: bool = True,
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
        elif not infer or not self.union_default:
            visible = [g for g in self.graph_names() if infer or g != self.inferred_graph]
            defaults = named = tuple(visible)
        params = [("default-graph-uri", str(g)) for g in defaults]
        params += [("named-graph-uri", str(g)) for g in named]
        return self.deadlines.run(lambda: self._evaluate(query, params, timeout, max_rows), timeout)

    def graph_names(self) -> list[URIRef]:
        """The remote store's named graphs, cached for graphs_ttl seconds."""
        now = time.monotonic()
        if self._graphs is None or now - self._graphs[0] > self.graphs_ttl:
            self._graphs = (now, self.client.graph_names())
        return self._graphs[1]

    def _chosen(self, iri: URIRef, infer: bool) -> URIRef:
        if (infer or iri != self.inferred_graph) and iri in self.graph_names():
            return iri
        raise operations.not_a_graph(iri)

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
            parsed = Graph()
            parsed.parse(data=body, format="nt")
            if max_rows is not None and len(parsed) > max_rows:
                raise ResultTooLarge(f"the result has more than {max_rows} triples; add a LIMIT")
            for triple in self.skolem.triples(parsed, back=True):
                graph.add(triple)
            result.graph = graph
            return result
        if query.form == "ASK":
            result.askAnswer = bool(json.loads(body)["boolean"])
            return result
        parsed_result = Result.parse(io.BytesIO(body), format="json")
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
        """Send the update (after cajkg's checks), then bring the inferred graph up to date.

        WHERE clauses read the union of the asserted graphs, as on the embedded stores: when
        the request names no graphs and no operation has USING or WITH, cajkg sends every
        asserted graph as using-graph-uri (the remote default graph would hold inferences).
        `timeout` is left to the remote server's own limit: giving up on the client side could
        leave a write applied there without its inferences."""
        parsed = operations.inspect_update(
            text,
            base=base,
            protected=self.inferred_graph,
            fetchable=self.fetchable,
            services=self.services,
            using=bool(using_graphs or using_named_graphs),
        )
        if base:
            text = f"BASE {URIRef(base).n3()}\n{text}"
        if (
            not (using_graphs or using_named_graphs)
            and any(
                op.name == "Modify" and not (op.using or op.withClause) for op in parsed.algebra
            )
            and not any(op.using or op.withClause for op in parsed.algebra)
        ):
            using_graphs = [g for g in self.client.graph_names() if g != self.inferred_graph]
        params = [("using-graph-uri", str(g)) for g in using_graphs]
        params += [("using-named-graph-uri", str(g)) for g in using_named_graphs]
        self._write(text, params)

    def graph(self, name: URIRef | None) -> Graph | None:
        """A copy of one graph; None asks for triples that are in no named graph."""
        if name is not None:
            pattern = f"GRAPH {name.n3()} {{ ?s ?p ?o }}"
        elif self.union_default:
            pattern = "?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } }"
        else:
            pattern = "?s ?p ?o"
        found = self.client.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}")
        if name is not None and not len(found):
            return None
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in self.skolem.triples(found, back=True):
            graph.add(triple)
        return graph

    def replace_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store PUT as DROP + INSERT DATA in one request."""
        created = self._check_graph(name)
        triples = list(self.skolem.triples(data))
        self._write(
            operations.sequence(operations.drop(name), operations.insert_data(name, triples))
        )
        return created

    def add_to_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store POST as INSERT DATA."""
        created = self._check_graph(name)
        self._write(operations.insert_data(name, list(self.skolem.triples(data))))
        return created

    def drop_graph(self, name: URIRef | None) -> bool:
        """Graph Store DELETE; False when there was no such graph."""
        if self._check_graph(name):
            return False
        self._write(operations.drop(name))
        return True

    def ready(self) -> bool:
        """Always: the remote server holds the data and cajkg has nothing to warm."""
        return True

    def close(self) -> None:
        """Nothing to release: every request opens its own connection."""

    def _check_graph(self, name: URIRef | None) -> bool:
        """Refuse the inferred graph; True when a named graph does not exist yet."""
        if name == self.inferred_graph:
            raise ForbiddenOperation(
                f"{self.inferred_graph.n3()} is computed by the reasoner and cannot be written"
            )
        self._graphs = None
        return name is not None and name not in self.graph_names()

    def _asserted(self) -> set[Quad]:
        graphs = [g for g in self.client.graph_names() if g != self.inferred_graph]
        return self.client.quads(graphs)

    def _write(self, text: str, params: Sequence[tuple[str, str]] = ()) -> None:
        """Send a write, then the inferred graph's difference; undo the write if reasoning
        fails. One writer at a time (through this process)."""
        with self._write_lock:
            before = self._asserted() if self._reasoner else set()
            self.client.update(text, params)
            self._graphs = None
            if self._reasoner is None:
                return
            after = self._asserted()
            if after == before:
                return
            try:
                inferred = self._reasoner(_dataset(after))
            except Exception as error:
                log.exception("reasoning failed; undoing the write on the remote store")
                self._send_difference(after, before)
                raise ForbiddenOperation(
                    f"the write was refused because reasoning failed: {error}"
                ) from error
            current = self.client.quads([self.inferred_graph])
            wanted = {(s, p, o, self.inferred_graph) for s, p, o in inferred}
            self._send_difference(current, wanted)

    def _send_difference(self, current: set[Quad], wanted: set[Quad]) -> None:
        """Turn `current` into `wanted` in one request; blank nodes cannot be addressed."""
        removed = _addressable(current - wanted)
        added = _addressable(wanted - current)
        skipped = len(current ^ wanted) - len(removed) - len(added)
        if skipped:
            log.warning("%d quads with remote blank nodes cannot be written back", skipped)
        requests = [operations.delete_data(g, triples) for g, triples in _by_graph(removed)]
        requests += [operations.insert_data(g, triples) for g, triples in _by_graph(added)]
        if requests:
            self.client.update(operations.sequence(*requests))


def _addressable(quads: Iterable[Quad]) -> list[Quad]:
    return [q for q in quads if not any(isinstance(t, BNode) for t in q)]


def _by_graph(quads: Iterable[Quad]) -> list[tuple[URIRef, list[tuple[Node, Node, Node]]]]:
    graphs: dict[URIRef, list[tuple[Node, Node, Node]]] = {}
    for s, p, o, g in quads:
        graphs.setdefault(g, []).append((s, p, o))
    return sorted(graphs.items())


def _dataset(quads: Iterable[Quad]) -> Dataset:
    dataset = Dataset()
    for s, p, o, g in quads:
        dataset.graph(g).add((s, p, o))
    return dataset
