"""OWL 2 RL closure with owlrl, kept apart from the asserted facts.

owlrl runs (without its process-wide datatype switch, which would race with
query threads) on a copy of the asserted quads and writes into a scratch graph; we keep only what
is new and useful. Dropped as noise (documented in the README):
- triples already asserted in any graph;
- triples whose subject is a literal (owlrl's literal proxies);
- reflexive triples (x owl:sameAs x, C rdfs:subClassOf C, C owl:equivalentClass C, ...);
- triples about the RDF, RDFS, OWL and XSD vocabularies themselves (axiomatic triples);
- `x rdf:type owl:Thing` and `rdfs:Resource`, which hold for every individual.
owlrl's OWL 2 RL rules lack RDF entailment's rule rdf1, so it is added here: every predicate in
use is an rdf:Property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import owlrl
from owlrl.DatatypeHandling import AltXSDToPYTHON
from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
REFLEXIVE_NOISE = frozenset(
    {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
)
UNIVERSAL_TYPES = frozenset({OWL.Thing, RDFS.Resource})
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


def is_noise_subject(term: Node) -> bool:
    """Whether every inferred triple about `term` is noise: a literal, or a term of the RDF,
    RDFS, OWL and XSD vocabularies."""
    if isinstance(term, Literal):
        return True
    return isinstance(term, URIRef) and str(term).startswith(_BUILTIN)


def is_noise(s: Node, p: Node, o: Node) -> bool:
    """True for inferred triples that no user wants in answers (see module docstring)."""
    if is_noise_subject(s):
        return True
    if s == o and p in REFLEXIVE_NOISE:
        return True
    return p == RDF.type and o in UNIVERSAL_TYPES


# The XSD lexical space of xsd:double and xsd:float. owlrl's check of these (rule dt-not-type)
# refuses zero, INF and NaN, which are valid values: cajkg checks them itself.
_FLOATING = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN")
_FLOATING_TYPES = frozenset({XSD.double, XSD.float})


def lexical_error(literal: Literal) -> str | None:
    """owlrl's message when a literal's lexical form is not in its datatype's lexical space
    (owlrl's check, except for xsd:double and xsd:float, which follow the XSD grammar)."""
    if literal.datatype in _FLOATING_TYPES:
        if _FLOATING.fullmatch(str(literal)):
            return None
    else:
        try:
            AltXSDToPYTHON.get(literal.datatype, str)(str(literal))
            return None
        except ValueError:
            pass
    return _lexical_message(literal)


def _lexical_message(literal: Literal) -> str:
    return (
        f"Lexical value of the literal '{literal}' does not match its datatype ({literal.datatype})"
    )


def _false_alarms(graph: Graph) -> set[str]:
    """owlrl's messages about valid xsd:double and xsd:float literals (0, INF, NaN)."""
    return {
        _lexical_message(o)
        for o in graph.objects()
        if isinstance(o, Literal) and o.datatype in _FLOATING_TYPES and lexical_error(o) is None
    }


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
        errors = sorted(set(errors) - _false_alarms(work))
    if errors:
        raise InconsistencyError(errors)
    for predicate in {p for _, p, _, _ in work.quads((None, None, None, None))}:
        scratch.add((predicate, RDF.type, RDF.Property))  # RDF entailment rule rdf1
    inferred = Graph()
    for s, p, o in scratch:
        if is_noise(s, p, o) or (s, p, o) in asserted:
            continue
        inferred.add((s, p, o))
    return Closure(inferred)


def infer_with_owlrl(asserted: Dataset) -> Graph:
    """The inferred triples for `asserted` (what the cjg:inferred graph holds)."""
    return closure(asserted).inferred
