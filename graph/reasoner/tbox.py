"""The TBox: which triples are schema, its closure under the scm-* rules, and the plans compiled
from it, per class and per property, that tell the ABox rules what a new triple entails in one
dictionary lookup."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import OWL, RDF, RDFS, Literal, URIRef

from .index import Index, Terms, Triple
from .rules import CLASS_RULES, PROPERTY_RULES, SCHEMA_RULES, Fire, Rule

SCHEMA_PREDICATES = (
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
META_CLASSES = (
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
# Constructs owlrl implements that this package does not compile: owlrl itself takes over.
UNCOMPILED = (OWL.hasKey, OWL.maxCardinality, OWL.maxQualifiedCardinality)
RL_DATATYPES = frozenset(OWL_RL_Datatypes)


class Unsupported(Exception):
    """The graph needs a rule this package does not compile; owlrl must do the work."""


# The rules that apply to one class or property, each with its compiled axioms.
Compiled = tuple[tuple[Fire, tuple[object, ...]], ...]


@dataclass
class ClassPlan:
    rules: Compiled = ()
    disjoint: tuple[tuple[int, int, int], ...] = ()  # (c1, c2, other class) for messages


@dataclass
class PropertyPlan:
    rules: Compiled = ()
    asymmetric: bool = False
    irreflexive: bool = False
    disjoint: tuple[tuple[int, int, int], ...] = ()  # (p1, p2, other property) for messages


EMPTY_PROPERTY = PropertyPlan()


class Schema:
    """The schema part of one index: the TBox closure and the plans compiled from it (cached
    until the next rebuild), and the datatype map owlrl uses."""

    def __init__(self, terms: Terms, idx: Index) -> None:
        self.terms, self.idx = terms, idx
        v = terms.id
        self.predicates = frozenset(v(p) for p in SCHEMA_PREDICATES)
        self.meta = frozenset(v(c) for c in META_CLASSES)
        self.uncompiled = frozenset(v(p) for p in UNCOMPILED)
        self.datatypes = {v(d): d for d in OWL_RL_Datatypes}
        self.subsumptions = {
            v(d): tuple(v(s) for s in supers) for d, supers in OWL_Datatype_Subsumptions.items()
        }
        self.used: frozenset[int] = frozenset()  # the datatypes in use (set by the materializer)
        self.facts: set[Triple] = set()  # non-schema triples the TBox closure derived (cls-oo)
        self.class_plans: dict[int, ClassPlan] = {}
        self.property_plans: dict[int, PropertyPlan] = {}
        # The named rules per (rule table, key), for explanations; valid for one `used`.
        self._named: dict[tuple[int, int], list[tuple[str, Fire, tuple[object, ...]]]] = {}
        self._named_used: frozenset[int] = self.used
        self._datatype_of: dict[int, int | None] = {}

    @staticmethod
    def kind(name: str) -> URIRef:
        """An OWL (or, for 'Property', RDF) vocabulary term by its local name."""
        return RDF.Property if name == "Property" else OWL[name]

    def is_schema(self, t: Triple) -> bool:
        return t[1] in self.predicates or (t[1] == self.terms.TYPE and t[2] in self.meta)

    def changes_schema(self, t: Triple) -> bool:
        """Whether a derived triple is schema that the compiled rules do not cover. Rule rdf1's
        `p rdf:type rdf:Property` is not: owlrl never sees it (`reason.closure` adds it after
        owlrl), and its only schema rules give reflexive noise."""
        return self.is_schema(t) and not (t[1] == self.terms.TYPE and t[2] == self.terms.PROPERTY)

    def literal_datatype(self, node: int) -> int | None:
        """The OWL RL datatype of a literal node (memoised: a literal is met once per triple
        using it, and comparing rdflib terms is slow)."""
        if not self.terms.literal[node]:
            return None
        if node not in self._datatype_of:
            literal = self.terms.terms[node]
            datatype = literal.datatype if isinstance(literal, Literal) else None
            if datatype is None or datatype not in RL_DATATYPES:
                self._datatype_of[node] = None
            else:
                self._datatype_of[node] = self.terms.ids.get(datatype)
        return self._datatype_of[node]

    def datatypes_used_by(self, t: Triple) -> set[int]:
        """The datatypes owlrl's one-time dt-* rules count as used because of asserted t."""
        used: set[int] = set()
        if t[1] != self.terms.TYPE and not self.terms.literal[t[2]]:
            return used
        for dt in (self.literal_datatype(t[2]), t[2] if t[1] == self.terms.TYPE else None):
            if dt in self.datatypes:
                used.add(dt)
                used.update(self.subsumptions.get(dt, ()))
        return used

    # -- lists and axioms -----------------------------------------------------------------------

    def members(self, head: int) -> list[int]:
        """The members of the RDF list at `head`."""
        items: list[int] = []
        seen: set[int] = set()
        v, idx = self.terms, self.idx
        while head != v.NIL and head not in seen:
            seen.add(head)
            items.extend(idx.objects(head, v.FIRST))
            rest = idx.objects(head, v.REST)
            head = next(iter(rest)) if rest else v.NIL
        return items

    def list_triples(self, head: int) -> tuple[Triple, ...]:
        """The rdf:first and rdf:rest triples of the list at `head` (premises of list axioms)."""
        found: list[Triple] = []
        seen: set[int] = set()
        v, idx = self.terms, self.idx
        while head != v.NIL and head not in seen:
            seen.add(head)
            found.extend((head, v.FIRST, x) for x in idx.objects(head, v.FIRST))
            rest = idx.objects(head, v.REST)
            found.extend((head, v.REST, x) for x in rest)
            head = next(iter(rest)) if rest else v.NIL
        return tuple(found)

    def axioms(self, kind: int) -> list[tuple[int, int, list[int]]]:
        """(subject, list head, members) of every `subject KIND (list)` axiom."""
        return [(s, o, self.members(o)) for s, o in self.idx.pairs(kind)]

    # -- closure ---------------------------------------------------------------------------------

    def triples(self) -> list[Triple]:
        idx, v = self.idx, self.terms
        found = [(x, p, y) for p in self.predicates for x, y in idx.pairs(p)]
        found += [(x, v.TYPE, m) for m in self.meta for x in idx.subjects(v.TYPE, m)]
        return found

    def close(self) -> None:
        """owlrl's scm-* rules (and cls-oo) over the schema triples, iterated to a fixpoint."""
        idx = self.idx
        while True:
            new = [
                c
                for t in self.triples()
                for rule in SCHEMA_RULES
                for c, _ in rule.fire(self, t)
                if c not in idx
            ]
            if not new:
                return
            for c in new:
                if idx.add(c) and not self.is_schema(c):
                    self.facts.add(c)

    # -- plans -----------------------------------------------------------------------------------

    def class_plan(self, c: int) -> ClassPlan:
        plan = self.class_plans.get(c)
        if plan is None:
            plan = self.class_plans[c] = ClassPlan(
                rules=self.compile(CLASS_RULES, c), disjoint=self._disjoint_classes(c)
            )
        return plan

    def property_plan(self, p: int) -> PropertyPlan:
        plan = self.property_plans.get(p)
        if plan is not None:
            return plan
        kinds = self.idx.objects(p, self.terms.TYPE)
        plan = PropertyPlan(
            rules=self.compile(PROPERTY_RULES, p),
            asymmetric=self.terms.id(OWL.AsymmetricProperty) in kinds,
            irreflexive=self.terms.id(OWL.IrreflexiveProperty) in kinds,
            disjoint=self._disjoint_properties(p),
        )
        if plan == EMPTY_PROPERTY:
            plan = EMPTY_PROPERTY
        self.property_plans[p] = plan
        return plan

    def compile(self, rules: tuple[Rule, ...], key: int) -> Compiled:
        compiled = ((rule.fire, rule.compile(self, key)) for rule in rules)
        return tuple((fire, data) for fire, data in compiled if data)

    def named(
        self, rules: tuple[Rule, ...], key: int
    ) -> Iterator[tuple[str, Fire, tuple[object, ...]]]:
        """The rules that apply to `key` with their names (for explanations), compiled once
        per schema (and per set of datatypes in use, which datatype disjointness reads)."""
        if self._named_used is not self.used:
            self._named, self._named_used = {}, self.used
        found = self._named.get((id(rules), key))
        if found is None:
            compiled = ((rule.name, rule.fire, rule.compile(self, key)) for rule in rules)
            found = self._named[id(rules), key] = [c for c in compiled if c[2]]
        yield from found

    def _disjoint_classes(self, c: int) -> tuple[tuple[int, int, int], ...]:
        idx, v, pairs = self.idx, self.terms, []
        pairs += [(c, d, d) for d in idx.objects(c, v.id(OWL.disjointWith))]
        pairs += [(d, c, d) for d in idx.subjects(v.id(OWL.disjointWith), c)]
        for x in idx.subjects(v.TYPE, v.id(OWL.AllDisjointClasses)):
            for head in idx.objects(x, v.id(OWL.members)):
                classes = self.members(head)
                for i, c1 in enumerate(classes[:-1]):
                    for c2 in classes[i + 1 :]:
                        if c in (c1, c2):
                            pairs.append((c1, c2, c2 if c == c1 else c1))
        if c in self.datatypes:
            for left, _, right in OWLRL_Datatypes_Disjointness:
                ids = v.id(left), v.id(right)
                if c in ids and ids[0] in self.used and ids[1] in self.used:
                    pairs.append((ids[0], ids[1], ids[1] if c == ids[0] else ids[0]))
        return tuple(pairs)

    def _disjoint_properties(self, p: int) -> tuple[tuple[int, int, int], ...]:
        idx, v = self.idx, self.terms
        disjoint_with = v.id(OWL.propertyDisjointWith)
        disjoint = [(p, q, q) for q in idx.objects(p, disjoint_with)]
        disjoint += [(q, p, q) for q in idx.subjects(disjoint_with, p)]
        for x in idx.subjects(v.TYPE, v.id(OWL.AllDisjointProperties)):
            for head in idx.objects(x, v.id(OWL.members)):
                pis = self.members(head)
                for i in range(len(pis) - 1):
                    for j in range(i + 1, len(pis) - 1):  # owlrl's bounds, last member skipped
                        if p in (pis[i], pis[j]):
                            disjoint.append((pis[i], pis[j], pis[j] if p == pis[i] else pis[i]))
        return tuple(disjoint)
