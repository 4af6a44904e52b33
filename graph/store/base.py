"""The store contract that the HTTP layer relies on, and the errors it maps to statuses."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rdflib import Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

from cajkg.graph.inferred import Infer

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # operations imports this module
    from .operations import QueryPlan

# The graphs a remote store keeps for itself, which are not data (prefixes): Virtuoso's.
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/ns/ldp#",
    "http://localhost:8890/",
)


# One changed quad: subject, predicate, object, graph (None: the store's own default graph).
ChangedQuad = tuple[Node, Node, Node, URIRef | None]
# Called after a write is applied, before the writer returns: (added, removed) quads, computed
# graphs (the merge, the inferred graph) included. It runs under the store's write lock, so it
# must be quick and must not query the store (the search index only notes the subjects).
ChangeListener = Callable[[list[ChangedQuad], list[ChangedQuad]], None]


def notify(
    listeners: Sequence[ChangeListener], added: list[ChangedQuad], removed: list[ChangedQuad]
) -> None:
    """Tell every listener of an applied change; a failing listener is logged, never undoes or
    fails the write (it is durable already)."""
    for listener in listeners:
        try:
            listener(added, removed)
        except Exception:
            log.exception("a change listener failed")


class StoreError(Exception):
    """A failure inside the store (HTTP 500)."""


class QuerySyntaxError(StoreError):
    """The query or update text does not parse (HTTP 400); the message names the position."""


class ForbiddenOperation(StoreError):
    """The request asks for something the operator has not allowed (HTTP 400).

    SERVICE, LOAD, FROM/USING of a graph that is not in the store, both protocol and query
    datasets on an update, writes to the computed inferred graph.
    """


class QueryTimeout(StoreError):
    """The query ran past its deadline and was stopped, or never got a worker (HTTP 503)."""


class ResultTooLarge(StoreError):
    """The result has more rows or triples than the operator allows (HTTP 400: add LIMIT)."""


class ReadOnly(StoreError):
    """The store refuses writes (HTTP 403)."""


@dataclass(frozen=True)
class Prepared:
    """A parsed query: its form is known before anything is evaluated, so 406 comes first."""

    text: str
    form: str
    parsed: QueryPlan
    base: str | None = None  # the service's base IRI, for relative IRIs in the query


class Store(Protocol):
    """What every store offers; the server never touches rdflib or pyoxigraph directly."""

    def prepare(self, text: str, base: str | None = None) -> Prepared:
        """Parse a query (relative IRIs against `base`); form is SELECT, ASK, CONSTRUCT or
        DESCRIBE."""
        ...

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
        """Run a query (text or prepared) to completion; infer=False leaves cjg:inferred out,
        infer="full" adds cjg:inferred-schema to the default graph (`cajkg.graph.inferred`).

        Protocol graphs (default-graph-uri, named-graph-uri) replace the query's FROM clauses.
        """
        ...

    def update(
        self,
        text: str,
        *,
        using_graphs: Sequence[URIRef] = (),
        using_named_graphs: Sequence[URIRef] = (),
        base: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Apply a SPARQL update atomically and durably, inferences recomputed before return;
        an update whose WHERE runs past `timeout` is stopped and changes nothing."""
        ...

    def graph(self, name: URIRef | None) -> Graph | None:
        """A copy of one graph (None: the default graph); None when the graph does not exist."""
        ...

    def replace_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store PUT; True when the graph was created."""
        ...

    def add_to_graph(self, name: URIRef | None, data: Graph) -> bool:
        """Graph Store POST; True when the graph was created."""
        ...

    def drop_graph(self, name: URIRef | None) -> bool:
        """Graph Store DELETE; False when there was no such graph."""
        ...

    def ready(self) -> bool:
        """False while the store is still warming up after start (it answers meanwhile)."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...
