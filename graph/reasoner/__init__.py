"""Incremental OWL 2 RL materialization that reproduces owlrl's closure in milliseconds per update.

owlrl (`cajkg.graph.reason.closure`) stays the reference semantics; this package computes the same
inferred graph (its noise rules included) faster:

- `index`: terms are interned to integers and held in three hash indexes (spo, pos, osp).
- `tbox`: the schema (class and property axioms, restrictions, lists) is closed first with
  owlrl's own scm-* rules, then compiled into per-class and per-property plans: what a new
  `x rdf:type C` or `x p y` entails, found by one dictionary lookup.
- `rules`: every rule, one entry each, named as in the W3C OWL 2 RL rule tables (cax-sco,
  prp-spo2, cls-svf1, eq-rep-s, scm-sco, ...); each firing also says which premises and axioms
  it used, which is what `cajkg.graph.explain` builds proofs from.
- `materializer`: instance data (ABox) is saturated by semi-naive forward chaining: each new
  triple is joined once against the indexes, through every premise of every rule. `add`
  computes only the consequences of the new triples. `remove` runs delete-and-rederive (DRed):
  it over-deletes everything derivable from the retracted triples, then re-derives what another
  derivation still supports. Every OWL RL rule owlrl implements has a premise that mentions the
  subject of its conclusion, so re-firing the rules on the remaining triples around the
  over-deleted subjects finds every alternative derivation. A change to the schema (or to the
  set of datatypes in use) recompiles and re-materializes in full; a construct this package does
  not compile (owl:hasKey, max cardinalities) or a schema triple derived from instance data
  switches the instance to owlrl itself.
- `checks`: inconsistencies (disjointness, asymmetry, sameAs/differentFrom, ill-typed literals,
  ...) are reported with owlrl's messages; `add` is atomic and rolls back an update that makes
  the graph inconsistent. `literal_error` is the one lexical check of a typed literal.
- `adapter`: the one protocol a store calls (`Reasoner`: `seed`, or `resume` from the inferred
  graph a store kept, then `change` per write), the `IncrementalReasoner` that implements it,
  and `Recomputing` for a whole-graph function.
- `neighbourhood` and `tracking`: the same rules for a store that keeps its data elsewhere (the
  sparql store): over the part of the store's closure a change reaches, or, for a whole-graph
  function, seeded from the store and fed each write's change.

Everything runs in pure Python: the work per update is proportional to the change, and CPython
hands the GIL to other threads every few milliseconds even during a full rebuild, so a store can
call this on its write path or in a worker thread.
"""

from __future__ import annotations

from .adapter import (
    FINGERPRINT,
    IncrementalReasoner,
    Inference,
    Reasoner,
    Recomputing,
    as_reasoner,
    infer,
)
from .delta import Delta
from .materializer import Materializer

__all__ = [
    "FINGERPRINT",
    "Delta",
    "IncrementalReasoner",
    "Inference",
    "Materializer",
    "Reasoner",
    "Recomputing",
    "as_reasoner",
    "infer",
]
