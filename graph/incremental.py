"""Incremental OWL 2 RL materialization that reproduces owlrl's closure in milliseconds per update.

owlrl (`cajkg.graph.reason.closure`) stays the reference semantics; this module computes the same
inferred graph (its noise rules included) faster:

- Terms are interned to integers and held in three hash indexes (spo, pos, osp).
- The schema (TBox: class and property axioms, restrictions, lists) is closed first with owlrl's
  own scm-* rules, then compiled into per-class and per-property plans: what a new
  `x rdf:type C` or `x p y` entails, found by one dictionary lookup.
- Instance data (ABox) is saturated by semi-naive forward chaining: each new triple is joined
  once against the indexes, through every premise of every rule.
- `add` computes only the consequences of the new triples. `remove` runs delete-and-rederive
  (DRed): it over-deletes everything derivable from the retracted triples, then re-derives what
  another derivation still supports. Every OWL RL rule owlrl implements has a premise that
  mentions the subject of its conclusion, so re-firing the rules on the remaining triples around
  the over-deleted subjects finds every alternative derivation.
- A change to the schema (or to the set of datatypes in use) recompiles and re-materializes in
  full; a construct this module does not compile (owl:hasKey, max cardinalities) or a schema triple
  derived from instance data switches the instance to owlrl itself.

Inconsistencies (disjointness, asymmetry, sameAs/differentFrom, ill-typed literals, ...) are
reported with owlrl's messages; `add` is atomic and rolls back an update that makes the graph
inconsistent. Everything runs in pure Python: the work per update is proportional to the change,
and CPython hands the GIL to other threads every few milliseconds even during a full rebuild, so
a store can call this on its write path or in a worker thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from cajkg.graph.iris import G_INFERRED
from cajkg.graph.reason import InconsistencyError, closure, is_noise, lexical_error

RDFTriple = tuple[Node, Node, Node]
Triple = tuple[int, int, int]

_SCHEMA_PREDICATES = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    OWL.inverseOf,
    OWL.propertyChainAxiom,
    OWL.onProperty,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.intersectionOf,
    OWL.unionOf,
    OWL.complementOf,
    OWL.disjointWith,
    OWL.members,
    OWL.distinctMembers,
    OWL.oneOf,
    OWL.hasKey,
    OWL.propertyDisjointWith,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.onClass,
    OWL.sourceIndividual,
    OWL.assertionProperty,
    OWL.targetIndividual,
    OWL.targetValue,
    RDF.first,
    RDF.rest,
)
_META_CLASSES = (
    OWL.Class,
    RDFS.Class,
    OWL.Restriction,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    RDF.Property,
    OWL.AnnotationProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.IrreflexiveProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.AllDisjointClasses,
    OWL.AllDisjointProperties,
    OWL.AllDifferent,
)
# Constructs owlrl implements that this module does not compile: owlrl itself takes over.
_UNCOMPILED = (OWL.hasKey, OWL.maxCardinality, OWL.maxQualifiedCardinality)
_RL_DATATYPES = frozenset(OWL_RL_Datatypes)


class _Unsupported(Exception):
    """The graph needs a rule this module does not compile; owlrl must do the work."""


@dataclass(frozen=True)
class Delta:
    """How the inferred graph (what cjg:inferred holds) changed with one update."""

    added: frozenset[RDFTriple] = frozenset()
    removed: frozenset[RDFTriple] = frozenset()
    reset: bool = False  # True: `added` is the whole new inferred graph (after a full rebuild)


@dataclass
class _ClassPlan:
    supers: tuple[int, ...] = ()
    has_value: tuple[tuple[int, int], ...] = ()  # (property, value) for hasValue restrictions
    all_values: tuple[tuple[int, int], ...] = ()  # (property, class) for allValuesFrom
    some_values_in: tuple[tuple[int, int], ...] = ()  # (property, restriction) with this filler
    intersections: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (class, members) with this one
    parts: tuple[int, ...] = ()  # members, when this class is an intersection
    disjoint: tuple[tuple[int, int, int], ...] = ()  # (c1, c2, other class) for messages


@dataclass
class _PropertyPlan:
    domains: tuple[int, ...] = ()
    ranges: tuple[int, ...] = ()
    supers: tuple[int, ...] = ()
    inverses: tuple[int, ...] = ()
    symmetric: bool = False
    transitive: bool = False
    functional: bool = False
    inverse_functional: bool = False
    asymmetric: bool = False
    irreflexive: bool = False
    chains: tuple[tuple[int, tuple[int, ...], int], ...] = ()  # (target, chain, position)
    some_values: tuple[tuple[int, int], ...] = ()  # (restriction, filler)
    has_value: tuple[tuple[int, int], ...] = ()  # (restriction, value)
    all_values: tuple[tuple[int, int], ...] = ()  # (restriction, class)
    disjoint: tuple[tuple[int, int, int], ...] = ()  # (p1, p2, other property) for messages


_EMPTY_PROPERTY = _PropertyPlan()


class _Index:
    """A set of integer triples with the three lookups the rules need."""

    def __init__(self) -> None:
        self.spo: dict[int, dict[int, set[int]]] = {}
        self.pos: dict[int, dict[int, set[int]]] = {}
        self.osp: dict[int, dict[int, set[int]]] = {}
        self.size = 0

    def add(self, t: Triple) -> bool:
        s, p, o = t
        objs = self.spo.setdefault(s, {}).setdefault(p, set())
        if o in objs:
            return False
        objs.add(o)
        self.pos.setdefault(p, {}).setdefault(o, set()).add(s)
        self.osp.setdefault(o, {}).setdefault(s, set()).add(p)
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


class Materializer:
    """The asserted triples of a dataset (a multiset over its graphs) and their OWL RL closure."""

    def __init__(self, triples: Iterable[RDFTriple] = ()) -> None:
        self._ids: dict[Node, int] = {}
        self._terms: list[Node] = []
        self._literal: list[bool] = []
        v = self._id
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
        self._schema_predicates = frozenset(v(p) for p in _SCHEMA_PREDICATES)
        self._meta = frozenset(v(c) for c in _META_CLASSES)
        self._uncompiled = frozenset(v(p) for p in _UNCOMPILED)
        self._property_kinds = {
            v(c) for c in (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
        }
        self._datatypes = {v(d): d for d in OWL_RL_Datatypes}
        self._subsumptions = {
            v(d): tuple(v(s) for s in supers) for d, supers in OWL_Datatype_Subsumptions.items()
        }
        self._asserted: Counter[Triple] = Counter()
        self._datatype_uses: Counter[int] = Counter()
        self._used: frozenset[int] = frozenset()
        self._idx = _Index()
        self._tbox_facts: set[Triple] = set()
        self._class_plans: dict[int, _ClassPlan] = {}
        self._property_plans: dict[int, _PropertyPlan] = {}
        self._errors: dict[str, set[frozenset[Triple]]] = {}
        self._changes: dict[Triple, bool] = {}  # visibility before the running update
        self._rebuilt = False
        self._owlrl: Graph | None = None  # the whole closure, when owlrl does the work
        self._owlrl_errors: list[str] = []
        for t in triples:
            self._count(self._encode(t), +1)
        self._rebuild()

    @classmethod
    def from_dataset(cls, dataset: Dataset, skip: URIRef = G_INFERRED) -> Materializer:
        """All graphs of `dataset` except `skip` (the inferred graph) as the asserted triples."""
        return cls(
            (s, p, o)
            for s, p, o, g in dataset.quads((None, None, None, None))
            if (g.identifier if isinstance(g, Graph) else g) != skip
        )

    # -- public API ----------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """'incremental', or 'owlrl' when the graph uses a construct not compiled here."""
        return "owlrl" if self._owlrl is not None else "incremental"

    @property
    def errors(self) -> list[str]:
        """owlrl's inconsistency messages for the current closure, sorted; empty when consistent."""
        if self._owlrl is not None:
            return list(self._owlrl_errors)
        return sorted(self._errors)

    def __len__(self) -> int:
        """How many triples the closure holds (asserted ones included, noise included)."""
        return self._idx.size

    def inferred(self) -> Graph:
        """The useful inferred triples: what `cajkg.graph.reason.infer` returns."""
        graph = Graph()
        for t in self.inferred_triples():
            graph.add(t)
        return graph

    def inferred_triples(self) -> Iterator[RDFTriple]:
        """The triples of `inferred()`, without building a Graph."""
        if self._owlrl is not None:
            yield from self._owlrl
            return
        for t in self._idx:
            if t not in self._asserted:
                s, p, o = self._decode(t)
                if not isinstance(p, BNode) and not is_noise(s, p, o):
                    yield s, p, o

    def add(self, triples: Iterable[RDFTriple]) -> Delta:
        """Assert each of `triples` once more (once per graph it is inserted into).

        Raises InconsistencyError, leaving the materializer as it was, when the update makes
        the graph inconsistent.
        """
        batch = [self._encode(t) for t in triples]
        old_errors = set(self.errors)
        self._begin(batch)
        fresh = [t for t in batch if self._count(t, +1)]
        self._assert_new(fresh)
        delta = self._end()
        if set(self.errors) - old_errors:
            errors = self.errors
            self.remove(self._decode(t) for t in batch)
            raise InconsistencyError(errors)
        return delta

    def remove(self, triples: Iterable[RDFTriple]) -> Delta:
        """Retract one assertion of each of `triples`; triples never asserted are ignored."""
        batch = [self._encode(t) for t in triples]
        self._begin(batch)
        gone = [t for t in batch if t in self._asserted and self._count(t, -1)]
        self._retract(gone)
        return self._end()

    # -- bookkeeping ---------------------------------------------------------------------------

    def _count(self, t: Triple, step: int) -> bool:
        """Change t's assertion count; True when t enters or leaves the asserted set."""
        self._asserted[t] += step
        edge = self._asserted[t] == (1 if step > 0 else 0)
        if not self._asserted[t]:
            del self._asserted[t]
        if edge:
            for dt in self._datatypes_used_by(t):
                self._datatype_uses[dt] += step
                if not self._datatype_uses[dt]:
                    del self._datatype_uses[dt]
        return edge

    def _begin(self, batch: list[Triple]) -> None:
        self._rebuilt = False
        self._changes = {} if self._owlrl is not None else {t: self._visible(t) for t in batch}

    def _end(self) -> Delta:
        if self._rebuilt or self._owlrl is not None:
            return Delta(frozenset(self.inferred_triples()), reset=True)
        added, removed = set(), set()
        for t, was in self._changes.items():
            now = self._visible(t)
            if now and not was:
                added.add(self._decode(t))
            elif was and not now:
                removed.add(self._decode(t))
        self._changes = {}
        return Delta(frozenset(added), frozenset(removed))

    def _visible(self, t: Triple) -> bool:
        """Whether t belongs to the inferred graph (see cajkg.graph.reason for the noise rules)."""
        if t in self._asserted or t not in self._idx:
            return False
        s, p, o = self._decode(t)
        return not isinstance(p, BNode) and not is_noise(s, p, o)

    # -- terms ---------------------------------------------------------------------------------

    def _id(self, term: Node) -> int:
        found = self._ids.get(term)
        if found is None:
            found = self._ids[term] = len(self._terms)
            self._terms.append(term)
            self._literal.append(isinstance(term, Literal))
        return found

    def _encode(self, t: RDFTriple) -> Triple:
        return self._id(t[0]), self._id(t[1]), self._id(t[2])

    def _decode(self, t: Triple) -> RDFTriple:
        terms = self._terms
        return terms[t[0]], terms[t[1]], terms[t[2]]

    def _changes_schema(self, t: Triple) -> bool:
        """Whether a derived triple is schema that the compiled rules do not cover. Rule rdf1's
        `p rdf:type rdf:Property` is not: owlrl never sees it (`reason.closure` adds it after
        owlrl), and its only schema rules give reflexive noise."""
        return self._is_schema(t) and not (t[1] == self.TYPE and t[2] == self.PROPERTY)

    def _is_schema(self, t: Triple) -> bool:
        return t[1] in self._schema_predicates or (t[1] == self.TYPE and t[2] in self._meta)

    # -- full materialization ------------------------------------------------------------------

    def _rebuild(self) -> None:
        """Close the schema, compile it and saturate all instance data from scratch."""
        self._rebuilt = True
        self._idx = _Index()
        self._tbox_facts = set()
        self._class_plans.clear()
        self._property_plans.clear()
        self._errors = {}
        self._owlrl = None
        self._used = frozenset(self._datatype_uses)
        try:
            if any(p in self._uncompiled for p in {t[1] for t in self._asserted}):
                raise _Unsupported
            for t in self._asserted:
                self._idx.add(t)
            self._close_tbox()
            work = list(self._idx)
            for t in self._asserted:
                work.extend(self._asserted_consequences(t))
            self._saturate(work)
        except _Unsupported:
            self._run_owlrl()
            return
        for t in self._idx:
            self._check(t)
        for t in self._asserted:
            self._check_literal(t)
        self._changes = {}

    def _run_owlrl(self) -> None:
        asserted = Dataset()
        graph = asserted.graph(URIRef("urn:cajkg:asserted"))
        for t in self._asserted:
            graph.add(self._decode(t))
        self._idx = _Index()
        try:
            result = closure(asserted)
            self._owlrl, self._owlrl_errors = result.inferred, []
        except InconsistencyError as err:
            self._owlrl, self._owlrl_errors = Graph(), sorted(err.messages)

    def _list(self, head: int) -> list[int]:
        items: list[int] = []
        seen: set[int] = set()
        while head != self.NIL and head not in seen:
            seen.add(head)
            items.extend(self._idx.objects(head, self.FIRST))
            rest = self._idx.objects(head, self.REST)
            head = next(iter(rest)) if rest else self.NIL
        return items

    def _schema_triples(self) -> list[Triple]:
        idx = self._idx
        found = [(x, p, y) for p in self._schema_predicates for x, y in idx.pairs(p)]
        found += [(x, self.TYPE, m) for m in self._meta for x in idx.subjects(self.TYPE, m)]
        return found

    def _close_tbox(self) -> None:
        """owlrl's scm-* rules (and cls-oneOf) over the schema triples, iterated to a fixpoint."""
        idx = self._idx
        while True:
            new = [c for t in self._schema_triples() for c in self._schema_rules(t) if c not in idx]
            if not new:
                return
            for c in new:
                if idx.add(c) and not self._is_schema(c):
                    self._tbox_facts.add(c)

    def _schema_rules(self, t: Triple) -> Iterator[Triple]:
        idx = self._idx
        s, p, o = t
        sco, spo, onp = self.SCO, self.SPO, self.ONP
        if p == self.TYPE and o == self.CLASS:
            yield from ((s, sco, s), (s, self.EQC, s), (s, sco, self.THING), (self.NOTHING, sco, s))
        elif p == self.TYPE and o in self._property_kinds:
            yield from ((s, spo, s), (s, self.EQP, s))
        elif p == sco:
            if s != o:
                yield from ((s, sco, c3) for c3 in idx.objects(o, sco) if c3 != s)
            if (o, sco, s) in idx:
                yield s, self.EQC, o
        elif p == self.EQC and s != o:
            yield from ((s, sco, o), (o, sco, s))
        elif p == spo and s != o:
            yield from ((s, spo, p3) for p3 in idx.objects(o, spo) if p3 != s)
            if (o, spo, s) in idx:
                yield s, self.EQP, o
        elif p == self.EQP and s != o:
            yield from ((s, spo, o), (o, spo, s))
        elif p in (self.DOMAIN, self.RANGE):
            yield from ((s, p, c2) for c2 in idx.objects(o, sco) if c2 != o)
            yield from ((p1, p, o) for p1 in idx.subjects(spo, s) if p1 != s)
        elif p == self.HV:
            for p1 in idx.objects(s, onp):
                for c2 in idx.subjects(self.HV, o):
                    if any((p1, spo, p2) in idx for p2 in idx.objects(c2, onp)):
                        yield s, sco, c2
        elif p in (self.SVF, self.AVF):
            for pp in idx.objects(s, onp):
                for c2 in idx.subjects(onp, pp):
                    if any((o, sco, y2) in idx for y2 in idx.objects(c2, p)):
                        yield s, sco, c2
            for p1 in idx.objects(s, onp):
                for c2 in idx.subjects(p, o):
                    if any((p1, spo, p2) in idx for p2 in idx.objects(c2, onp)):
                        yield (s, sco, c2) if p == self.SVF else (c2, sco, s)
        elif p == self.INT:
            yield from ((s, sco, ci) for ci in self._list(o))
        elif p == self.UNI:
            yield from ((ci, sco, s) for ci in self._list(o))
        elif p == self.ONEOF:
            yield from ((y, self.TYPE, s) for y in self._list(o))

    def _datatypes_used_by(self, t: Triple) -> set[int]:
        """The datatypes owlrl's one-time dt-* rules count as used because of asserted t."""
        used: set[int] = set()
        for dt in (self._literal_datatype(t[2]), t[2] if t[1] == self.TYPE else None):
            if dt in self._datatypes:
                used.add(dt)
                used.update(self._subsumptions.get(dt, ()))
        return used

    def _literal_datatype(self, node: int) -> int | None:
        if not self._literal[node]:
            return None
        datatype = cast(Literal, self._terms[node]).datatype
        if datatype is None or datatype not in _RL_DATATYPES:
            return None
        return self._ids.get(datatype)

    # -- compiled plans ------------------------------------------------------------------------

    def _axioms(self, kind: int) -> list[tuple[int, list[int]]]:
        return [(s, self._list(o)) for s, o in self._idx.pairs(kind)]

    def _class_plan(self, c: int) -> _ClassPlan:
        plan = self._class_plans.get(c)
        if plan is not None:
            return plan
        idx, onp = self._idx, self.ONP
        supers = {*idx.objects(c, self.SCO), *idx.objects(c, self.EQC), *idx.subjects(self.EQC, c)}
        supers.discard(c)
        supers.update(u for u, members in self._axioms(self.UNI) if c in members)
        plan = _ClassPlan(
            supers=tuple(supers),
            has_value=tuple((pp, y) for y in idx.objects(c, self.HV) for pp in idx.objects(c, onp)),
            all_values=tuple(
                (pp, y) for y in idx.objects(c, self.AVF) for pp in idx.objects(c, onp)
            ),
            some_values_in=()
            if c == self.THING
            else tuple((pp, r) for r in idx.subjects(self.SVF, c) for pp in idx.objects(r, onp)),
            intersections=tuple(
                (i, tuple(members))
                for i, members in self._axioms(self.INT)
                if members and c in members
            ),
            parts=tuple(
                ci for members in map(self._list, idx.objects(c, self.INT)) for ci in members
            ),
            disjoint=self._disjoint_classes(c),
        )
        self._class_plans[c] = plan
        return plan

    def _disjoint_classes(self, c: int) -> tuple[tuple[int, int, int], ...]:
        idx, pairs = self._idx, []
        pairs += [(c, d, d) for d in idx.objects(c, self._id(OWL.disjointWith))]
        pairs += [(d, c, d) for d in idx.subjects(self._id(OWL.disjointWith), c)]
        for x in idx.subjects(self.TYPE, self._id(OWL.AllDisjointClasses)):
            for head in idx.objects(x, self._id(OWL.members)):
                classes = self._list(head)
                for i, c1 in enumerate(classes[:-1]):
                    for c2 in classes[i + 1 :]:
                        if c in (c1, c2):
                            pairs.append((c1, c2, c2 if c == c1 else c1))
        if c in self._datatypes:
            for left, _, right in OWLRL_Datatypes_Disjointness:
                ids = self._id(left), self._id(right)
                if c in ids and ids[0] in self._used and ids[1] in self._used:
                    pairs.append((ids[0], ids[1], ids[1] if c == ids[0] else ids[0]))
        return tuple(pairs)

    def _property_plan(self, p: int) -> _PropertyPlan:
        plan = self._property_plans.get(p)
        if plan is not None:
            return plan
        idx, onp, kinds = self._idx, self.ONP, self._idx.objects(p, self.TYPE)
        supers = {*idx.objects(p, self.SPO), *idx.objects(p, self.EQP), *idx.subjects(self.EQP, p)}
        supers.discard(p)
        restrictions = idx.subjects(onp, p)
        disjoint_with = self._id(OWL.propertyDisjointWith)
        disjoint = [(p, q, q) for q in idx.objects(p, disjoint_with)]
        disjoint += [(q, p, q) for q in idx.subjects(disjoint_with, p)]
        for x in idx.subjects(self.TYPE, self._id(OWL.AllDisjointProperties)):
            for head in idx.objects(x, self._id(OWL.members)):
                pis = self._list(head)
                for i in range(len(pis) - 1):
                    for j in range(i + 1, len(pis) - 1):  # owlrl's bounds, last member skipped
                        if p in (pis[i], pis[j]):
                            disjoint.append((pis[i], pis[j], pis[j] if p == pis[i] else pis[i]))
        plan = _PropertyPlan(
            domains=tuple(idx.objects(p, self.DOMAIN)),
            ranges=tuple(idx.objects(p, self.RANGE)),
            supers=tuple(supers),
            inverses=tuple({*idx.objects(p, self.INV), *idx.subjects(self.INV, p)}),
            symmetric=self._id(OWL.SymmetricProperty) in kinds,
            transitive=self._id(OWL.TransitiveProperty) in kinds,
            functional=self._id(OWL.FunctionalProperty) in kinds,
            inverse_functional=self._id(OWL.InverseFunctionalProperty) in kinds,
            asymmetric=self._id(OWL.AsymmetricProperty) in kinds,
            irreflexive=self._id(OWL.IrreflexiveProperty) in kinds,
            chains=tuple(
                (target, tuple(chain), i)
                for target, chain in self._axioms(self.CHAIN)
                for i, q in enumerate(chain)
                if q == p
            ),
            some_values=tuple((r, y) for r in restrictions for y in idx.objects(r, self.SVF)),
            has_value=tuple((r, y) for r in restrictions for y in idx.objects(r, self.HV)),
            all_values=tuple((r, y) for r in restrictions for y in idx.objects(r, self.AVF)),
            disjoint=tuple(disjoint),
        )
        if plan == _EMPTY_PROPERTY:
            plan = _EMPTY_PROPERTY
        self._property_plans[p] = plan
        return plan

    # -- rules ---------------------------------------------------------------------------------

    def _consequences(self, t: Triple) -> Iterator[Triple]:
        """Everything one rule application entails with t as one of its premises."""
        idx, type_ = self._idx, self.TYPE
        s, p, o = t
        yield p, type_, self.PROPERTY  # RDF entailment rule rdf1: a predicate is a property
        if p == type_:
            cp = self._class_plan(o)
            for d in cp.supers:
                yield s, type_, d
            for d in cp.parts:
                yield s, type_, d
            for pp, y in cp.has_value:
                yield s, pp, y
            for pp, y in cp.all_values:
                for v in idx.objects(s, pp):
                    yield v, type_, y
            for pp, r in cp.some_values_in:
                for u in idx.subjects(pp, s):
                    yield u, type_, r
            for i, members in cp.intersections:
                if all((s, type_, ci) in idx for ci in members):
                    yield s, type_, i
        plan = self._property_plan(p)
        if plan is not _EMPTY_PROPERTY:
            yield from self._property_consequences(s, p, o, plan)
        same = self.SAME
        if p == same:
            yield o, same, s
            for z in idx.objects(o, same):
                yield s, same, z
            for x in idx.subjects(same, s):
                yield x, same, o
            for pred, objects in list(idx.spo.get(s, {}).items()):
                for obj in list(objects):
                    yield o, pred, obj
            for obj, subjects in list(idx.pos.get(s, {}).items()):
                for subj in list(subjects):
                    yield subj, o, obj
            for subj, preds in list(idx.osp.get(o, {}).items()):
                for pred in list(preds):
                    yield subj, pred, s
        if same in idx.pos:
            for s2 in idx.objects(s, same):
                yield s2, p, o
            for p2 in idx.objects(p, same):
                yield s, p2, o
            for o2 in idx.subjects(same, o):
                yield s, p, o2

    def _property_consequences(self, s: int, p: int, o: int, pp: _PropertyPlan) -> Iterator[Triple]:
        idx, type_ = self._idx, self.TYPE
        for c in pp.domains:
            yield s, type_, c
        for c in pp.ranges:
            yield o, type_, c
        for q in pp.supers:
            yield s, q, o
        for q in pp.inverses:
            yield o, q, s
        if pp.symmetric:
            yield o, p, s
        if pp.transitive:
            for z in list(idx.objects(o, p)):
                yield s, p, z
            for w in list(idx.subjects(p, s)):
                yield w, p, o
        if pp.functional:
            for y2 in list(idx.objects(s, p)):
                if y2 != o:
                    yield o, self.SAME, y2
                    yield y2, self.SAME, o
        if pp.inverse_functional:
            for x2 in list(idx.subjects(p, o)):
                if x2 != s:
                    yield s, self.SAME, x2
                    yield x2, self.SAME, s
        for target, chain, i in pp.chains:
            starts = {s}
            for q in reversed(chain[:i]):
                starts = {x for y in starts for x in idx.subjects(q, y)}
            ends = {o}
            for q in chain[i + 1 :]:
                ends = {z for y in ends for z in idx.objects(y, q)}
            for u in starts:
                for z in ends:
                    yield u, target, z
        for r, y in pp.some_values:
            if y == self.THING or (o, type_, y) in idx:
                yield s, type_, r
        for r, y in pp.has_value:
            if o == y:
                yield s, type_, r
        for r, y in pp.all_values:
            if (s, type_, r) in idx:
                yield o, type_, y

    def _asserted_consequences(self, t: Triple) -> Iterator[Triple]:
        """owlrl's one-time datatype rules, which see asserted triples only."""
        s, p, o = t
        dt = self._literal_datatype(o)
        if dt is not None:
            yield o, self.TYPE, dt
            for sup in self._subsumptions.get(dt, ()):
                yield o, self.TYPE, sup
        if p == self.TYPE and o in self._datatypes and not self._literal[s]:
            for sup in self._subsumptions.get(o, ()):
                yield s, self.TYPE, sup

    def _saturate(self, work: list[Triple]) -> list[Triple]:
        """Semi-naive forward chaining: add what `work` entails, then what that entails."""
        idx, added, literal, changes = self._idx, [], self._literal, self._changes
        while work:
            t = work.pop()
            if t not in idx:
                if self._changes_schema(t):
                    raise _Unsupported
                if literal[t[1]]:
                    continue
                idx.add(t)
                added.append(t)
                changes.setdefault(t, False)
            for c in self._consequences(t):
                if c not in idx and not literal[c[1]]:
                    if self._changes_schema(c):
                        raise _Unsupported
                    idx.add(c)
                    added.append(c)
                    changes.setdefault(c, False)
                    work.append(c)
        return added

    # -- updates -------------------------------------------------------------------------------

    def _assert_new(self, fresh: list[Triple]) -> None:
        if self._owlrl is not None or any(self._is_schema(t) and t not in self._idx for t in fresh):
            self._rebuild()
            return
        work = [t for t in fresh if t not in self._idx]
        for t in fresh:
            work.extend(self._asserted_consequences(t))
        try:
            added = self._saturate(work)
        except _Unsupported:
            self._run_owlrl()
            self._rebuilt = True
            return
        for t in added:
            self._check(t)
        for t in fresh:
            self._check_literal(t)
        self._refresh_used()

    def _retract(self, gone: list[Triple]) -> None:
        if self._owlrl is not None or any(self._is_schema(t) for t in gone):
            self._rebuild()
            return
        idx, asserted, kept = self._idx, self._asserted, self._tbox_facts
        doomed = {t for t in gone if t not in kept}
        stack = list(doomed)
        seeds = [c for t in gone for c in self._asserted_consequences(t)]
        while stack or seeds:
            for c in seeds:
                if c in idx and c not in doomed and c not in asserted and c not in kept:
                    doomed.add(c)
                    stack.append(c)
            seeds = list(self._consequences(stack.pop())) if stack else []
        for t in doomed:
            self._changes.setdefault(t, self._visible(t))
        for t in doomed:
            idx.discard(t)
        work: list[Triple] = []
        for node in {t[0] for t in doomed}:
            for t in list(idx.around(node)):
                work.extend(c for c in self._consequences(t) if c not in idx)
                if t in asserted:
                    work.extend(c for c in self._asserted_consequences(t) if c not in idx)
        for t in doomed:  # rule rdf1: still a property while a kept triple uses it
            if t[1] == self.TYPE and t[2] == self.PROPERTY and next(idx.pairs(t[0]), None):
                work.append(t)
        self._saturate(work)
        lost = {t for t in doomed if t not in idx}
        for message in list(self._errors):
            witnesses = {w for w in self._errors[message] if not (w & lost)}
            if witnesses:
                self._errors[message] = witnesses
            else:
                del self._errors[message]
        self._refresh_used()

    def _refresh_used(self) -> None:
        """Follow a change in the datatypes in use, which only decides datatype disjointness."""
        used = frozenset(self._datatype_uses)
        if used == self._used:
            return
        self._used = used
        for dt in self._datatypes:
            self._class_plans.pop(dt, None)
        for message in list(self._errors):
            witnesses = {w for w in self._errors[message] if not self._unused_pair(w)}
            if witnesses:
                self._errors[message] = witnesses
            else:
                del self._errors[message]
        for dt in used:
            for x in list(self._idx.subjects(self.TYPE, dt)):
                self._check((x, self.TYPE, dt))

    def _unused_pair(self, witness: frozenset[Triple]) -> bool:
        """A datatype disjointness witness whose datatypes are no longer both in use."""
        kinds = {t[2] for t in witness if t[1] == self.TYPE and t[2] in self._datatypes}
        return len(witness) == 2 == len(kinds) and not kinds <= self._used

    # -- consistency ---------------------------------------------------------------------------

    def _error(self, message: str, *witness: Triple) -> None:
        self._errors.setdefault(message, set()).add(frozenset(witness))

    def _check(self, t: Triple) -> None:
        """Record every owlrl inconsistency that t takes part in (anchored on t)."""
        idx, term, type_ = self._idx, self._terms, self.TYPE
        s, p, o = t
        if p == type_:
            if o == self.NOTHING:
                self._error(f"{term[s]} is defined of type 'Nothing'", t)
            for c1, c2, other in self._class_plan(o).disjoint:
                if (s, type_, other) in idx:
                    self._error(
                        f"Disjoint classes {term[c1]} and {term[c2]} have a common individual "
                        f"{term[s]}",
                        t,
                        (s, type_, other),
                    )
            complement = self._id(OWL.complementOf)
            for c2 in idx.objects(o, complement):
                if (s, type_, c2) in idx:
                    self._error(self._complement(o, c2), t, (s, type_, c2))
            for c1 in idx.subjects(complement, o):
                if (s, type_, c1) in idx:
                    self._error(self._complement(c1, o), t, (s, type_, c1))
        pp = self._property_plan(p)
        if pp.asymmetric and (o, p, s) in idx:
            for x, y in ((s, o), (o, s)):
                self._error(
                    f"Erroneous usage of asymmetric property {term[p]} on {term[x]} and {term[y]}",
                    t,
                    (o, p, s),
                )
        if pp.irreflexive and s == o:
            self._error(f"Irreflexive property used on {term[s]} with {term[p]}", t)
        for p1, p2, other in pp.disjoint:
            if (s, other, o) in idx:
                self._error(
                    f"Erroneous usage of disjoint properties {term[p1]} and {term[p2]} on "
                    f"{term[s]} and {term[o]}",
                    t,
                    (s, other, o),
                )
        self._check_equality(t)
        self._check_negative(t)

    def _complement(self, c1: int, c2: int) -> str:
        term = self._terms
        return (
            f"Violation of complementarity for classes {term[c1]} and {term[c2]} on element "
            f"{term[c2]}"
        )

    def _check_equality(self, t: Triple) -> None:
        idx, term = self._idx, self._terms
        s, p, o = t
        diff = self.DIFF
        pairs = []
        if p == self.SAME:
            pairs = [(t, w) for w in ((s, diff, o), (o, diff, s)) if w in idx]
        elif p == diff:
            pairs = [(w, t) for w in ((s, self.SAME, o), (o, self.SAME, s)) if w in idx]
            if s == o:
                pairs.append(((s, self.SAME, s), t))
        for same, witness in pairs:
            self._error(
                "'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: "
                f"({term[same[0]]}, {term[same[2]]})",
                *{same, witness} - {(s, self.SAME, s)},
            )
        if p == self.SAME and s != o:
            for x in idx.subjects(self.TYPE, self._id(OWL.AllDifferent)):
                for kind in (OWL.members, OWL.distinctMembers):
                    for head in idx.objects(x, self._id(kind)):
                        zis = self._list(head)
                        for i in range(len(zis) - 1):
                            for j in range(i + 1, len(zis) - 1):  # owlrl's bounds
                                if {zis[i], zis[j]} == {s, o}:
                                    self._error(
                                        "'sameAs' and 'AllDifferent' cannot be used on the same "
                                        f"subject-object pair: ({term[zis[i]]}, {term[zis[j]]})",
                                        t,
                                    )

    def _check_negative(self, t: Triple) -> None:
        idx, term = self._idx, self._terms
        s, p, o = t
        for x in idx.subjects(self._id(OWL.sourceIndividual), s):
            if p not in idx.objects(x, self._id(OWL.assertionProperty)):
                continue
            for kind, target in (("object", OWL.targetIndividual), ("datatype", OWL.targetValue)):
                if o in idx.objects(x, self._id(target)):
                    self._error(
                        f"Negative ({kind}) property assertion violated for: "
                        f"({term[s]}, {term[p]}, {term[o]})",
                        t,
                    )

    def _check_literal(self, t: Triple) -> None:
        """owlrl's lexical check of asserted typed literals (dt-not-type)."""
        dt = self._literal_datatype(t[2])
        if dt is None:
            return
        message = lexical_error(cast(Literal, self._terms[t[2]]))
        if message is not None:
            self._error(message, t)


