"""The ontology graph read as documentation: classes, properties, concepts, alignments.

Class expressions (unions, restrictions, property chains) become short token lists (IRIs and
words) that a template can link without ever building markup in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

Tokens = list[URIRef | str]

CHARACTERISTICS = {
    OWL.TransitiveProperty: "transitive",
    OWL.SymmetricProperty: "symmetric",
    OWL.AsymmetricProperty: "asymmetric",
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.ReflexiveProperty: "reflexive",
    OWL.IrreflexiveProperty: "irreflexive",
}
PROPERTY_KINDS = {
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "data property",
    OWL.AnnotationProperty: "annotation property",
}
_RESTRICTIONS = ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value"))


def expression(g: Graph, node: Node) -> Tokens:
    """A class expression as tokens: an IRI, 'A or B', 'p some C', 'p ∘ q'."""
    if isinstance(node, URIRef):
        return [node]
    for key, word in ((OWL.unionOf, "or"), (OWL.intersectionOf, "and")):
        members = g.value(node, key)
        if members is not None:
            return _join(g, Collection(g, members), word)
    prop = g.value(node, OWL.onProperty)
    for key, word in _RESTRICTIONS:
        value = g.value(node, key)
        if prop is not None and value is not None:
            filler = expression(g, value) if not isinstance(value, Literal) else [str(value)]
            return [*expression(g, prop), word, *filler]
    if isinstance(node, BNode) and (node, RDF.first, None) in g:
        return _join(g, Collection(g, node), "∘")
    return ["(anonymous)"]


def _join(g: Graph, items: Iterable[Node], word: str) -> Tokens:
    tokens: Tokens = []
    for i, item in enumerate(items):
        if i:
            tokens.append(word)
        tokens.extend(expression(g, item))
    return tokens


def _texts(g: Graph, iri: URIRef, prop: URIRef) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for value in g.objects(iri, prop):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", []).append(str(value))
    return {lang: sorted(values) for lang, values in sorted(found.items())}


@dataclass
class Term:
    """One term of the vocabulary with everything its documentation shows."""

    iri: URIRef
    kind: str
    labels: dict[str, list[str]]
    definitions: dict[str, list[str]]
    comments: dict[str, list[str]]
    examples: dict[str, list[str]]
    supers: list[Tokens] = field(default_factory=list)
    equivalents: list[Tokens] = field(default_factory=list)
    subs: list[URIRef] = field(default_factory=list)
    domains: list[Tokens] = field(default_factory=list)
    ranges: list[Tokens] = field(default_factory=list)
    inverses: list[URIRef] = field(default_factory=list)
    chains: list[Tokens] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    disjoint: list[URIRef] = field(default_factory=list)
    see_also: list[Node] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The local name (the fragment of a hash IRI, the last path segment otherwise)."""
        text = str(self.iri)
        return text.rsplit("#", 1)[-1] if "#" in text else text.rstrip("/").rsplit("/", 1)[-1]

    def label(self, lang: str = "en") -> str:
        """The label in a language, falling back to any label, then the local name."""
        for values in (self.labels.get(lang), *self.labels.values()):
            if values:
                return values[0]
        return self.name


def _term(g: Graph, iri: URIRef, kind: str) -> Term:
    term = Term(
        iri,
        kind,
        _texts(g, iri, RDFS.label) or _texts(g, iri, SKOS.prefLabel),
        _texts(g, iri, SKOS.definition),
        _texts(g, iri, RDFS.comment),
        _texts(g, iri, SKOS.example),
    )
    for key, target in (
        (RDFS.subClassOf, term.supers),
        (RDFS.subPropertyOf, term.supers),
        (SKOS.broader, term.supers),
        (OWL.equivalentClass, term.equivalents),
        (RDFS.domain, term.domains),
        (RDFS.range, term.ranges),
        (OWL.propertyChainAxiom, term.chains),
    ):
        target.extend(sorted((expression(g, o) for o in g.objects(iri, key)), key=str))
    term.inverses = sorted(
        {
            *(o for o in g.objects(iri, OWL.inverseOf) if isinstance(o, URIRef)),
            *(s for s in g.subjects(OWL.inverseOf, iri) if isinstance(s, URIRef)),
        }
    )
    term.characteristics = sorted(w for t, w in CHARACTERISTICS.items() if (iri, RDF.type, t) in g)
    term.disjoint = sorted(
        {
            *(o for o in g.objects(iri, OWL.disjointWith) if isinstance(o, URIRef)),
            *(s for s in g.subjects(OWL.disjointWith, iri) if isinstance(s, URIRef)),
        }
    )
    term.see_also = sorted(g.objects(iri, RDFS.seeAlso), key=str)
    return term


@dataclass
class Vocabulary:
    """The documented terms of one namespace, plus the concept scheme of the sectors."""

    classes: dict[URIRef, Term]
    properties: dict[URIRef, Term]
    concepts: dict[URIRef, Term]
    title: dict[str, list[str]]
    description: dict[str, list[str]]
    version: str | None

    def roots(self, terms: dict[URIRef, Term]) -> list[Term]:
        """Terms with no parent among `terms`, by English label."""
        return sorted(
            (t for t in terms.values() if not any(len(s) == 1 and s[0] in terms for s in t.supers)),
            key=lambda t: t.label().lower(),
        )

    def children(self, term: Term, terms: dict[URIRef, Term]) -> list[Term]:
        """The direct subterms of a term, by English label."""
        return sorted((terms[s] for s in term.subs if s in terms), key=lambda t: t.label().lower())

    def find(self, name: str) -> Term | None:
        """A term by local name."""
        every = (*self.classes.values(), *self.properties.values(), *self.concepts.values())
        return next((t for t in every if t.name == name), None)


def read(g: Graph, ontology: URIRef, namespace: str, sectors: str) -> Vocabulary:
    """Document the terms of `namespace` and the concepts under `sectors` found in g."""

    def mine(iri: Node, prefix: str) -> bool:
        return isinstance(iri, URIRef) and str(iri).startswith(prefix) and str(iri) != prefix

    classes = {
        c: _term(g, c, "class") for c in set(g.subjects(RDF.type, OWL.Class)) if mine(c, namespace)
    }
    properties = {}
    for kind, word in PROPERTY_KINDS.items():
        for p in g.subjects(RDF.type, kind):
            if mine(p, namespace):
                properties[p] = _term(g, p, word)  # type: ignore[index, arg-type]
    concepts = {
        c: _term(g, c, "concept")
        for c in set(g.subjects(RDF.type, SKOS.Concept))
        if mine(c, sectors)
    }
    for terms in (classes, properties, concepts):
        for term in terms.values():
            for parent in term.supers:
                if len(parent) == 1 and parent[0] in terms:
                    terms[parent[0]].subs.append(term.iri)  # type: ignore[index]
    version = g.value(ontology, OWL.versionInfo)
    return Vocabulary(
        classes,
        properties,
        concepts,
        _texts(g, ontology, URIRef("http://purl.org/dc/terms/title")),
        _texts(g, ontology, URIRef("http://purl.org/dc/terms/description")),
        str(version) if version else None,
    )
