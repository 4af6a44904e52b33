"""What a retraction would do to the closure, computed without changing it.

`retraction(m, triples)` answers "which inferred triples would disappear if these assertions
were retracted?" exactly as `Materializer.remove` would, but reads the materializer only (the
live store's reasoner is never touched): it runs the two phases of delete-and-rederive (DRed)
on the side.

1. Over-delete: every triple derivable, in one or more rule applications, from a retracted
   triple (the same walk as `Materializer._retract`, with the same kept schema facts).
2. Re-derive: the least fixpoint of "a doomed triple survives when one of its one-step
   derivations uses only triples that remain (not doomed, or doomed and surviving)". The
   derivations are read from the current closure, which holds every triple the smaller one
   can hold, so the fixpoint finds every alternative derivation: a triple still derivable
   another way does not disappear. The triggers are the ones DRed fires from (every triple
   around a doomed triple's subject) and the explanations' extra ones (the object's triples,
   domain and range); rule rdf1 is checked against every use of the property.

Retracting a schema triple (an ontology axiom), or a graph the incremental reasoner hands to
owlrl, makes the real reasoner recompile and re-materialize in full; so does this, on a fresh
materializer built from the asserted triples that would remain (a scratch copy).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .index import RDFTriple, Triple
from .materializer import Materializer
from .rules import datatype_derivations


@dataclass(frozen=True)
class Retraction:
    """The consequences of retracting some assertions (each one assertion of a triple)."""

    removed: frozenset[RDFTriple]  # inferred triples that would disappear
    now_inferred: frozenset[RDFTriple]  # retracted triples still derivable: they become inferred
    gone: frozenset[RDFTriple]  # triples that would no longer be asserted
    still_asserted: frozenset[RDFTriple]  # retracted here, but asserted in another graph too
    recomputed: bool  # True when the answer came from a full re-materialization


def retraction(m: Materializer, triples: Iterable[RDFTriple]) -> Retraction:
    """What `m.remove(triples)` would change, computed without changing `m` (hold the store's
    write lock, as for explanations). Triples never asserted are ignored, as by `remove`."""
    counts: Counter[Triple] = Counter()
    for t in triples:
        found = m.terms.find(t)
        if found is not None and found in m._asserted:
            counts[found] += 1
    gone = {t for t, n in counts.items() if m._asserted[t] <= n}
    still = {t for t in counts if t not in gone}
    if m.mode != "incremental" or any(m.schema.is_schema(t) for t in gone):
        return _recomputed(m, counts, gone, still)
    survivors, dead = _dred(m, gone)
    decode = m.terms.decode
    removed = {decode(t) for t in dead if t not in gone and not m._is_noise(t)}
    return Retraction(
        removed=frozenset(removed),
        now_inferred=frozenset(decode(t) for t in gone if t in survivors and not m._is_noise(t)),
        gone=frozenset(decode(t) for t in gone),
        still_asserted=frozenset(decode(t) for t in still),
        recomputed=False,
    )


def _dred(m: Materializer, gone: set[Triple]) -> tuple[set[Triple], set[Triple]]:
    """The doomed triples that survive, and those that do not."""
    idx, asserted, kept = m.idx, m._asserted, m.schema.facts
    doomed = {t for t in gone if t not in kept}
    stack = list(doomed)
    while stack:
        for _, c, _ in m.derivations(stack.pop()):
            if c in idx and c not in doomed and c not in kept and (c not in asserted or c in gone):
                doomed.add(c)
                stack.append(c)
    derivations = _derivations(m, doomed, gone)
    alive: set[Triple] = set()
    v = m.terms
    changed = True
    while changed:
        changed = False
        for t in doomed:
            if t in alive:
                continue
            if t[1] == v.TYPE and t[2] == v.PROPERTY and _used(m, t[0], doomed, alive):
                alive.add(t)
                changed = True
                continue
            for premises in derivations.get(t, ()):
                if all(q not in doomed or q in alive for q in premises):
                    alive.add(t)
                    changed = True
                    break
    return alive, doomed - alive


def _used(m: Materializer, p: int, doomed: set[Triple], alive: set[Triple]) -> bool:
    """Rule rdf1: whether a remaining triple uses p as its predicate."""
    return any((s, p, o) not in doomed or (s, p, o) in alive for s, o in m.idx.pairs(p))


def _triggers(m: Materializer, doomed: set[Triple]) -> Iterator[Triple]:
    """The triples whose rule applications may conclude a doomed triple."""
    idx, v = m.idx, m.terms
    seen: set[int] = set()
    for s, p, o in doomed:
        if s not in seen:
            seen.add(s)
            yield from idx.around(s)
        if o not in seen and o != s:
            yield from (
                (o, q, z) for q, objects in list(idx.spo.get(o, {}).items()) for z in objects
            )
        if p in (v.DOMAIN, v.RANGE):
            yield from ((y, p, o) for y in idx.subjects(p, o))


def _derivations(
    m: Materializer, doomed: set[Triple], gone: set[Triple]
) -> dict[Triple, list[tuple[Triple, ...]]]:
    """Every one-step derivation of each doomed triple in the current closure (its premises),
    without the one-time datatype rules of a retracted triple, which fire on asserted ones."""
    found: dict[Triple, list[tuple[Triple, ...]]] = {}
    once: set[tuple[str, Triple, tuple[Triple, ...]]] = set()
    for g in gone:
        once.update(
            (name, c, premises) for name, (c, premises) in datatype_derivations(m.schema, g)
        )
    idx, axiomatic = m.idx, m.schema.subsumptions
    done: set[Triple] = set()
    for trigger in _triggers(m, doomed):
        if trigger in done:
            continue
        done.add(trigger)
        for name, c, premises in m.derivations(trigger):
            if c not in doomed or c in premises or (name, c, premises) in once:
                continue
            if all(q in idx or q[2] in axiomatic.get(q[0], ()) for q in premises):
                found.setdefault(c, []).append(premises)
    return found


def _recomputed(
    m: Materializer, counts: Counter[Triple], gone: set[Triple], still: set[Triple]
) -> Retraction:
    """A fresh materializer over the asserted triples that would remain, compared."""
    decode = m.terms.decode
    remaining = (m._asserted - counts).elements()
    scratch = Materializer(decode(t) for t in remaining)
    before, after = set(m.inferred_triples()), set(scratch.inferred_triples())
    gone_rdf = {decode(t) for t in gone}
    return Retraction(
        removed=frozenset(before - after),
        now_inferred=frozenset((after - before) & gone_rdf),
        gone=frozenset(gone_rdf),
        still_asserted=frozenset(decode(t) for t in still),
        recomputed=True,
    )