def infer(asserted: Dataset) -> Graph:
    """Drop-in for `cajkg.graph.reason.infer`: the same inferred graph, computed incrementally."""
    materializer = Materializer.from_dataset(asserted)
    if materializer.errors:
        raise InconsistencyError(materializer.errors)
    return materializer.inferred()


class IncrementalReasoner:
    """A drop-in `reasoner` for MemoryStore: each call diffs the asserted dataset against the
    previous call and feeds only the difference to one long-lived Materializer.

    The diff costs one pass over the quads (set arithmetic, no reasoning), so a one-triple write
    costs milliseconds of reasoning instead of a full owlrl run. Not thread-safe: the store calls
    it under its write lock.
    """

    def __init__(self, skip: URIRef = G_INFERRED) -> None:
        self.skip = skip
        self.materializer: Materializer | None = None
        self._last: Counter[RDFTriple] = Counter()

    def __call__(self, asserted: Dataset) -> Graph:
        counts: Counter[RDFTriple] = Counter(
            (s, p, o)
            for s, p, o, g in asserted.quads((None, None, None, None))
            if (g.identifier if isinstance(g, Graph) else g) != self.skip
        )
        if self.materializer is None:
            self.materializer = Materializer(counts.elements())
        else:
            self.materializer.remove((self._last - counts).elements())
            try:
                self.materializer.add((counts - self._last).elements())
            except InconsistencyError:
                self.materializer.add((self._last - counts).elements())
                raise
        self._last = counts
        if self.materializer.errors:
            raise InconsistencyError(self.materializer.errors)
        return self.materializer.inferred()

    def seed(self, triples: Iterable[RDFTriple]) -> Graph:
        """Start from the asserted triples (one per graph that holds it); the inferred graph."""
        self.materializer = Materializer(triples)
        if self.materializer.errors:
            raise InconsistencyError(self.materializer.errors)
        return self.materializer.inferred()

    def change(self, added: Iterable[RDFTriple], removed: Iterable[RDFTriple]) -> Delta:
        """Apply one write's asserted difference; all or nothing (InconsistencyError)."""
        if self.materializer is None:
            raise RuntimeError("seed the reasoner first")
        added, removed = list(added), list(removed)
        gone = self.materializer.remove(removed)
        try:
            came = self.materializer.add(added)
        except InconsistencyError:
            self.materializer.add(removed)
            raise
        return _combine(gone, came, self.materializer)


def _combine(first: Delta, second: Delta, materializer: Materializer) -> Delta:
    """One Delta for two successive changes of the inferred graph."""
    if first.reset or second.reset:
        return Delta(frozenset(materializer.inferred_triples()), reset=True)
    return Delta(
        (first.added - second.removed) | second.added,
        (first.removed - second.added) | second.removed,
    )
