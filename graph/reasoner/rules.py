"""The OWL 2 RL rules, one entry each, named as in the W3C rule tables (OWL 2 Profiles, 4.3).

An ABox rule is a `Rule`: its `compile` reads the schema once per class or property (what a new
`x rdf:type C`, or a new `x p y`, can entail; () when nothing) and its `fire` joins one new triple
against the index. Every firing yields a `Derivation`: the conclusion and all the premises it
used, the triggering triple and the ontology axioms (with the rdf:first/rdf:rest triples of the
lists they name) included, so that the same code drives forward chaining and explanations.
A TBox rule (scm-*, cls-oo) is a `SchemaRule`, run to a fixpoint over the schema triples before
the instance data. Adding a rule means adding one entry to `CLASS_RULES`, `PROPERTY_RULES`,
`RDF_RULES`, `EQUALITY_RULES` or `SCHEMA_RULES`.

owlrl's rule set is the reference: where owlrl derives something in its own way (the chain of
a property chain axiom found from any of its links, datatypes), the rule here does the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .index import Index, Terms, Triple

if TYPE_CHECKING:
    from .tbox import Schema

# A conclusion and every premise it rests on (instance triples and axioms).
Derivation = tuple[Triple, tuple[Triple, ...]]
Fire = Callable[[Index, Terms, Triple, Any], Iterator[Derivation]]


@dataclass(frozen=True)
class Rule:
    """An ABox rule: `compile(schema, key)` gives the axioms about one class (CLASS_RULES, fired
    by `x rdf:type key`) or property (PROPERTY_RULES, fired by `x key y`); `fire` applies them."""

    name: str
    compile: Callable[[Schema, int], tuple[Any, ...]]
    fire: Fire


@dataclass(frozen=True)
class SchemaRule:
    """A TBox rule, applied to every schema triple until nothing new follows."""

    name: str
    fire: Callable[[Schema, Triple], Iterator[Derivation]]


# -- class rules: fired by t = (x rdf:type c) ----------------------------------------------------


def _each_super(kind: str) -> Callable[[Schema, int], tuple[Any, ...]]:
    def compile(schema: Schema, c: int) -> tuple[Any, ...]:
        idx, v = schema.idx, schema.terms
        if kind == "sco":
            axioms = [(c, v.SCO, d) for d in idx.objects(c, v.SCO)]
        elif kind == "eqc1":
            axioms = [(c, v.EQC, d) for d in idx.objects(c, v.EQC)]
        else:
            axioms = [(d, v.EQC, c) for d in idx.subjects(v.EQC, c)]
        return tuple((a[2] if a[0] == c else a[0], a) for a in axioms if a[0] != a[2])

    return compile


def _fire_super(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s = t[0]
    for d, axiom in data:
        yield (s, v.TYPE, d), (t, axiom)


def _compile_union(schema: Schema, c: int) -> tuple[Any, ...]:
    v = schema.terms
    return tuple(
        (u, ((u, v.UNI, head), *schema.list_triples(head)))
        for u, head, members in schema.axioms(v.UNI)
        if c in members and u != c
    )


def _fire_with_axioms(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s = t[0]
    for d, axioms in data:
        yield (s, v.TYPE, d), (t, *axioms)


def _compile_int2(schema: Schema, c: int) -> tuple[Any, ...]:
    v = schema.terms
    return tuple(
        (ci, ((c, v.INT, head), *schema.list_triples(head)))
        for head in schema.idx.objects(c, v.INT)
        for ci in schema.members(head)
    )


def _compile_hv1(schema: Schema, c: int) -> tuple[Any, ...]:
    idx, v = schema.idx, schema.terms
    return tuple(
        (pp, y, ((c, v.HV, y), (c, v.ONP, pp)))
        for y in idx.objects(c, v.HV)
        for pp in idx.objects(c, v.ONP)
    )


def _fire_hv1(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s = t[0]
    for pp, y, axioms in data:
        yield (s, pp, y), (t, *axioms)


def _compile_avf_class(schema: Schema, c: int) -> tuple[Any, ...]:
    idx, v = schema.idx, schema.terms
    return tuple(
        (pp, y, ((c, v.AVF, y), (c, v.ONP, pp)))
        for y in idx.objects(c, v.AVF)
        for pp in idx.objects(c, v.ONP)
    )


def _fire_avf_class(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s = t[0]
    for pp, y, axioms in data:
        for o in list(idx.objects(s, pp)):
            yield (o, v.TYPE, y), (t, (s, pp, o), *axioms)


def _compile_svf_filler(schema: Schema, c: int) -> tuple[Any, ...]:
    idx, v = schema.idx, schema.terms
    if c == v.THING:
        return ()
    return tuple(
        (pp, r, ((r, v.SVF, c), (r, v.ONP, pp)))
        for r in idx.subjects(v.SVF, c)
        for pp in idx.objects(r, v.ONP)
    )


def _fire_svf_filler(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s = t[0]
    for pp, r, axioms in data:
        for u in list(idx.subjects(pp, s)):
            yield (u, v.TYPE, r), ((u, pp, s), t, *axioms)


def _compile_int1(schema: Schema, c: int) -> tuple[Any, ...]:
    v = schema.terms
    return tuple(
        (i, tuple(members), ((i, v.INT, head), *schema.list_triples(head)))
        for i, head, members in schema.axioms(v.INT)
        if members and c in members
    )


def _fire_int1(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, type_ = t[0], v.TYPE
    for i, members, axioms in data:
        if all((s, type_, ci) in idx for ci in members):
            yield (s, type_, i), (*((s, type_, ci) for ci in dict.fromkeys(members)), *axioms)


CLASS_RULES: tuple[Rule, ...] = (
    Rule("cax-sco", _each_super("sco"), _fire_super),
    Rule("cax-eqc1", _each_super("eqc1"), _fire_super),
    Rule("cax-eqc2", _each_super("eqc2"), _fire_super),
    Rule("cls-uni", _compile_union, _fire_with_axioms),
    Rule("cls-int2", _compile_int2, _fire_with_axioms),
    Rule("cls-hv1", _compile_hv1, _fire_hv1),
    Rule("cls-avf", _compile_avf_class, _fire_avf_class),
    Rule("cls-svf1", _compile_svf_filler, _fire_svf_filler),
    Rule("cls-int1", _compile_int1, _fire_int1),
)


# -- property rules: fired by t = (x p y) ---------------------------------------------------------


def _axioms_about(predicate: str, where: str) -> Callable[[Schema, int], tuple[Any, ...]]:
    """(other, axiom) for each axiom `p PREDICATE other` (where='object') or `other PREDICATE p`
    (where='subject'), p itself left out."""

    def compile(schema: Schema, p: int) -> tuple[Any, ...]:
        idx, pred = schema.idx, getattr(schema.terms, predicate)
        if where == "object":
            return tuple((q, (p, pred, q)) for q in idx.objects(p, pred) if q != p)
        return tuple((q, (q, pred, p)) for q in idx.subjects(pred, p) if q != p)

    return compile


def _fire_dom(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    for c, axiom in data:
        yield (t[0], v.TYPE, c), (t, axiom)


def _fire_rng(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    for c, axiom in data:
        yield (t[2], v.TYPE, c), (t, axiom)


def _fire_spo(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    for q, axiom in data:
        yield (t[0], q, t[2]), (t, axiom)


def _fire_inv(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    for q, axiom in data:
        yield (t[2], q, t[0]), (t, axiom)


def _characteristic(kind: str) -> Callable[[Schema, int], tuple[Any, ...]]:
    """The axiom `p rdf:type owl:KIND`, when the ontology has it."""

    def compile(schema: Schema, p: int) -> tuple[Any, ...]:
        axiom = (p, schema.terms.TYPE, schema.terms.id(schema.kind(kind)))
        return (axiom,) if axiom in schema.idx else ()

    return compile


def _fire_symp(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, p, o = t
    yield (o, p, s), (t, *data)


def _fire_trp(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, p, o = t
    for z in list(idx.objects(o, p)):
        yield (s, p, z), (t, (o, p, z), *data)
    for w in list(idx.subjects(p, s)):
        yield (w, p, o), ((w, p, s), t, *data)


def _fire_fp(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, p, o = t
    for y2 in list(idx.objects(s, p)):
        if y2 != o:
            premises = (t, (s, p, y2), *data)
            yield (o, v.SAME, y2), premises
            yield (y2, v.SAME, o), premises


def _fire_ifp(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, p, o = t
    for x2 in list(idx.subjects(p, o)):
        if x2 != s:
            premises = (t, (x2, p, o), *data)
            yield (s, v.SAME, x2), premises
            yield (x2, v.SAME, s), premises


def _compile_chain(schema: Schema, p: int) -> tuple[Any, ...]:
    v = schema.terms
    return tuple(
        (target, tuple(chain), i, ((target, v.CHAIN, head), *schema.list_triples(head)))
        for target, head, chain in schema.axioms(v.CHAIN)
        for i, q in enumerate(chain)
        if q == p
    )


def _fire_chain(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    """prp-spo2 from any link of the chain: walk back to the chain's start and on to its end,
    one path per end node (a conclusion needs one)."""
    s, _, o = t
    for target, chain, i, axioms in data:
        starts: dict[int, tuple[Triple, ...]] = {s: ()}
        for q in reversed(chain[:i]):
            starts = {
                x: ((x, q, y), *path) for y, path in starts.items() for x in idx.subjects(q, y)
            }
        ends: dict[int, tuple[Triple, ...]] = {o: ()}
        for q in chain[i + 1 :]:
            ends = {z: (*path, (y, q, z)) for y, path in ends.items() for z in idx.objects(y, q)}
        for u, before in starts.items():
            for z, after in ends.items():
                yield (u, target, z), (*before, t, *after, *axioms)


def _restrictions_on(
    kind: str, thing: bool | None = None
) -> Callable[[Schema, int], tuple[Any, ...]]:
    """(restriction, filler, axioms) for each restriction on p with owl:KIND (`thing`: only
    the fillers that are, or are not, owl:Thing)."""

    def compile(schema: Schema, p: int) -> tuple[Any, ...]:
        idx, v = schema.idx, schema.terms
        pred = getattr(v, kind)
        return tuple(
            (r, y, ((r, v.ONP, p), (r, pred, y)))
            for r in idx.subjects(v.ONP, p)
            for y in idx.objects(r, pred)
            if thing is None or (y == v.THING) == thing
        )

    return compile


def _fire_svf(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, _, o = t
    for r, y, axioms in data:
        if (o, v.TYPE, y) in idx:
            yield (s, v.TYPE, r), (t, (o, v.TYPE, y), *axioms)


def _fire_svf2(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    for r, _, axioms in data:
        yield (t[0], v.TYPE, r), (t, *axioms)


def _fire_hv2(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, _, o = t
    for r, y, axioms in data:
        if o == y:
            yield (s, v.TYPE, r), (t, *axioms)


def _fire_avf(idx: Index, v: Terms, t: Triple, data: Any) -> Iterator[Derivation]:
    s, _, o = t
    for r, y, axioms in data:
        if (s, v.TYPE, r) in idx:
            yield (o, v.TYPE, y), ((s, v.TYPE, r), t, *axioms)


PROPERTY_RULES: tuple[Rule, ...] = (
    Rule("prp-dom", _axioms_about("DOMAIN", "object"), _fire_dom),
    Rule("prp-rng", _axioms_about("RANGE", "object"), _fire_rng),
    Rule("prp-spo1", _axioms_about("SPO", "object"), _fire_spo),
    Rule("prp-eqp1", _axioms_about("EQP", "object"), _fire_spo),
    Rule("prp-eqp2", _axioms_about("EQP", "subject"), _fire_spo),
    Rule("prp-inv1", _axioms_about("INV", "object"), _fire_inv),
    Rule("prp-inv2", _axioms_about("INV", "subject"), _fire_inv),
    Rule("prp-symp", _characteristic("SymmetricProperty"), _fire_symp),
    Rule("prp-trp", _characteristic("TransitiveProperty"), _fire_trp),
    Rule("prp-fp", _characteristic("FunctionalProperty"), _fire_fp),
    Rule("prp-ifp", _characteristic("InverseFunctionalProperty"), _fire_ifp),
    Rule("prp-spo2", _compile_chain, _fire_chain),
    Rule("cls-svf1", _restrictions_on("SVF", thing=False), _fire_svf),
    Rule("cls-svf2", _restrictions_on("SVF", thing=True), _fire_svf2),
    Rule("cls-hv2", _restrictions_on("HV"), _fire_hv2),
    Rule("cls-avf", _restrictions_on("AVF"), _fire_avf),
)


# -- fired by every triple: RDF's rdf1, and equality once owl:sameAs is in use ---------------------


@dataclass(frozen=True)
class TripleRule:
    """A rule fired by every triple: rdf1, or an eq-* rule (with the triple as the equality, or
    as the triple it rewrites)."""

    name: str
    fire: Callable[[Index, Terms, Triple], Iterator[Derivation]]


def _rdf1(idx: Index, v: Terms, t: Triple) -> Iterator[Derivation]:
    """RDF entailment rule rdf1 (RDF 1.1 Semantics, 8.1): a predicate is an rdf:Property."""
    yield (t[1], v.TYPE, v.PROPERTY), (t,)


RDF_RULES: tuple[TripleRule, ...] = (TripleRule("rdf1", _rdf1),)


def _eq_sym(idx: Index, v: Terms, t: Triple) -> Iterator[Derivation]:
    if t[1] == v.SAME:
        yield (t[2], v.SAME, t[0]), (t,)


def _eq_trans(idx: Index, v: Terms, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    same = v.SAME
    if p == same:
        for z in list(idx.objects(o, same)):
            yield (s, same, z), (t, (o, same, z))
        for x in list(idx.subjects(same, s)):
            yield (x, same, o), ((x, same, s), t)


def _eq_rep_s(idx: Index, v: Terms, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    same = v.SAME
    if p == same:
        for pred, objects in list(idx.spo.get(s, {}).items()):
            for obj in list(objects):
                yield (o, pred, obj), ((s, pred, obj), t)
    if same in idx.pos:
        for s2 in list(idx.objects(s, same)):
            yield (s2, p, o), (t, (s, same, s2))


def _eq_rep_p(idx: Index, v: Terms, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    same = v.SAME
    if p == same:
        for obj, subjects in list(idx.pos.get(s, {}).items()):
            for subj in list(subjects):
                yield (subj, o, obj), ((subj, s, obj), t)
    if same in idx.pos:
        for p2 in list(idx.objects(p, same)):
            yield (s, p2, o), (t, (p, same, p2))


def _eq_rep_o(idx: Index, v: Terms, t: Triple) -> Iterator[Derivation]:
    """owlrl also rewrites with an equality read backwards; the premise cited is then its
    eq-sym mirror, which the closure holds too."""
    s, p, o = t
    same = v.SAME
    if p == same:
        for subj, preds in list(idx.osp.get(o, {}).items()):
            for pred in list(preds):
                yield (subj, pred, s), ((subj, pred, o), (o, same, s))
    if same in idx.pos:
        for o2 in list(idx.subjects(same, o)):
            yield (s, p, o2), (t, (o, same, o2))


EQUALITY_RULES: tuple[TripleRule, ...] = (
    TripleRule("eq-sym", _eq_sym),
    TripleRule("eq-trans", _eq_trans),
    TripleRule("eq-rep-s", _eq_rep_s),
    TripleRule("eq-rep-p", _eq_rep_p),
    TripleRule("eq-rep-o", _eq_rep_o),
)


# -- schema rules: fired by schema triples, to a fixpoint ------------------------------------------


def _scm_cls(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    if p == v.TYPE and o == v.CLASS:
        for c in ((s, v.SCO, s), (s, v.EQC, s), (s, v.SCO, v.THING), (v.NOTHING, v.SCO, s)):
            yield c, (t,)


def _scm_property(kinds: tuple[str, ...]) -> Callable[[Schema, Triple], Iterator[Derivation]]:
    """scm-op and scm-dp (rdf:Property counts as an object property, as in owlrl)."""

    def fire(schema: Schema, t: Triple) -> Iterator[Derivation]:
        s, p, o = t
        v = schema.terms
        if p == v.TYPE and o in {v.id(schema.kind(k)) for k in kinds}:
            yield (s, v.SPO, s), (t,)
            yield (s, v.EQP, s), (t,)

    return fire


def _scm_sco(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    if p == v.SCO and s != o:
        for c3 in schema.idx.objects(o, v.SCO):
            if c3 != s:
                yield (s, v.SCO, c3), (t, (o, v.SCO, c3))


def _scm_eqc2(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    if p == v.SCO and (o, v.SCO, s) in schema.idx:
        yield (s, v.EQC, o), (t, (o, v.SCO, s))


def _scm_eqc1(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    if p == v.EQC and s != o:
        yield (s, v.SCO, o), (t,)
        yield (o, v.SCO, s), (t,)


def _scm_spo(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    if p == v.SPO and s != o:
        for p3 in schema.idx.objects(o, v.SPO):
            if p3 != s:
                yield (s, v.SPO, p3), (t, (o, v.SPO, p3))


def _scm_eqp2(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    if p == v.SPO and s != o and (o, v.SPO, s) in schema.idx:
        yield (s, v.EQP, o), (t, (o, v.SPO, s))


def _scm_eqp1(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    if p == v.EQP and s != o:
        yield (s, v.SPO, o), (t,)
        yield (o, v.SPO, s), (t,)


def _scm_widen(which: str) -> Callable[[Schema, Triple], Iterator[Derivation]]:
    """scm-dom1 and scm-rng1: a domain or range widens along rdfs:subClassOf."""

    def fire(schema: Schema, t: Triple) -> Iterator[Derivation]:
        s, p, o = t
        v = schema.terms
        if p == getattr(v, which):
            for c2 in schema.idx.objects(o, v.SCO):
                if c2 != o:
                    yield (s, p, c2), (t, (o, v.SCO, c2))

    return fire


def _scm_inherit(which: str) -> Callable[[Schema, Triple], Iterator[Derivation]]:
    """scm-dom2 and scm-rng2: a domain or range holds for every subproperty."""

    def fire(schema: Schema, t: Triple) -> Iterator[Derivation]:
        s, p, o = t
        v = schema.terms
        if p == getattr(v, which):
            for p1 in schema.idx.subjects(v.SPO, s):
                if p1 != s:
                    yield (p1, p, o), (t, (p1, v.SPO, s))

    return fire


def _scm_hv(schema: Schema, t: Triple) -> Iterator[Derivation]:
    s, p, o = t
    v = schema.terms
    idx = schema.idx
    if p == v.HV:
        for p1 in idx.objects(s, v.ONP):
            for c2 in idx.subjects(v.HV, o):
                for p2 in idx.objects(c2, v.ONP):
                    if (p1, v.SPO, p2) in idx:
                        premises = (t, (s, v.ONP, p1), (c2, v.HV, o), (c2, v.ONP, p2))
                        yield (s, v.SCO, c2), (*premises, (p1, v.SPO, p2))
                        break


def _scm_filler(which: str) -> Callable[[Schema, Triple], Iterator[Derivation]]:
    """scm-svf1 and scm-avf1: the same property, a narrower (wider) filler."""

    def fire(schema: Schema, t: Triple) -> Iterator[Derivation]:
        s, p, o = t
        v = schema.terms
        idx = schema.idx
        if p == getattr(v, which):
            for pp in idx.objects(s, v.ONP):
                for c2 in idx.subjects(v.ONP, pp):
                    for y2 in idx.objects(c2, p):
                        if (o, v.SCO, y2) in idx:
                            premises = (t, (s, v.ONP, pp), (c2, p, y2), (c2, v.ONP, pp))
                            yield (s, v.SCO, c2), (*premises, (o, v.SCO, y2))
                            break

    return fire


def _scm_on_subproperty(which: str) -> Callable[[Schema, Triple], Iterator[Derivation]]:
    """scm-svf2 and scm-avf2: the same filler on a subproperty (avf: the other way round)."""

    def fire(schema: Schema, t: Triple) -> Iterator[Derivation]:
        s, p, o = t
        v = schema.terms
        idx = schema.idx
        if p == getattr(v, which):
            for p1 in idx.objects(s, v.ONP):
                for c2 in idx.subjects(p, o):
                    for p2 in idx.objects(c2, v.ONP):
                        if (p1, v.SPO, p2) in idx:
                            premises = (t, (s, v.ONP, p1), (c2, p, o), (c2, v.ONP, p2))
                            conclusion = (s, v.SCO, c2) if p == v.SVF else (c2, v.SCO, s)
                            yield conclusion, (*premises, (p1, v.SPO, p2))
                            break

    return fire


def _list_members(
    which: str, conclusion: Callable[[Terms, int, int], Triple]
) -> Callable[[Schema, Triple], Iterator[Derivation]]:
    """scm-int, scm-uni and cls-oo: one conclusion per member of the axiom's RDF list, with
    the list's own triples among the premises."""

    def fire(schema: Schema, t: Triple) -> Iterator[Derivation]:
        s, p, o = t
        v = schema.terms
        if p == getattr(v, which):
            lists = schema.list_triples(o)
            for member in schema.members(o):
                yield conclusion(v, s, member), (t, *lists)

    return fire


