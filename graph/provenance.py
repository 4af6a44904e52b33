"""Anchor every curated mention in the article: sentence, start and end offsets.

Curators write only the quoted words (see the README); offsets are computed here so that they can
never drift from the text, and a quote that is not in its sentence stops the build.
"""

from __future__ import annotations

from rdflib import RDF, XSD, Dataset, Literal, URIRef

from cajkg.graph.article import Sentence
from cajkg.graph.iris import CAJKG, G_PROVENANCE, G_TRANSLATION_EN, GRAPH, SENT


class ProvenanceError(Exception):
    """Provenance records that do not match the article or the fact graphs."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def fact_graph_names(ds: Dataset) -> list[URIRef]:
    """The named graphs that hold curated facts (everything under cjg: except the built-ins)."""
    builtin = {
        GRAPH.ontology,
        GRAPH.article,
        GRAPH.provenance,
        GRAPH.inferred,
        GRAPH.entities,
        G_TRANSLATION_EN,  # the English rendering: text, not facts
    }
    return sorted(
        g.identifier
        for g in ds.graphs()
        if isinstance(g.identifier, URIRef)
        and str(g.identifier).startswith(str(GRAPH))
        and g.identifier not in builtin
    )


def anchor_mentions(ds: Dataset, sentences: list[Sentence]) -> None:
    """Add inSentence and offsets to every mention; raise ProvenanceError listing all problems."""
    by_iri = {SENT[s.id]: s for s in sentences}
    prov = ds.graph(G_PROVENANCE)
    problems: list[str] = []
    for name in fact_graph_names(ds):
        if (name, CAJKG.derivedFromSentence, None) not in prov:
            problems.append(f"graph <{name}> has no cajkg:derivedFromSentence record")
        if not any(prov.triples((name, RDF.type, None))):
            problems.append(f"graph <{name}> is not typed as stated or implied")
    additions = []
    for graph, mention in prov.subject_objects(CAJKG.mention):
        # A graph may derive from several sentences; the mention anchors in the first, in
        # article order, that contains its quote.
        sentences = sorted(
            (by_iri[s] for s in prov.objects(graph, CAJKG.derivedFromSentence) if s in by_iri),
            key=lambda s: s.start,
        )
        quote = prov.value(mention, CAJKG.quote)
        if not sentences or quote is None:
            problems.append(f"mention in <{graph}> lacks a sentence or a quote")
            continue
        found = next(
            ((s, s.text.find(str(quote))) for s in sentences if str(quote) in s.text), None
        )
        if found is None:
            ids = ", ".join(s.id for s in sentences)
            problems.append(f"<{graph}>: quote {str(quote)!r} is not in sentence {ids}")
            continue
        sentence, at = found
        start = sentence.start + at
        additions += [
            (mention, CAJKG.inSentence, SENT[sentence.id]),
            (mention, CAJKG.startOffset, Literal(start, datatype=XSD.integer)),
            (mention, CAJKG.endOffset, Literal(start + len(str(quote)), datatype=XSD.integer)),
        ]
    if problems:
        raise ProvenanceError(problems)
    for triple in additions:
        prov.add(triple)
