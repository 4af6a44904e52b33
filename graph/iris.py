"""The IRI scheme of cajkg in one place (see README.md, "IRIs and the dataset's layout")."""

from __future__ import annotations

import os
from dataclasses import dataclass

from rdflib import Namespace, URIRef

DEFAULT_BASE = "https://w3id.org/cajkg/"

CAJKG = Namespace(DEFAULT_BASE + "ontology#")
SECTOR = Namespace(DEFAULT_BASE + "sector/")
RES = Namespace(DEFAULT_BASE + "resource/")
SENT = Namespace(DEFAULT_BASE + "sentence/")
GRAPH = Namespace(DEFAULT_BASE + "graph/")
# Mentions: BASE mention/<sentence>-<start>-<end>-<entity>, minted by graph/provenance.py.
MENTION = Namespace(DEFAULT_BASE + "mention/")

ONTOLOGY = URIRef(DEFAULT_BASE + "ontology")
ARTICLE = URIRef(DEFAULT_BASE + "article/de")

G_ONTOLOGY = GRAPH.ontology
G_ARTICLE = GRAPH.article
G_PROVENANCE = GRAPH.provenance
G_INFERRED = GRAPH.inferred
# Inferences about the schema (subclass, domain and range closure, typings of classes and
# properties) and typings to anonymous classes: kept out of the default graph of queries
# (`cajkg.graph.inferred`).
G_INFERRED_SCHEMA = GRAPH["inferred-schema"]
# The RDF merge of every asserted graph, kept by the stores: the default graph of queries
# (with G_INFERRED, which holds no asserted triple), so a fact stated twice counts once.
G_ASSERTED = GRAPH.asserted
G_TRANSLATION_EN = GRAPH["translation-en"]

PREFIXES: dict[str, str] = {
    "cajkg": str(CAJKG),
    "sector": str(SECTOR),
    "cjr": str(RES),
    "cjs": str(SENT),
    "cjg": str(GRAPH),
    "cjm": str(MENTION),
}


@dataclass(frozen=True)
class Base:
    """A deployment base IRI; the data files use DEFAULT_BASE and are rewritten to it."""

    iri: str = DEFAULT_BASE

    @classmethod
    def from_env(cls) -> Base:
        """Read CAJKG_BASE, which must end in '/' so that paths append cleanly."""
        iri = os.environ.get("CAJKG_BASE", DEFAULT_BASE)
        if not iri.endswith("/"):
            raise ValueError(f"CAJKG_BASE must end with '/': {iri!r}")
        return cls(iri)

    def rebase(self, term: URIRef) -> URIRef:
        """Map an IRI under DEFAULT_BASE to this base; other IRIs are unchanged."""
        if self.iri == DEFAULT_BASE or not str(term).startswith(DEFAULT_BASE):
            return term
        return URIRef(self.iri + str(term)[len(DEFAULT_BASE) :])
