"""The store contract that the HTTP layer relies on, and the errors it maps to statuses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.query import Result


class StoreError(Exception):
    """A failure inside the store (HTTP 500)."""


class QuerySyntaxError(StoreError):
    """The query or update text does not parse (HTTP 400); the message names the position."""


class ForbiddenOperation(StoreError):
    """The request asks for what the operator has not allowed: SERVICE, LOAD, file: (400)."""


class QueryTimeout(StoreError):
    """The query ran past its deadline and was stopped (HTTP 503)."""


class ReadOnly(StoreError):
    """The store refuses writes (HTTP 403)."""


class Store(Protocol):
    """What every store offers; the server never touches rdflib or pyoxigraph directly."""

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[URIRef] = (),
        named_graphs: Sequence[URIRef] = (),
        infer: bool = True,
        timeout: float | None = None,
    ) -> Result:
        """Run a SPARQL query; with infer=False the inferred graph is left out."""
        ...

    def update(
        self,
        text: str,
        *,
        using_graphs: Sequence[URIRef] = (),
        using_named_graphs: Sequence[URIRef] = (),
    ) -> None:
        """Apply a SPARQL update atomically and durably, inferences recomputed before return."""
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

    def close(self) -> None:
        """Release files and connections."""
        ...