SCHEMA_RULES: tuple[SchemaRule, ...] = (
    SchemaRule("scm-cls", _scm_cls),
    SchemaRule("scm-op", _scm_property(("ObjectProperty", "Property"))),
    SchemaRule("scm-dp", _scm_property(("DatatypeProperty",))),
    SchemaRule("scm-sco", _scm_sco),
    SchemaRule("scm-eqc2", _scm_eqc2),
    SchemaRule("scm-eqc1", _scm_eqc1),
    SchemaRule("scm-spo", _scm_spo),
    SchemaRule("scm-eqp2", _scm_eqp2),
    SchemaRule("scm-eqp1", _scm_eqp1),
    SchemaRule("scm-dom1", _scm_widen("DOMAIN")),
    SchemaRule("scm-rng1", _scm_widen("RANGE")),
    SchemaRule("scm-dom2", _scm_inherit("DOMAIN")),
    SchemaRule("scm-rng2", _scm_inherit("RANGE")),
    SchemaRule("scm-hv", _scm_hv),
    SchemaRule("scm-svf1", _scm_filler("SVF")),
    SchemaRule("scm-avf1", _scm_filler("AVF")),
    SchemaRule("scm-svf2", _scm_on_subproperty("SVF")),
    SchemaRule("scm-avf2", _scm_on_subproperty("AVF")),
    SchemaRule("scm-int", _list_members("INT", lambda v, c, ci: (c, v.SCO, ci))),
    SchemaRule("scm-uni", _list_members("UNI", lambda v, c, ci: (ci, v.SCO, c))),
    SchemaRule("cls-oo", _list_members("ONEOF", lambda v, c, y: (y, v.TYPE, c))),
)


# -- datatypes: owlrl's one-time rules, which see asserted triples only --------------------------


def datatype_derivations(schema: Schema, t: Triple) -> Iterator[tuple[str, Derivation]]:
    """dt-type2 (a literal of an OWL RL datatype is of that type) and the datatype hierarchy
    of the OWL 2 datatype map (cited as cax-sco with the map's subsumption as its axiom)."""
    s, p, o = t
    v = schema.terms
    dt = schema.literal_datatype(o)
    if dt is not None:
        typed = (o, v.TYPE, dt)
        yield "dt-type2", (typed, (t,))
        for sup in schema.subsumptions.get(dt, ()):
            yield "cax-sco", ((o, v.TYPE, sup), (typed, (dt, v.SCO, sup)))
    if p == v.TYPE and o in schema.datatypes and not v.literal[s]:
        for sup in schema.subsumptions.get(o, ()):
            yield "cax-sco", ((s, v.TYPE, sup), (t, (o, v.SCO, sup)))
