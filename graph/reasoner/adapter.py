"""The store-facing side: the one protocol a store calls (`Reasoner`: seed once, then each write's
asserted difference), the incremental reasoner that implements it natively, and `Recomputing`,
which puts any whole-graph function (owlrl's `cajkg.graph.reason.infer_with_owlrl`, the
reference the tests use) behind the same protocol by running it on every write."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from rdflib import Dataset, Graph

from cajkg.graph.reason import InconsistencyError

from .delta import Delta
from .index import RDFTriple
from .materializer import Materializer

# A whole-graph reasoner: the asserted Dataset in, the inferred Graph out.
Inference = Callable[[Dataset], Graph]


@runtime_checkable
class Reasoner(Protocol):
    """What a store calls on start and on every write."""

    def seed(self, triples: Iterable[RDFTriple]) -> Graph:
        """Start from the asserted triples (one per graph holding it); the inferred graph.
        Raises InconsistencyError when they are inconsistent."""
        ...

    def change(self, added: Iterable[RDFTriple], removed: Iterable[RDFTriple]) -> Delta:
        """Apply one write; raise (InconsistencyError) and change nothing when it cannot."""
        ...


class IncrementalReasoner:
    """The materializer behind the Reasoner protocol: a write costs time proportional to the
    change. Not thread-safe: a store calls it under its write lock."""

    def __init__(self) -> None:
        self.materializer: Materializer | None = None

    def seed(self, triples: Iterable[RDFTriple]) -> Graph:
        self.materializer = Materializer(triples)
        if self.materializer.errors:
            raise InconsistencyError(self.materializer.errors)
        return self.materializer.inferred()

    def change(self, added: Iterable[RDFTriple], removed: Iterable[RDFTriple]) -> Delta:
        if self.materializer is None:
            raise RuntimeError("seed the reasoner first")
        added, removed = list(added), list(removed)
        gone = self.materializer.remove(removed)
        try:
            came = self.materializer.add(added)
        except InconsistencyError:
            self.materializer.add(removed)
            raise
        return gone.then(came, self.materializer.inferred_triples)


class Recomputing:
    """A whole-graph function behind the Reasoner protocol: it keeps the asserted triples and
    runs the function on every write."""

    def __init__(self, inference: Inference) -> None:
        self._inference = inference
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
        return self._inference(dataset)


def as_reasoner(reasoner: Reasoner | Inference) -> Reasoner:
    """The one protocol stores use; a whole-graph function is wrapped in `Recomputing`."""
    if isinstance(reasoner, Reasoner):
        return reasoner
    return Recomputing(reasoner)


def infer(asserted: Dataset) -> Graph:
    """Drop-in for `cajkg.graph.reason.infer_with_owlrl`: the same inferred graph, computed
    incrementally."""
    materializer = Materializer.from_dataset(asserted)
    if materializer.errors:
        raise InconsistencyError(materializer.errors)
    return materializer.inferred()
