"""Reasoning from the neighbourhood of a change, for a store that keeps its data elsewhere.

The sparql store must not hold the asserted graph in cajkg's process. For each write the
reasoner gets the TBox (the schema triples of the merge, compiled once and kept until a write
touches the schema or another process wrote) and, from the store, only the triples (asserted
and inferred) that the rules look at while they follow the change:

- a `Materializer` runs over a `LazyIndex` that holds the closure triples fetched so far. Every
  lookup the rules make (a subject's objects for a predicate, a predicate's subjects for an
  object, everything around a node, every pair of a predicate) is recorded when its triples
  have not been fetched;
- after a run that recorded such lookups, they are fetched (one request) and the run starts
  again from the unchanged neighbourhood; the run whose lookups were all answered from fetched
  triples is the exact one, because the store's inferred graph is the closure of its merge.

What it does not follow, detected explicitly, makes it compute the whole closure from the whole
merge instead (`Neighbourhood.full`): a change of the schema, a construct the materializer
leaves to owlrl, a predicate looked up as a whole that has more than `limit` triples, or more
than `rounds` rounds. Consistency: the checks see the triples a write touches, as in the
embedded stores; the datatypes in use (which decide only datatype disjointness) are those of
the neighbourhood.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib.term import Node

from cajkg.graph.reason import InconsistencyError

from .delta import Delta
from .index import Index, RDFTriple, Triple
from .materializer import Materializer

Out = tuple[int, int | None]  # a subject's triples, of one predicate or (None) all
In = tuple[int | None, int]  # an object's triples, of one predicate or (None) all


@dataclass
class Fetched:
    """What the store answered: closure triples, asserted or inferred; the predicates asked
    for as a whole that have more triples than the limit (`partial`: only `limit` of them
    came), and the predicates asked about that some triple uses."""

    asserted: list[RDFTriple] = field(default_factory=list)
    inferred: list[RDFTriple] = field(default_factory=list)
    partial: set[Node] = field(default_factory=set)
    used: set[Node] = field(default_factory=set)


@dataclass
class Lookups:
    """What a run looked up and was not fetched: triples with these subjects (and predicates;
    None: any), with these objects (and predicates), with these predicates (at most `limit`
    each), and whether some triple has each of the predicates `uses`."""

    outgoing: list[tuple[Node, Node | None]]
    incoming: list[tuple[Node | None, Node]]
    predicates: list[Node]
    uses: list[Node]
    limit: int


class Source(Protocol):
    """The store side: where the merge and the inferred graph are."""

    def schema_triples(self) -> Iterable[RDFTriple]:
        """The merge's schema triples (the predicates and classes the materializer treats as
        schema, and every RDF list)."""
        ...

    def closure_around(self, lookups: Lookups) -> Fetched:
        """The merge's and the inferred graph's triples the lookups ask for."""
        ...

    def merge_triples(self) -> Iterable[RDFTriple]:
        """The whole merge (for the changes this module does not follow)."""
        ...


class _Recording(dict[int, Any]):
    """One of the index's maps, read directly by some rules: a lookup is recorded. `exists`
    answers `key in map` (is there any triple with this predicate?) without the triples."""

    def __init__(
        self, touch: Callable[[int], None], exists: Callable[[int], bool] | None = None
    ) -> None:
        super().__init__()
        self._touch = touch
        self._exists = exists

    def get(self, key: int, default: Any = None) -> Any:
        self._touch(key)
        return super().get(key, default)

    def __getitem__(self, key: int) -> Any:
        self._touch(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if self._exists is not None:
            return super().__contains__(key) or self._exists(key)  # type: ignore[arg-type]
        self._touch(key)  # type: ignore[arg-type]
        return super().__contains__(key)


class LazyIndex(Index):
    """An Index over the fetched part of a closure that records every lookup of triples not
    fetched yet (`missing`)."""

    def __init__(self, known: Neighbourhood) -> None:
        super().__init__()
        self.known = known
        self.quiet = False
        self.missing_out: set[Out] = set()
        self.missing_in: set[In] = set()
        self.missing_predicates: set[int] = set()
        self.missing_uses: set[int] = set()
        self.spo = _Recording(lambda s: self._out(s, None))
        self.pos = _Recording(self._predicate, self._used)
        self.osp = _Recording(lambda o: self._in(None, o))
        # The keys whose entries are this index's own: the others may still be the TBox's,
        # shared with the compiled base and copied on the first write (`_own`).
        self._owned: tuple[set[int], set[int], set[int]] = (set(), set(), set())

    def share(self, base: Index) -> None:
        """Start from `base`'s triples without copying them: each run starts from the TBox,
        and copying its index every run cost more than the rules (4 ms a run on the seed)."""
        for mine, theirs in ((self.spo, base.spo), (self.pos, base.pos), (self.osp, base.osp)):
            dict.update(mine, theirs)
        self.size = base.size

    def _own(self, t: Triple) -> None:
        """Copy the shared entries that adding or discarding t changes (copy on write)."""
        for mine, owned, key in zip((self.spo, self.pos, self.osp), self._owned, t, strict=True):
            if key not in owned:
                owned.add(key)
                inner = dict.get(mine, key)
                if inner is not None:
                    dict.__setitem__(mine, key, {b: set(c) for b, c in inner.items()})

    @property
    def missing(self) -> bool:
        return bool(
            self.missing_out or self.missing_in or self.missing_predicates or self.missing_uses
        )

    def _used(self, p: int) -> bool:
        """Whether the closure has a triple with predicate p (asked of the store once)."""
        if self.quiet:
            return False
        used = self.known.uses.get(p)
        if used is None:
            self.missing_uses.add(p)
        return bool(used)

    @contextmanager
    def unrecorded(self) -> Iterator[None]:
        self.quiet = True
        try:
            yield
        finally:
            self.quiet = False

    def _out(self, s: int, p: int | None) -> None:
        if not self.quiet and not self.known.has_out(s, p):
            self.missing_out.add((s, p))

    def _in(self, p: int | None, o: int) -> None:
        if not self.quiet and not self.known.has_in(p, o):
            self.missing_in.add((p, o))

    def _predicate(self, p: int) -> None:
        if not self.quiet and not self.known.has_predicate(p):
            self.missing_predicates.add(p)

    def add(self, t: Triple) -> bool:
        self._own(t)
        with self.unrecorded():
            return super().add(t)

    def discard(self, t: Triple) -> None:
        self._own(t)
        with self.unrecorded():
            super().discard(t)

    def __contains__(self, t: Triple) -> bool:
        self._out(t[0], t[1])
        with self.unrecorded():
            return super().__contains__(t)

    def objects(self, s: int, p: int) -> set[int] | tuple[()]:
        self._out(s, p)
        with self.unrecorded():
            return super().objects(s, p)

    def subjects(self, p: int, o: int) -> set[int] | tuple[()]:
        self._in(p, o)
        with self.unrecorded():
            return super().subjects(p, o)

    def pairs(self, p: int) -> Iterator[tuple[int, int]]:
        """The fetched pairs first: a caller that stops early (is p still used?) may need no
        more; one that wants them all records the predicate."""
        with self.unrecorded():
            found = list(super().pairs(p))
        yield from found
        self._predicate(p)

    def around(self, node: int) -> Iterator[Triple]:
        self._out(node, None)
        self._in(None, node)
        with self.unrecorded():
            found = list(super().around(node))
        return iter(found)


class Neighbourhood:
    """The incremental reasoner's rules over the part of a store's closure a change reaches."""

    def __init__(
        self, source: Source, limit: int = 5000, rounds: int = 32, max_terms: int = 200_000
    ) -> None:
        self.source = source
        self.max_terms = max_terms
        self.limit = limit
        self.rounds = rounds
        self.base: Materializer | None = None  # the TBox, compiled
        self._base_asserted: set[Triple] = set()
        self._closure: set[Triple] = set()  # fetched closure triples (asserted and inferred)
        self._asserted: set[Triple] = set()
        self._out: set[Out] = set()
        self._in: set[In] = set()
        self._predicates: set[int] = set()
        self._partial: set[int] = set()  # predicates fetched up to the limit only
        # whether the closure has a triple with the predicate; kept across writes (until
        # `forget`) but for the predicates a write changes
        self.uses: dict[int, bool] = {}
        self.last_rounds = 0  # how many runs the last change took (for tests and logs)
        self.last_fetched = 0  # how many closure triples it fetched

    # -- what has been fetched -------------------------------------------------------------------

    def has_out(self, s: int, p: int | None) -> bool:
        return (
            (s, p) in self._out
            or (s, None) in self._out
            or (p is not None and (p in self._predicates or self._schema_predicate(p)))
        )

    def has_in(self, p: int | None, o: int) -> bool:
        if (p, o) in self._in or (None, o) in self._in:
            return True
        return p is not None and (p in self._predicates or self._schema_predicate(p, o))

    def has_predicate(self, p: int) -> bool:
        return p in self._predicates or self._schema_predicate(p)

    def _schema_predicate(self, p: int, o: int | None = None) -> bool:
        """Triples the TBox holds all of: schema predicates, RDF lists, `x rdf:type META`."""
        assert self.base is not None
        schema, v = self.base.schema, self.base.terms
        return (
            p in schema.predicates
            or p in (v.FIRST, v.REST)
            or (p == v.TYPE and o is not None and o in schema.meta)
        )

    # -- the protocol the remote store calls ------------------------------------------------------

    def forget(self) -> None:
        """Drop the compiled TBox (another process wrote, or a write changed the schema)."""
        self.base = None
        self.uses = {}

    def change(self, added: Iterable[RDFTriple], removed: Iterable[RDFTriple]) -> Delta:
        """The inferred graph's change for one change of the merge."""
        added, removed = list(added), list(removed)
        if not added and not removed:
            return Delta()
        if self.base is not None and len(self.base.terms.terms) > self.max_terms:
            self.forget()  # the interned terms of past writes: compile the TBox afresh
        if self.base is None:
            self.base = self._compile()
        base = self.base
        encode, schema = base.terms.encode, base.schema
        touched = [encode(t) for t in (*added, *removed)]
        if base.mode != "incremental" or any(
            schema.is_schema(t) or t[1] in schema.uncompiled for t in touched
        ):
            return self.full(added, removed)
        self._closure, self._asserted = set(), set()
        self._out, self._in, self._predicates = set(), set(), set()
        self._partial = set()
        wanted = LazyIndex(self)
        for s, _, o in touched:  # an object's other subjects can be many (a country's places)
            wanted.missing_out |= {(s, None), (o, None)}
            wanted.missing_in.add((None, s))
        self.last_fetched = 0
        for run in range(self.rounds):
            if not self._fetch(wanted):
                return self.full(added, removed)
            local = self._local()
            error: InconsistencyError | None = None
            try:
                gone = local.remove(removed)
                came = local.add(added)
            except InconsistencyError as failure:
                error = failure
            if local.mode != "incremental" or local._rebuilt:
                return self.full(added, removed)
            wanted = local.idx  # type: ignore[assignment]
            if not wanted.missing:
                self.last_rounds = run + 1
                if error is not None:
                    raise error
                delta = gone.then(came, local.inferred_triples)
                for t in (*added, *removed, *delta.added, *delta.removed):
                    self.uses.pop(base.terms.id(t[1]), None)
                return delta
        return self.full(added, removed)

    def full(self, added: list[RDFTriple], removed: list[RDFTriple]) -> Delta:
        """The whole closure from the whole merge: a reset Delta (the whole inferred graph)."""
        self.forget()
        self.last_rounds = 0
        whole = Materializer(self.source.merge_triples())
        start = set(whole.inferred_triples())
        if whole.errors:
            raise InconsistencyError(whole.errors)
        gone = whole.remove(removed)
        came = whole.add(added)
        return Delta(frozenset(gone.then(came, whole.inferred_triples).applied(start)), reset=True)

    # -- internals -------------------------------------------------------------------------------

    def _fetch(self, wanted: LazyIndex) -> bool:
        """Fetch what the last run looked up; False when it needs every triple of a predicate
        that has more than `limit`."""
        if not wanted.missing:
            return True
        assert self.base is not None
        terms = self.base.terms
        name = terms.terms.__getitem__
        if wanted.missing_predicates & self._partial:
            return False
        lookups = Lookups(
            [(name(s), None if p is None else name(p)) for s, p in wanted.missing_out],
            [(None if p is None else name(p), name(o)) for p, o in wanted.missing_in],
            [name(p) for p in wanted.missing_predicates],
            [name(p) for p in wanted.missing_uses],
            self.limit,
        )
        fetched = self.source.closure_around(lookups)
        self._out |= wanted.missing_out
        self._in |= wanted.missing_in
        partial = {terms.id(p) for p in fetched.partial}
        self._partial |= partial
        self._predicates |= wanted.missing_predicates - partial
        for p in wanted.missing_uses:
            self.uses[p] = name(p) in fetched.used
        asserted = {terms.encode(t) for t in fetched.asserted}
        self._asserted |= asserted
        self._closure |= asserted | {terms.encode(t) for t in fetched.inferred}
        self.last_fetched = len(self._closure)
        return True

    def _local(self) -> Materializer:
        """A materializer over the TBox's closure and the fetched triples."""
        assert self.base is not None
        idx = LazyIndex(self)
        idx.share(self.base.idx)
        for t in self._closure:
            idx.add(t)
        asserted = self._base_asserted | self._asserted
        return Materializer.over(self.base.terms, self.base.schema, idx, asserted)

    def _compile(self) -> Materializer:
        """The TBox's materializer, and what each run copies from it."""
        base = Materializer(self.source.schema_triples())
        self._base_asserted = {t for t in base.idx if base.is_asserted(t)}
        return base
