"""The reasoner as the embedded stores use it: seeded once, then fed each write's difference.

`IncrementalReasoner` (cajkg.graph.incremental) does this natively, in time proportional to the
change. Any other reasoner (a function from the asserted Dataset to the inferred Graph, such as
owlrl's `cajkg.graph.reason.infer`, the reference the tests use) is wrapped in `Recomputing`,
which keeps the asserted triples and runs the function on every write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Protocol

from rdflib import Dataset, Graph

from cajkg.graph.incremental import Delta, IncrementalReasoner

from .terms import RDFTriple

Reasoner = Callable[[Dataset], Graph]


class DeltaReasoner(Protocol):
    """What an embedded store calls on start and on every write."""

    def seed(self, triples: Iterable[RDFTriple]) -> Graph:
        """Start from the asserted triples (one per graph holding it); the inferred graph."""
        ...

    def change(self, added: Iterable[RDFTriple], removed: Iterable[RDFTriple]) -> Delta:
        """Apply one write; raise (InconsistencyError) and change nothing when it cannot."""
        ...


class Recomputing:
    """A whole-graph reasoner behind the DeltaReasoner interface."""

    def __init__(self, reasoner: Reasoner) -> None:
        self._reasoner = reasoner
        self._asserted: Counter[RDFTriple] = Counter()
        self._inferred: frozenset[RDFTriple] = frozenset()

    def seed(self, triples: Iterable[RDFTriple]) -> Graph:
        self._asserted = Counter(triples)
        graph = self._run(self._asserted)
        self._inferred = frozenset(graph)
        return graph

    def change(self, added: Iterable[RDFTriple], removed: Iterable[RDFTriple]) -> Delta:
        asserted = self._asserted - Counter(removed) + Counter(added)
        inferred = frozenset(self._run(asserted))
        delta = Delta(inferred - self._inferred, self._inferred - inferred)
        self._asserted, self._inferred = asserted, inferred
        return delta

    def _run(self, asserted: Counter[RDFTriple]) -> Graph:
        dataset = Dataset()
        graph = dataset.graph("urn:x-cajkg:asserted")
        graph.addN((s, p, o, graph) for s, p, o in asserted)
        return self._reasoner(dataset)


def delta_reasoner(reasoner: Reasoner | DeltaReasoner) -> DeltaReasoner:
    """The reasoner as a DeltaReasoner (IncrementalReasoner already is one)."""
    if isinstance(reasoner, IncrementalReasoner):
        return reasoner
    return Recomputing(reasoner)  # type: ignore[arg-type]
