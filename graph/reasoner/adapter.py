"""The store-facing side: the one protocol a store calls (`Reasoner`: seed once, then each write's
asserted difference), the incremental reasoner that implements it natively, and `Recomputing`,
which puts any whole-graph function (owlrl's `cajkg.graph.reason.infer_with_owlrl`, the
reference the tests use) behind the same protocol by running it on every write.

A store that keeps the inferred graph it was given or computed can `resume` the reasoner from
it instead of seeding (which derives the closure again: 80 s at a million triples), when the
graph was computed by the same code: `FINGERPRINT` names that code."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from importlib import metadata, resources
from typing import Protocol, runtime_checkable

from rdflib import Dataset, Graph

from cajkg.graph.reason import InconsistencyError

from .delta import Delta
from .index import Decode, RDFTriple, ReadTriple, collector_paused
from .materializer import Materializer


def _fingerprint() -> str:
    """A digest of what decides the closure: this package, the noise rules of
    `cajkg.graph.reason`, and owlrl's version (its datatype tables)."""
    digest = hashlib.sha256(metadata.version("owlrl").encode())
    package = resources.files("cajkg.graph.reasoner")
    code = sorted((f for f in package.iterdir() if f.name.endswith(".py")), key=lambda f: f.name)
    for source in (*code, resources.files("cajkg.graph").joinpath("reason.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:24]


FINGERPRINT = _fingerprint()

# A whole-graph reasoner: the asserted Dataset in, the inferred Graph out.
Inference = Callable[[Dataset], Graph]


@runtime_checkable
class Reasoner(Protocol):
    """What a store calls on start and on every write."""

    # The code that computes this reasoner's inferred graphs (None: not known, never resumed).
    fingerprint: str | None

    def seed(self, triples: Iterable[ReadTriple], decode: Decode | None = None) -> Graph:
        """Start from the asserted triples (one per graph holding it); the inferred graph.
        Raises InconsistencyError when they are inconsistent. With `decode`, the triples hold
        another library's terms (a store's own), and `decode` gives their rdflib terms."""
        ...

    def resume(
        self,
        triples: Iterable[ReadTriple],
        inferred: Iterable[ReadTriple],
        decode: Decode | None = None,
    ) -> None:
        """Start from the asserted triples and the inferred graphs a reasoner of the same
        `fingerprint` computed for them (a store's own), without deriving them again."""
        ...

    def change(self, added: Iterable[RDFTriple], removed: Iterable[RDFTriple]) -> Delta:
        """Apply one write; raise (InconsistencyError) and change nothing when it cannot."""
        ...


class IncrementalReasoner:
    """The materializer behind the Reasoner protocol: a write costs time proportional to the
    change. Not thread-safe: a store calls it under its write lock."""

    fingerprint: str | None = FINGERPRINT

    def __init__(self) -> None:
        self.materializer: Materializer | None = None

    def seed(self, triples: Iterable[ReadTriple], decode: Decode | None = None) -> Graph:
        with collector_paused():
            self.materializer = Materializer(triples, decode=decode)
        if self.materializer.errors:
            raise InconsistencyError(self.materializer.errors)
        return self.materializer.inferred()

    def resume(
        self,
        triples: Iterable[ReadTriple],
        inferred: Iterable[ReadTriple],
        decode: Decode | None = None,
    ) -> None:
        with collector_paused():
            self.materializer = Materializer(triples, closure=inferred, decode=decode)

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
    runs the function on every write. What code the function is, is not known: a store
    always seeds it."""

    fingerprint: str | None = None

    def __init__(self, inference: Inference) -> None:
        self._inference = inference
        self._asserted: Counter[RDFTriple] = Counter()
        self._inferred: frozenset[RDFTriple] = frozenset()

    def seed(self, triples: Iterable[ReadTriple], decode: Decode | None = None) -> Graph:
        self._asserted = Counter(_decoded(triples, decode))
        graph = self._run(self._asserted)
        self._inferred = frozenset(graph)
        return graph

    def resume(
        self,
        triples: Iterable[ReadTriple],
        inferred: Iterable[ReadTriple],
        decode: Decode | None = None,
    ) -> None:
        self._asserted = Counter(_decoded(triples, decode))
        self._inferred = frozenset(_decoded(inferred, decode))

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


def _decoded(triples: Iterable[ReadTriple], decode: Decode | None) -> Iterable[RDFTriple]:
    if decode is None:
        return triples
    return ((decode(s), decode(p), decode(o)) for s, p, o in triples)


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
