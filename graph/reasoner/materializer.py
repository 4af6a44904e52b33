"""The materializer: the asserted triples (a multiset over the dataset's graphs), their OWL RL
closure in the interned index, and the updates that keep it current (semi-naive forward chaining
for additions, delete-and-rederive for retractions; see the package docstring)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from rdflib import BNode, Dataset, Graph, URIRef

from cajkg.graph.iris import G_INFERRED
from cajkg.graph.reason import InconsistencyError, closure, is_noise_subject

from .checks import Checks
from .delta import Delta
from .index import Decode, Index, RDFTriple, ReadTriple, Terms, Triple
from .rules import (
    CLASS_RULES,
    EQUALITY_RULES,
    PROPERTY_RULES,
    RDF_RULES,
    SCHEMA_RULES,
    datatype_derivations,
)
from .tbox import EMPTY_PROPERTY, Schema, Unsupported

# One named rule application: the W3C rule name, the conclusion and every premise.
Step = tuple[str, Triple, tuple[Triple, ...]]


class Materializer:
    """The asserted triples of a dataset (a multiset over its graphs) and their OWL RL closure."""

    def __init__(
        self,
        triples: Iterable[ReadTriple] = (),
        closure: Iterable[ReadTriple] | None = None,
        decode: Decode | None = None,
    ) -> None:
        """The closure of `triples`: derived here, or, given `closure`, read from it (see
        `_resume`). With `decode`, both hold another library's terms (`Terms.reader`)."""
        self.terms = Terms()
        self._asserted: Counter[Triple] = Counter()
        self._datatype_uses: Counter[int] = Counter()
        self._used: frozenset[int] = frozenset()
        self.idx = Index()
        self.schema = Schema(self.terms, self.idx)
        self._checks = Checks(self.terms, self.idx, self.schema)
        self._changes: dict[Triple, bool] = {}  # visibility before the running update
        self._rebuilt = False
        self.version = 0  # counts the updates: what explanations cache is valid for one version
        self._owlrl: Graph | None = None  # the whole closure, when owlrl does the work
        self._owlrl_errors: list[str] = []
        encode = self.terms.reader(decode)
        self._asserted.update(map(encode, triples))
        for t in self._asserted:
            self._count_datatypes(t, +1)
        if closure is None:
            self._rebuild()
        else:
            self._resume(map(encode, closure))

    @classmethod
    def from_dataset(cls, dataset: Dataset, skip: URIRef = G_INFERRED) -> Materializer:
        """All graphs of `dataset` except `skip` (the inferred graph) as the asserted triples."""
        return cls(
            (s, p, o)
            for s, p, o, g in dataset.quads((None, None, None, None))
            if (g.identifier if isinstance(g, Graph) else g) != skip
        )

    @classmethod
    def over(
        cls, terms: Terms, schema: Schema, idx: Index, asserted: Iterable[Triple]
    ) -> Materializer:
        """A materializer over a closure computed elsewhere (a neighbourhood of a store, see
        `neighbourhood`): `idx` holds it already and `schema` is compiled, so nothing is derived
        until an update runs the rules. Its checks know only what updates make them check."""
        self = cls.__new__(cls)
        self.terms, self.idx, self.schema = terms, idx, schema
        self._asserted, self._datatype_uses = Counter(), Counter()
        self._changes, self._rebuilt, self._owlrl, self._owlrl_errors = {}, False, None, []
        self.version = 0
        for t in asserted:
            self._count(t, +1)
        self._used = schema.used = frozenset(self._datatype_uses)
        for dt in schema.datatypes:
            schema.class_plans.pop(dt, None)
        self._checks = Checks(terms, idx, schema)
        return self

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
        return sorted(self._checks.errors)

    def __len__(self) -> int:
        """How many triples the closure holds (asserted ones included, noise included)."""
        return self.idx.size

    def inferred(self) -> Graph:
        """The useful inferred triples: what `cajkg.graph.reason.infer_with_owlrl` returns."""
        graph = Graph()
        for t in self.inferred_triples():
            graph.add(t)
        return graph

    def inferred_triples(self) -> Iterator[RDFTriple]:
        """The triples of `inferred()`, without building a Graph."""
        if self._owlrl is not None:
            yield from self._owlrl
            return
        for t in self.idx:
            if t not in self._asserted and not self._is_noise(t):
                yield self.terms.decode(t)

    def is_asserted(self, t: Triple) -> bool:
        return t in self._asserted

    def is_inferred(self, t: Triple) -> bool:
        """Whether t is in the inferred graph (derived, not asserted, not noise)."""
        return self._owlrl is None and self._visible(t)

    def add(self, triples: Iterable[RDFTriple]) -> Delta:
        """Assert each of `triples` once more (once per graph it is inserted into).

        Raises InconsistencyError, leaving the materializer as it was, when the update makes
        the graph inconsistent.
        """
        batch = [self.terms.encode(t) for t in triples]
        old_errors = set(self.errors)
        self._begin(batch)
        fresh = [t for t in batch if self._count(t, +1)]
        self._assert_new(fresh)
        delta = self._end()
        if set(self.errors) - old_errors:
            errors = self.errors
            self.remove(self.terms.decode(t) for t in batch)
            raise InconsistencyError(errors)
        return delta

    def remove(self, triples: Iterable[RDFTriple]) -> Delta:
        """Retract one assertion of each of `triples`; triples never asserted are ignored."""
        batch = [self.terms.encode(t) for t in triples]
        self._begin(batch)
        gone = [t for t in batch if t in self._asserted and self._count(t, -1)]
        self._retract(gone)
        return self._end()

    def derivations(self, t: Triple) -> Iterator[Step]:
        """Every single rule application, in the current closure, with t as one premise; the
        same rules as forward chaining, with their W3C names (for explanations)."""
        schema, idx, v = self.schema, self.idx, self.terms
        p, o = t[1], t[2]
        if schema.is_schema(t):
            for rule in SCHEMA_RULES:
                for conclusion, premises in rule.fire(schema, t):
                    yield rule.name, conclusion, premises
        if p == v.TYPE:
            for name, fire, data in schema.named(CLASS_RULES, o):
                for conclusion, premises in fire(idx, v, t, data):
                    yield name, conclusion, premises
        for name, fire, data in schema.named(PROPERTY_RULES, p):
            for conclusion, premises in fire(idx, v, t, data):
                yield name, conclusion, premises
        for triple_rule in (*RDF_RULES, *EQUALITY_RULES):
            for conclusion, premises in triple_rule.fire(idx, v, t):
                yield triple_rule.name, conclusion, premises
        if t in self._asserted:
            for name, (conclusion, premises) in datatype_derivations(schema, t):
                yield name, conclusion, premises

    # -- bookkeeping ---------------------------------------------------------------------------

    def _count(self, t: Triple, step: int) -> bool:
        """Change t's assertion count; True when t enters or leaves the asserted set."""
        self._asserted[t] += step
        edge = self._asserted[t] == (1 if step > 0 else 0)
        if not self._asserted[t]:
            del self._asserted[t]
        if edge:
            self._count_datatypes(t, step)
        return edge

    def _count_datatypes(self, t: Triple, step: int) -> None:
        """t entered (+1) or left (-1) the asserted set: count the datatypes it uses."""
        for dt in self.schema.datatypes_used_by(t):
            self._datatype_uses[dt] += step
            if not self._datatype_uses[dt]:
                del self._datatype_uses[dt]

    def _begin(self, batch: list[Triple]) -> None:
        self.version += 1
        self._rebuilt = False
        self._changes = {} if self._owlrl is not None else {t: self._visible(t) for t in batch}

    def _end(self) -> Delta:
        if self._rebuilt or self._owlrl is not None:
            return Delta(frozenset(self.inferred_triples()), reset=True)
        added, removed = set(), set()
        for t, was in self._changes.items():
            now = self._visible(t)
            if now and not was:
                added.add(self.terms.decode(t))
            elif was and not now:
                removed.add(self.terms.decode(t))
        self._changes = {}
        return Delta(frozenset(added), frozenset(removed))

    def _visible(self, t: Triple) -> bool:
        """Whether t belongs to the inferred graph (see cajkg.graph.reason for the noise rules)."""
        if t in self._asserted or t not in self.idx:
            return False
        return not self._is_noise(t)

    def _is_noise(self, t: Triple) -> bool:
        """`cajkg.graph.reason.is_noise`, or a blank-node predicate, read on the integers
        (decoding every triple a removal touches was a sixth of its time)."""
        s, p, o = t
        v = self.terms
        if isinstance(v.terms[p], BNode) or is_noise_subject(v.terms[s]):
            return True
        if s == o and p in v.REFLEXIVE:
            return True
        return p == v.TYPE and o in v.UNIVERSAL

    # -- full materialization ------------------------------------------------------------------

    def _rebuild(self) -> None:
        """Close the schema, compile it and saturate all instance data from scratch."""
        self.version += 1
        self._rebuilt = True
        try:
            self._close_schema()
            work = list(self.idx)
            for t in self._asserted:
                work.extend(self._asserted_consequences(t))
            self._saturate(work)
        except Unsupported:
            self._run_owlrl()
            return
        for t in self.idx:
            self._checks.check(t)
        for t in self._asserted:
            self._checks.check_literal(t)
        self._changes = {}

    def _close_schema(self) -> None:
        """A fresh index of the asserted triples, the schema closed in it and compiled (how
        `_rebuild` and `_resume` both start); raises Unsupported for what is left to owlrl."""
        self.idx = Index()
        self.schema = Schema(self.terms, self.idx)
        self._checks = Checks(self.terms, self.idx, self.schema)
        self._owlrl = None
        self._used = self.schema.used = frozenset(self._datatype_uses)
        if any(p in self.schema.uncompiled for p in {t[1] for t in self._asserted}):
            raise Unsupported
        for t in self._asserted:
            self.idx.add(t)
        self.schema.close()

    def _resume(self, closure: Iterable[Triple]) -> None:
        """Start from an inferred graph this reasoner computed earlier for the same triples
        (`inferred_triples()`, stored by a store): the schema is closed and compiled as in
        `_rebuild`, and the instance closure is read instead of derived, without the
        saturation and the consistency checks, which make a seeding slow at a million triples
        (the store refused every inconsistent write). The noise `inferred_triples()` leaves out
        (reflexive sameAs, universal types, literal subjects) is not read back: no rule derives
        a visible triple from it that its other premises do not give (the neighbourhood
        reasoner of the sparql store relies on the same; `tests/test_reasoner_resume.py`).
        A closure that holds derived schema, or a graph the materializer leaves to owlrl,
        is rebuilt in full, as `_rebuild` would have."""
        self.version += 1
        literal = self.terms.literal
        try:
            self._close_schema()
            idx, schema = self.idx, self.schema
            for t in closure:
                if literal[t[1]]:
                    continue
                if schema.changes_schema(t) and t not in idx:
                    raise Unsupported
                idx.add(t)
            self._saturate(self._noise())
        except Unsupported:
            self._rebuild()
            return
        self._changes = {}

    def _noise(self) -> list[Triple]:
        """The rule applications that give the noise stores leave out (`reason.is_noise`):
        rdf1's `p rdf:type rdf:Property` for built-in predicates, what the property rules
        say of a literal object (prp-rng, prp-inv, ...) and its datatype (dt-type2), and
        `x rdf:type owl:Thing` (cax-sco, prp-dom and prp-rng); saturating them gives the
        closure's noise back, so that the index equals a rebuilt one
        (`tests/test_reasoner_resume.py`)."""
        idx, v, literal = self.idx, self.terms, self.terms.literal
        found: list[Triple] = []
        for p in list(idx.pos):
            found.append((p, v.TYPE, v.PROPERTY))
            rules = self.schema.property_plan(p).rules if p != v.TYPE else ()
            for o, subjects in idx.pos[p].items() if rules else ():
                for x in subjects if literal[o] else ():
                    for fire, data in rules:
                        found.extend(c for c, _ in fire(idx, v, (x, p, o), data) if literal[c[0]])
        # a literal's datatype rules depend on the literal only: one asserted triple per literal
        for t in {t[2]: t for t in self._asserted if literal[t[2]]}.values():
            found.extend(self._asserted_consequences(t))
        thing = (v.TYPE, v.THING)
        for c in idx.subjects(v.SCO, v.THING):
            found.extend((x, *thing) for x in idx.subjects(v.TYPE, c))
        for p in idx.subjects(v.DOMAIN, v.THING):
            found.extend((x, *thing) for subjects in idx.pos.get(p, {}).values() for x in subjects)
        for p in idx.subjects(v.RANGE, v.THING):
            found.extend((y, *thing) for y in idx.pos.get(p, {}) if not literal[y])
        return [t for t in dict.fromkeys(found) if t not in idx]

    def _run_owlrl(self) -> None:
        asserted = Dataset()
        graph = asserted.graph(URIRef("urn:cajkg:asserted"))
        for t in self._asserted:
            graph.add(self.terms.decode(t))
        self.idx = Index()
        try:
            result = closure(asserted)
            self._owlrl, self._owlrl_errors = result.inferred, []
        except InconsistencyError as err:
            self._owlrl, self._owlrl_errors = Graph(), sorted(err.messages)

    # -- forward chaining ----------------------------------------------------------------------

    def _consequences(self, t: Triple) -> Iterator[Triple]:
        """Everything one rule application entails with t as one of its premises."""
        idx, v = self.idx, self.terms
        for rule in RDF_RULES:
            for c, _ in rule.fire(idx, v, t):
                yield c
        if t[1] == v.TYPE:
            for fire, data in self.schema.class_plan(t[2]).rules:
                for c, _ in fire(idx, v, t, data):
                    yield c
        pp = self.schema.property_plan(t[1])
        if pp is not EMPTY_PROPERTY:
            for fire, data in pp.rules:
                for c, _ in fire(idx, v, t, data):
                    yield c
        if t[1] == v.SAME or v.SAME in idx.pos:
            for eq in EQUALITY_RULES:
                for c, _ in eq.fire(idx, v, t):
                    yield c

    def _asserted_consequences(self, t: Triple) -> Iterator[Triple]:
        """owlrl's one-time datatype rules, which see asserted triples only."""
        for _, (c, _) in datatype_derivations(self.schema, t):
            yield c

    def _saturate(self, work: list[Triple]) -> list[Triple]:
        """Semi-naive forward chaining: add what `work` entails, then what that entails."""
        idx, added, literal, changes = self.idx, [], self.terms.literal, self._changes
        is_schema = self.schema.changes_schema
        while work:
            t = work.pop()
            if t not in idx:
                if is_schema(t):
                    raise Unsupported
                if literal[t[1]]:
                    continue
                idx.add(t)
                added.append(t)
                changes.setdefault(t, False)
            for c in self._consequences(t):
                if c not in idx and not literal[c[1]]:
                    if is_schema(c):
                        raise Unsupported
                    idx.add(c)
                    added.append(c)
                    changes.setdefault(c, False)
                    work.append(c)
        return added

    # -- updates -------------------------------------------------------------------------------

    def _assert_new(self, fresh: list[Triple]) -> None:
        is_schema = self.schema.is_schema
        if self._owlrl is not None or any(is_schema(t) and t not in self.idx for t in fresh):
            self._rebuild()
            return
        work = [t for t in fresh if t not in self.idx]
        for t in fresh:
            work.extend(self._asserted_consequences(t))
        try:
            added = self._saturate(work)
        except Unsupported:
            self._run_owlrl()
            self._rebuilt = True
            return
        for t in added:
            self._checks.check(t)
        for t in fresh:
            self._checks.check_literal(t)
        self._refresh_used()

    def _retract(self, gone: list[Triple]) -> None:
        if self._owlrl is not None or any(self.schema.is_schema(t) for t in gone):
            self._rebuild()
            return
        idx, asserted, kept = self.idx, self._asserted, self.schema.facts
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
        v = self.terms
        for t in doomed:  # rule rdf1: still a property while a kept triple uses it
            if t[1] == v.TYPE and t[2] == v.PROPERTY and next(idx.pairs(t[0]), None):
                work.append(t)
        self._saturate(work)
        lost = {t for t in doomed if t not in idx}
        self._checks.forget(lost)
        self._refresh_used()

    def _refresh_used(self) -> None:
        """Follow a change in the datatypes in use, which only decides datatype disjointness."""
        used = frozenset(self._datatype_uses)
        if used == self._used:
            return
        self._used = self.schema.used = used
        for dt in self.schema.datatypes:
            self.schema.class_plans.pop(dt, None)
        self._checks.keep(lambda witness: not self._unused_pair(witness))
        for dt in used:
            for x in list(self.idx.subjects(self.terms.TYPE, dt)):
                self._checks.check((x, self.terms.TYPE, dt))

    def _unused_pair(self, witness: frozenset[Triple]) -> bool:
        """A datatype disjointness witness whose datatypes are no longer both in use."""
        v, datatypes = self.terms, self.schema.datatypes
        kinds = {t[2] for t in witness if t[1] == v.TYPE and t[2] in datatypes}
        return len(witness) == 2 == len(kinds) and not kinds <= self._used
