"""An ontology and every module it imports, as one document that needs no import resolved.

Protégé (the OWL API) opening a server's ontology URL follows each owl:imports to its IRI; the
modules' w3id.org IRIs lead to the public site, or nowhere, and never to the server that was
asked, so the sectors and the alignment went missing. The ontology IRI therefore serves its
imports closure: the root's own header (without the imports it now holds), and everything the
imported modules state but their headers: their owl:Ontology type, version IRIs, imports and
ontology annotations. The OWL API reads from it exactly the axioms it reads from the modules
together (tests/test_owlapi.py counts them). The modules keep their own IRIs and documents.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.term import Node

# Predicates that make a triple about an ontology IRI part of its header (OWL 2 RDF mapping,
# tables 4 and 17): versioning, imports, and the annotation properties built into OWL 2.
_HEADER = frozenset(
    {
        OWL.imports,
        OWL.versionIRI,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
        OWL.versionInfo,
        OWL.deprecated,
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
    }
)


def imports_closure(modules: Mapping[URIRef, Graph], root: URIRef) -> Graph:
    """`root` with the modules it imports, directly or not, merged in (imports of ontologies
    not in `modules` are kept, for the client to resolve)."""
    merged = [root]
    pending = [root]
    while pending:
        for imported in modules[pending.pop()].objects(None, OWL.imports):
            if imported in modules and imported not in merged:
                merged.append(imported)  # type: ignore[arg-type]
                pending.append(imported)  # type: ignore[arg-type]
    everything = Graph()
    for module in merged:
        everything += modules[module]
    annotations = set(everything.subjects(RDF.type, OWL.AnnotationProperty))
    graph = Graph()
    for prefix, namespace in modules[root].namespaces():
        graph.bind(prefix, namespace)
    for s, p, o in everything:
        if s == root:
            dropped = p == OWL.imports and o in merged
        else:
            dropped = s in merged and _is_header(p, o, annotations)
        if not dropped:
            graph.add((s, p, o))
    return graph


def _is_header(p: Node, o: Node, annotations: set[Node]) -> bool:
    """Whether a triple about an ontology IRI belongs to its header."""
    return (p == RDF.type and o == OWL.Ontology) or p in _HEADER or p in annotations
