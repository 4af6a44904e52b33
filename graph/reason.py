"""OWL 2 RL closure with owlrl, kept apart from the asserted facts.

owlrl runs (without its process-wide datatype switch, which would race with
query threads) on a copy of the asserted quads and writes into a scratch graph; we keep only what
is new and useful. Dropped as noise (documented in the README):
- triples already asserted in any graph;
- triples whose subject is a literal (owlrl's literal proxies);
- reflexive triples (x owl:sameAs x, C rdfs:subClassOf C, C owl:equivalentClass C, ...);
- triples about the RDF, RDFS, OWL and XSD vocabularies themselves (axiomatic triples);
- `x rdf:type owl:Thing` and `rdfs:Resource`, which hold for every individual.
"""

from __future__ import annotations

from dataclasses import dataclass

import owlrl
from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
_REFLEXIVE_NOISE = {
    OWL.sameAs,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
}
_UNIVERSAL_TYPES = {OWL.Thing, RDFS.Resource}
_SCRATCH = URIRef("urn:cajkg:reasoner-scratch")


class InconsistencyError(Exception):
    """The ontology and facts contradict each other; `messages` say where."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Closure:
    """The useful inferred triples."""

    inferred: Graph


def _builtin(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(_BUILTIN)


def is_noise(s: Node, p: Node, o: Node) -> bool:
    """True for inferred triples that no user wants in answers (see module docstring)."""
    if isinstance(s, Literal) or _builtin(s):
        return True
    if s == o and p in _REFLEXIVE_NOISE:
        return True
    return p == RDF.type and o in _UNIVERSAL_TYPES


def closure(asserted: Dataset) -> Closure:
    """Compute the OWL 2 RL closure of every graph in `asserted`; never modifies it."""
    work = Dataset()
    for s, p, o, g in asserted.quads((None, None, None, None)):
        work.graph(g).add((s, p, o))
    scratch = work.graph(_SCRATCH)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(
        work, destination=scratch
    )
    errors = sorted(str(msg) for msg in scratch.objects(None, _ERR.error))
    if errors:
        raise InconsistencyError(errors)
    inferred = Graph()
    for s, p, o in scratch:
        if is_noise(s, p, o) or (s, p, o) in asserted:
            continue
        inferred.add((s, p, o))
    return Closure(inferred)


def infer(asserted: Dataset) -> Graph:
    """The inferred triples for `asserted` (what the cjg:inferred graph holds)."""
    return closure(asserted).inferred
