"""Which inferred graph an inferred triple belongs in: the instance facts people query
(`cjg:inferred`), or the inferences about the schema (`cjg:inferred-schema`).

The reasoner computes one OWL 2 RL closure (owlrl's, noise left out); every place that writes it
(the build, the embedded stores' writes and loads, the sparql store, push, the bench) splits it
with `is_schema`, a function of the triple alone, so an incremental change is routed the same
way as a full closure, and a triple never moves between the two graphs.

Schema-level, and kept out of the default graph of queries unless `infer=full`:
- a triple whose predicate states a class or property axiom (`rdfs:subClassOf`, `rdfs:domain`,
  `owl:equivalentClass`, `owl:onProperty`, ...): the subclass, domain and range closure and the
  axioms of anonymous classes (restrictions, intersections, whose subject is a blank node);
- `x rdf:type M` where M is a class of classes or of properties (`owl:Class`, `rdf:Property`,
  `owl:TransitiveProperty`, ...): the typings of the ontology's own terms (RDF's rule rdf1);
- `x rdf:type _:b`, a typing to an anonymous class (an OWL restriction): true, but it names no
  class a person can ask for, and a blank node in an answer cannot be asked about again.
A blank-node subject alone does not make a triple schema-level: blank nodes in the data (a
user's `INSERT DATA { _:x a ... }`, a W3C test's individuals) are instances.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from cajkg.graph.iris import G_INFERRED, G_INFERRED_SCHEMA
from cajkg.graph.reasoner import tbox

Triple = tuple[Node, Node, Node]

# A query's inference: False the asserted merge only, True with cjg:inferred (the default),
# FULL with cjg:inferred-schema too (the whole OWL 2 RL closure, as the W3C regimes ask).
FULL: Literal["full"] = "full"
Infer = bool | Literal["full"]

# The reasoner's own notion of schema (`reasoner.tbox`: what it compiles) is the base; it also
# reads RDF lists, owl:AllDifferent and negative property assertions, which may describe
# individuals, and it leaves out what it does not compile (cardinalities, datatypes, ...).
_ABOUT_INDIVIDUALS = frozenset(
    {
        RDF.first,
        RDF.rest,
        OWL.members,
        OWL.distinctMembers,
        OWL.sourceIndividual,
        OWL.assertionProperty,
        OWL.targetIndividual,
        OWL.targetValue,
        OWL.AllDifferent,
    }
)
SCHEMA_PREDICATES = (frozenset(tbox.SCHEMA_PREDICATES) - _ABOUT_INDIVIDUALS) | {
    OWL.disjointUnionOf,
    OWL.onProperties,
    OWL.onDataRange,
    OWL.onDatatype,
    OWL.withRestrictions,
    OWL.datatypeComplementOf,
    OWL.hasSelf,
    OWL.cardinality,
    OWL.minCardinality,
    OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality,
}
# Classes whose members are classes or properties. owl:NamedIndividual, owl:Thing, rdf:List,
# owl:AllDifferent and owl:NegativePropertyAssertion are not among them: they type individuals.
METACLASSES = (frozenset(tbox.META_CLASSES) - _ABOUT_INDIVIDUALS) | {
    RDFS.Datatype,
    RDFS.ContainerMembershipProperty,
    OWL.DataRange,
    OWL.OntologyProperty,
    OWL.ReflexiveProperty,
    OWL.DeprecatedClass,
    OWL.DeprecatedProperty,
}


def is_schema(triple: Triple) -> bool:
    """Whether an inferred triple goes to the schema graph (see the module docstring)."""
    _, p, o = triple
    if p == RDF.type:
        return isinstance(o, BNode) or o in METACLASSES
    return p in SCHEMA_PREDICATES


def in_default_graph(triple: Triple, infer: Infer) -> bool:
    """Whether an inferred triple is in the default graph of a query with `infer`."""
    if infer == FULL:
        return True
    return bool(infer) and not is_schema(triple)


def parse_infer(text: str) -> Infer | None:
    """The value of an `infer=` parameter (true, false, full; any case); None when invalid."""
    values: dict[str, Infer] = {"true": True, "false": False, FULL: FULL}
    return values.get(text.lower())


class InferredGraphs:
    """The two graph names the inferred triples go to (under the deployment's base)."""

    def __init__(self, instance: URIRef = G_INFERRED, schema: URIRef = G_INFERRED_SCHEMA) -> None:
        self.instance, self.schema = instance, schema

    @property
    def names(self) -> tuple[URIRef, URIRef]:
        """Both graphs, the instance facts first."""
        return (self.instance, self.schema)

    def of(self, triple: Triple) -> URIRef:
        """The graph an inferred triple goes to."""
        return self.schema if is_schema(triple) else self.instance

    def in_default(self, infer: Infer) -> tuple[URIRef, ...]:
        """The inferred graphs that a query with `infer` reads as part of its default graph."""
        if infer == FULL:
            return self.names
        return (self.instance,) if infer else ()

    def split(self, triples: Iterable[Triple]) -> dict[URIRef, Graph]:
        """The triples as one graph per name (both present, maybe empty)."""
        graphs = {name: Graph(identifier=name) for name in self.names}
        for triple in triples:
            graphs[self.of(triple)].add(triple)
        return graphs
