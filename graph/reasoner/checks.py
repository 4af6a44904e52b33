"""The consistency checks: every owlrl inconsistency a triple takes part in, recorded with owlrl's
message and the triples that witness it, so that a retraction can drop exactly the errors whose
witnesses are gone."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import OWL, Literal

from cajkg.graph.reason import lexical_error

from .index import Index, Terms, Triple
from .tbox import Schema


def literal_error(literal: Literal) -> str | None:
    """The lexical check of one typed literal (dt-not-type): its message, or None when the
    lexical form fits the datatype (`cajkg.graph.reason.lexical_error`, shared with owlrl's
    closure)."""
    return lexical_error(literal)


class Checks:
    """The current inconsistencies: message -> the sets of triples that witness it."""

    def __init__(self, terms: Terms, idx: Index, schema: Schema) -> None:
        self.terms, self.idx, self.schema = terms, idx, schema
        self.errors: dict[str, set[frozenset[Triple]]] = {}

    def error(self, message: str, *witness: Triple) -> None:
        self.errors.setdefault(message, set()).add(frozenset(witness))

    def forget(self, gone: set[Triple]) -> None:
        """Drop the witnesses that use a triple no longer in the closure."""
        self.keep(lambda witness: not (witness & gone))

    def keep(self, wanted: Callable[[frozenset[Triple]], bool]) -> None:
        for message in list(self.errors):
            witnesses = {w for w in self.errors[message] if wanted(w)}
            if witnesses:
                self.errors[message] = witnesses
            else:
                del self.errors[message]

    def check(self, t: Triple) -> None:
        """Record every owlrl inconsistency that t takes part in (anchored on t)."""
        idx, v = self.idx, self.terms
        term, type_ = v.terms, v.TYPE
        s, p, o = t
        if p == type_:
            if o == v.NOTHING:
                self.error(f"{term[s]} is defined of type 'Nothing'", t)
            for c1, c2, other in self.schema.class_plan(o).disjoint:
                if (s, type_, other) in idx:
                    self.error(
                        f"Disjoint classes {term[c1]} and {term[c2]} have a common individual "
                        f"{term[s]}",
                        t,
                        (s, type_, other),
                    )
            complement = v.id(OWL.complementOf)
            for c2 in idx.objects(o, complement):
                if (s, type_, c2) in idx:
                    self.error(self._complement(o, c2), t, (s, type_, c2))
            for c1 in idx.subjects(complement, o):
                if (s, type_, c1) in idx:
                    self.error(self._complement(c1, o), t, (s, type_, c1))
        pp = self.schema.property_plan(p)
        if pp.asymmetric and (o, p, s) in idx:
            for x, y in ((s, o), (o, s)):
                self.error(
                    f"Erroneous usage of asymmetric property {term[p]} on {term[x]} and {term[y]}",
                    t,
                    (o, p, s),
                )
        if pp.irreflexive and s == o:
            self.error(f"Irreflexive property used on {term[s]} with {term[p]}", t)
        for p1, p2, other in pp.disjoint:
            if (s, other, o) in idx:
                self.error(
                    f"Erroneous usage of disjoint properties {term[p1]} and {term[p2]} on "
                    f"{term[s]} and {term[o]}",
                    t,
                    (s, other, o),
                )
        self._check_equality(t)
        self._check_negative(t)

    def _complement(self, c1: int, c2: int) -> str:
        term = self.terms.terms
        return (
            f"Violation of complementarity for classes {term[c1]} and {term[c2]} on element "
            f"{term[c2]}"
        )

    def _check_equality(self, t: Triple) -> None:
        idx, v = self.idx, self.terms
        term = v.terms
        s, p, o = t
        diff, same = v.DIFF, v.SAME
        pairs = []
        if p == same:
            pairs = [(t, w) for w in ((s, diff, o), (o, diff, s)) if w in idx]
        elif p == diff:
            pairs = [(w, t) for w in ((s, same, o), (o, same, s)) if w in idx]
            if s == o:
                pairs.append(((s, same, s), t))
        for eq, witness in pairs:
            self.error(
                "'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: "
                f"({term[eq[0]]}, {term[eq[2]]})",
                *{eq, witness} - {(s, same, s)},
            )
        if p == same and s != o:
            for x in idx.subjects(v.TYPE, v.id(OWL.AllDifferent)):
                for kind in (OWL.members, OWL.distinctMembers):
                    for head in idx.objects(x, v.id(kind)):
                        zis = self.schema.members(head)
                        for i in range(len(zis) - 1):
                            for j in range(i + 1, len(zis) - 1):  # owlrl's bounds
                                if {zis[i], zis[j]} == {s, o}:
                                    self.error(
                                        "'sameAs' and 'AllDifferent' cannot be used on the same "
                                        f"subject-object pair: ({term[zis[i]]}, {term[zis[j]]})",
                                        t,
                                    )

    def _check_negative(self, t: Triple) -> None:
        idx, v = self.idx, self.terms
        term = v.terms
        s, p, o = t
        for x in idx.subjects(v.id(OWL.sourceIndividual), s):
            if p not in idx.objects(x, v.id(OWL.assertionProperty)):
                continue
            for kind, target in (("object", OWL.targetIndividual), ("datatype", OWL.targetValue)):
                if o in idx.objects(x, v.id(target)):
                    self.error(
                        f"Negative ({kind}) property assertion violated for: "
                        f"({term[s]}, {term[p]}, {term[o]})",
                        t,
                    )

    def check_literal(self, t: Triple) -> None:
        """owlrl's lexical check of asserted typed literals (dt-not-type)."""
        if self.schema.literal_datatype(t[2]) is None:
            return
        literal = self.terms.terms[t[2]]
        message = literal_error(literal) if isinstance(literal, Literal) else None
        if message is not None:
            self.error(message, t)
