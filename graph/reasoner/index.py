"""The interned index: RDF terms as integers, and a set of integer triples with the three
lookups (spo, pos, osp) that every rule needs in one dictionary step."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rdflib import OWL, RDF, RDFS, Literal
from rdflib.term import Node

from cajkg.graph.reason import REFLEXIVE_NOISE, UNIVERSAL_TYPES

RDFTriple = tuple[Node, Node, Node]
Triple = tuple[int, int, int]
# The rdflib term of another library's term (pyoxigraph's, as a store reads them).
Decode = Callable[[Any], Node]
# A triple as a reasoner reads it: rdflib terms, or another library's with a Decode.
ReadTriple = tuple[Any, Any, Any]


_collector = threading.Lock()
_paused = [0, False]  # how many bulk builds run, and whether the collector was on before them


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a bulk build of the index with the cyclic garbage collector off. Its millions of new
    dicts, sets and tuples make the collector run thousands of times over a heap that only
    grows, a quarter of a seeding at a million triples; reference counting still frees what
    the build drops. Nested and concurrent builds share one pause."""
    with _collector:
        if not _paused[0]:
            _paused[1] = gc.isenabled()
            gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _collector:
            _paused[0] -= 1
            if not _paused[0] and _paused[1]:
                gc.enable()


class Terms:
    """Term <-> integer, and the integers of the vocabulary the rules name."""

    def __init__(self) -> None:
        self.ids: dict[Node, int] = {}
        self.terms: list[Node] = []
        self.literal: list[bool] = []
        v = self.id
        self.TYPE, self.SCO, self.SPO = v(RDF.type), v(RDFS.subClassOf), v(RDFS.subPropertyOf)
        self.PROPERTY = v(RDF.Property)
        self.DOMAIN, self.RANGE, self.EQC = v(RDFS.domain), v(RDFS.range), v(OWL.equivalentClass)
        self.EQP, self.INV, self.CHAIN = (
            v(OWL.equivalentProperty),
            v(OWL.inverseOf),
            v(OWL.propertyChainAxiom),
        )
        self.ONP, self.SVF, self.AVF = (
            v(OWL.onProperty),
            v(OWL.someValuesFrom),
            v(OWL.allValuesFrom),
        )
        self.HV, self.INT, self.UNI = v(OWL.hasValue), v(OWL.intersectionOf), v(OWL.unionOf)
        self.ONEOF, self.FIRST, self.REST, self.NIL = (
            v(OWL.oneOf),
            v(RDF.first),
            v(RDF.rest),
            v(RDF.nil),
        )
        self.SAME, self.DIFF, self.THING, self.NOTHING = (
            v(OWL.sameAs),
            v(OWL.differentFrom),
            v(OWL.Thing),
            v(OWL.Nothing),
        )
        self.CLASS = v(OWL.Class)
        # what `cajkg.graph.reason.is_noise` drops, as integers (Materializer._is_noise)
        self.REFLEXIVE = frozenset(v(p) for p in REFLEXIVE_NOISE)
        self.UNIVERSAL = frozenset(v(c) for c in UNIVERSAL_TYPES)

    def id(self, term: Node) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self.literal.append(isinstance(term, Literal))
        return found

    def encode(self, t: RDFTriple) -> Triple:
        return self.id(t[0]), self.id(t[1]), self.id(t[2])

    def reader(self, decode: Decode | None) -> Callable[[ReadTriple], Triple]:
        """`encode`, or, for triples of another library's terms, an encode with a memo keyed by
        those terms: each distinct term is decoded once, and a term met again costs one lookup
        instead of building its rdflib term (a million triples hold about 170,000 terms)."""
        if decode is None:
            return self.encode
        memo: dict[Any, int] = {}
        get, intern = memo.get, self.id

        def encode(t: ReadTriple) -> Triple:
            s, p, o = t
            a, b, c = get(s), get(p), get(o)
            if a is None:
                a = memo[s] = intern(decode(s))
            if b is None:
                b = memo[p] = intern(decode(p))
            if c is None:
                c = memo[o] = intern(decode(o))
            return a, b, c

        return encode

    def decode(self, t: Triple) -> RDFTriple:
        terms = self.terms
        return terms[t[0]], terms[t[1]], terms[t[2]]

    def find(self, t: RDFTriple) -> Triple | None:
        """The integers of t's terms, or None when one of them was never seen (no interning)."""
        s, p, o = (self.ids.get(term) for term in t)
        return None if s is None or p is None or o is None else (s, p, o)


class Index:
    """A set of integer triples with the three lookups the rules need."""

    def __init__(self) -> None:
        self.spo: dict[int, dict[int, set[int]]] = {}
        self.pos: dict[int, dict[int, set[int]]] = {}
        self.osp: dict[int, dict[int, set[int]]] = {}
        self.size = 0

    def add(self, t: Triple) -> bool:
        """Add t; False when it was there. (Looked up before created: `setdefault` would build
        two empty containers per call, a tenth of a seeding at a million triples.)"""
        s, p, o = t
        by_p = self.spo.get(s)
        if by_p is None:
            by_p = self.spo[s] = {}
        objs = by_p.get(p)
        if objs is None:
            by_p[p] = {o}
        elif o in objs:
            return False
        else:
            objs.add(o)
        by_o = self.pos.get(p)
        if by_o is None:
            self.pos[p] = {o: {s}}
        elif (subjects := by_o.get(o)) is None:
            by_o[o] = {s}
        else:
            subjects.add(s)
        by_s = self.osp.get(o)
        if by_s is None:
            self.osp[o] = {s: {p}}
        elif (predicates := by_s.get(s)) is None:
            by_s[s] = {p}
        else:
            predicates.add(p)
        self.size += 1
        return True

    def discard(self, t: Triple) -> None:
        s, p, o = t
        objs = self.spo.get(s, {}).get(p)
        if objs is None or o not in objs:
            return
        for outer, a, b, c in ((self.spo, s, p, o), (self.pos, p, o, s), (self.osp, o, s, p)):
            inner = outer[a]
            leaf = inner[b]
            leaf.discard(c)
            if not leaf:
                del inner[b]
                if not inner:
                    del outer[a]
        self.size -= 1

    def __contains__(self, t: Triple) -> bool:
        objs = self.spo.get(t[0])
        return objs is not None and t[2] in objs.get(t[1], ())

    def objects(self, s: int, p: int) -> set[int] | tuple[()]:
        return self.spo.get(s, {}).get(p, ())

    def subjects(self, p: int, o: int) -> set[int] | tuple[()]:
        return self.pos.get(p, {}).get(o, ())

    def pairs(self, p: int) -> Iterator[tuple[int, int]]:
        for o, subjects in list(self.pos.get(p, {}).items()):
            for s in list(subjects):
                yield s, o

    def around(self, node: int) -> Iterator[Triple]:
        """Every triple with `node` as subject or object."""
        for p, objects in list(self.spo.get(node, {}).items()):
            for o in list(objects):
                yield node, p, o
        for s, predicates in list(self.osp.get(node, {}).items()):
            for p in list(predicates):
                yield s, p, node

    def __iter__(self) -> Iterator[Triple]:
        for s, po in self.spo.items():
            for p, objects in po.items():
                for o in objects:
                    yield s, p, o
