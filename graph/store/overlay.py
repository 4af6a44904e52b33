"""A write in progress over an Oxigraph store, seen through rdflib without copying anything.

rdflib's SPARQL Update machinery (and the Graph Store operations) run against an rdflib Dataset
whose store is an `Overlay`: reads go to Oxigraph's indexes, writes are kept aside as quads to add
and quads to remove. When the write is done the embedded store knows exactly what changed (for
the incremental reasoner and for one atomic apply) and Oxigraph has not been touched; a failed
write is simply dropped. The graphs the store computes (the inferred graph, the merge of the
asserted graphs) are invisible here, so the WHERE clauses of updates read the merge of the
asserted graphs, and DROP ALL leaves inferences to the reasoner.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.store import Store
from rdflib.term import Node

from . import updates
from .base import ForbiddenOperation
from .operations import computed
from .terms import from_ox, graph_name, rdflib_name, to_ox, triple_of

Pattern = tuple[Node | None, Node | None, Node | None]


def _pattern(triple: Pattern) -> tuple[Any, Any, Any]:
    s, p, o = triple
    return (
        None if s is None else to_ox(s),
        None if p is None else to_ox(p),
        None if o is None else to_ox(o),
    )


def _fits(quad: Any, s: Any, p: Any, o: Any, g: Any) -> bool:
    return (
        (s is None or quad.subject == s)
        and (p is None or quad.predicate == p)
        and (o is None or quad.object == o)
        and (g is None or quad.graph_name == g)
    )


def _name(context: Graph | None) -> Any:
    """The Oxigraph graph name of an rdflib context (None: every graph)."""
    return None if context is None else graph_name(context.identifier)


class Overlay(Store):
    """An rdflib Store: Oxigraph's quads minus `removed` plus `added`, `hidden` graphs left out."""

    context_aware = True
    graph_aware = True

    def __init__(self, engine: ox.Store, hidden: frozenset[Any]) -> None:
        super().__init__()
        self._engine: ox.Store | None = engine
        self._hidden = hidden
        self.added: set[Any] = set()
        self.removed: set[Any] = set()

    def detach(self) -> None:
        """Let go of the engine: rdflib's graphs form reference cycles that outlive the write,
        and an on-disk Oxigraph store must be released when the store is closed."""
        self._engine = None

    def dataset(self) -> Dataset:
        """An rdflib Dataset over this overlay; its default graph is the store's own."""
        return Dataset(store=self, default_union=True)

    def _quads(self, s: Any, p: Any, o: Any, g: Any) -> Iterator[Any]:
        for quad in self._engine.quads_for_pattern(s, p, o, g):
            if quad.graph_name not in self._hidden and quad not in self.removed:
                yield quad
        for quad in list(self.added):
            if _fits(quad, s, p, o, g):
                yield quad

    def triples(self, triple_pattern: Pattern, context: Graph | None = None) -> Iterator[Any]:
        """Matching triples, each once, with the graphs that hold it."""
        found: dict[Any, list[Any]] = {}
        for quad in self._quads(*_pattern(triple_pattern), _name(context)):
            found.setdefault(ox.Triple(quad.subject, quad.predicate, quad.object), []).append(
                quad.graph_name
            )
        for triple, names in found.items():
            yield triple_of(triple), iter([self._context(n) for n in names])

    def __len__(self, context: Graph | None = None) -> int:
        return sum(1 for _ in self.triples((None, None, None), context))

    def contexts(self, triple: Pattern | None = None) -> Iterator[Graph]:
        """The graphs holding at least one visible quad (matching `triple` if given)."""
        names: dict[Any, None] = {}
        for quad in self._quads(*_pattern(triple or (None, None, None)), None):
            names.setdefault(quad.graph_name, None)
        for name in names:
            yield self._context(name)

    def _context(self, name: Any) -> Graph:
        identifier = rdflib_name(name)
        return Graph(store=self, identifier=identifier or DATASET_DEFAULT_GRAPH_ID)

    def add(
        self, triple: tuple[Node, Node, Node], context: Graph | None, quoted: bool = False
    ) -> None:
        s, p, o = triple
        quad = ox.Quad(
            to_ox(s),
            to_ox(p),
            to_ox(o),
            graph_name(None if context is None else context.identifier),
        )
        if quad.graph_name in self._hidden:
            raise ForbiddenOperation(computed(from_ox(quad.graph_name)))
        if quad in self.removed:
            self.removed.discard(quad)
        elif quad not in self._engine:
            self.added.add(quad)

    def addN(self, quads: Any) -> None:
        for s, p, o, context in quads:
            self.add((s, p, o), context)

    def remove(self, triple: Pattern, context: Graph | None = None) -> None:
        for quad in list(self._quads(*_pattern(triple), _name(context))):
            if quad in self.added:
                self.added.discard(quad)
            else:
                self.removed.add(quad)

    def add_graph(self, graph: Graph) -> None:
        """Graphs exist while they hold quads: nothing to record."""

    def remove_graph(self, graph: Graph) -> None:
        self.remove((None, None, None), graph)


def changes(
    engine: ox.Store,
    hidden: frozenset[Any],
    entry: dict[str, Any],
    parse: updates.Parser,
    source: updates.Source,
) -> tuple[set[Any], set[Any]]:
    """The quads a write (a journal entry) adds to and removes from `engine`, computed without
    touching it."""
    overlay = Overlay(engine, hidden)
    try:
        updates.apply_entry(overlay.dataset(), entry, parse, source)
    finally:
        overlay.detach()
    return overlay.added, overlay.removed
