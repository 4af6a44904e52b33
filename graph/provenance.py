"""Anchor every curated mention in the article: sentence, start and end offsets, and an IRI.

Curators write only the quoted words (see the README); offsets are computed here so that they can
never drift from the text, and a quote that is not in its sentence stops the build.

Curators write a mention as a blank node; the build names it
`BASE mention/<sentence>-<start>-<end>-<entity>` (offsets within the sentence, the entity's last
IRI segment), so that pages and explanations can link to it, and so that the data never depends
on a blank node keeping its identity on a trip through another store. The name is derived from
the mention itself, so an unchanged source always gives the same IRI, and one span that names
two entities gives two mentions.
"""

from __future__ import annotations

from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from cajkg.graph.article import SentenceSpan
from cajkg.graph.iris import (
    CAJKG,
    G_ARTICLE,
    G_INFERRED,
    G_INFERRED_SCHEMA,
    G_ONTOLOGY,
    G_PROVENANCE,
    G_TRANSLATION_EN,
    GRAPH,
    MENTION,
    SENT,
    Base,
)


class ProvenanceError(Exception):
    """Provenance records that do not match the article or the fact graphs."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def fact_graph_names(ds: Dataset, base: Base | None = None) -> list[URIRef]:
    """The named graphs that hold curated facts (everything under cjg: except the built-ins)."""
    base = base or Base()
    namespace = str(base.rebase(URIRef(str(GRAPH))))
    builtin = {
        base.rebase(name)
        for name in (
            G_ONTOLOGY,
            G_ARTICLE,
            G_PROVENANCE,
            G_INFERRED,
            G_INFERRED_SCHEMA,
            GRAPH.entities,
            G_TRANSLATION_EN,
        )
    }
    return sorted(
        g.identifier
        for g in ds.graphs()
        if isinstance(g.identifier, URIRef)
        and str(g.identifier).startswith(namespace)
        and g.identifier not in builtin
    )


def mention_iri(sentence: SentenceSpan, start: int, end: int, entity: Node, base: Base) -> URIRef:
    """The IRI of a mention: its sentence, its offsets within it, and the entity's local name."""
    return _named(f"{sentence.id}-{start}-{end}", entity, base)


def _named(place: str, entity: Node, base: Base) -> URIRef:
    local = str(entity).rstrip("/#")
    local = local[max(local.rfind("/"), local.rfind("#")) + 1 :]
    return base.rebase(MENTION[f"{place}-{local}"])


def anchor_mentions(ds: Dataset, sentences: list[SentenceSpan], base: Base | None = None) -> None:
    """Add inSentence and offsets to every mention and give blank-node mentions their IRI;
    raise ProvenanceError listing all problems (and change nothing)."""
    base = base or Base()
    term = base.rebase
    by_iri: dict[Node, SentenceSpan] = {term(SENT[s.id]): s for s in sentences}
    prov = ds.graph(term(G_PROVENANCE))
    problems: list[str] = []
    for name in fact_graph_names(ds, base):
        if (name, term(CAJKG.derivedFromSentence), None) not in prov:
            problems.append(f"graph <{name}> has no cajkg:derivedFromSentence record")
        if not any(prov.triples((name, RDF.type, None))):
            problems.append(f"graph <{name}> is not typed as stated or implied")
    additions: list[tuple[Node, Node, Node]] = []
    names: dict[Node, URIRef] = {}
    for graph, mention in prov.subject_objects(term(CAJKG.mention)):
        # A graph may derive from several sentences; the mention anchors in the first, in
        # article order, that contains its quote.
        sentences = sorted(
            (
                by_iri[s]
                for s in prov.objects(graph, term(CAJKG.derivedFromSentence))
                if s in by_iri
            ),
            key=lambda s: s.start,
        )
        quote = prov.value(mention, term(CAJKG.quote))
        entity = prov.value(mention, term(CAJKG.mentionOf))
        if not sentences or quote is None or entity is None:
            problems.append(f"mention in <{graph}> lacks a sentence, a quote or an entity")
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
        if isinstance(mention, BNode):
            names[mention] = mention_iri(sentence, at, at + len(str(quote)), entity, base)
        additions += [
            (mention, term(CAJKG.inSentence), term(SENT[sentence.id])),
            (mention, term(CAJKG.startOffset), Literal(start, datatype=XSD.integer)),
            (
                mention,
                term(CAJKG.endOffset),
                Literal(start + len(str(quote)), datatype=XSD.integer),
            ),
        ]
    translated, translation_names = _translation_mentions(ds, base, problems)
    if problems:
        raise ProvenanceError(problems)
    for triple in additions:
        prov.add(triple)
    _rename(prov, names)
    _rename(translated, translation_names)


def _translation_mentions(
    ds: Dataset, base: Base, problems: list[str]
) -> tuple[Graph, dict[Node, URIRef]]:
    """The English rendering's graph and the IRIs of its blank-node mentions
    (`mention/<sentence>-en-<start>-<end>-<entity>`, offsets within the English text); a quote
    that the English text does not hold is a problem."""
    term = base.rebase
    graph = ds.graph(term(G_TRANSLATION_EN))
    names: dict[Node, URIRef] = {}
    for rendering, mention in graph.subject_objects(term(CAJKG.translationMention)):
        text = graph.value(rendering, term(CAJKG.translatedText))
        sentence = graph.value(rendering, term(CAJKG.translationOf))
        quote = graph.value(mention, term(CAJKG.quote))
        entity = graph.value(mention, term(CAJKG.mentionOf))
        if text is None or sentence is None or quote is None or entity is None:
            problems.append(
                f"mention of <{rendering}> lacks a text, a sentence, a quote or an entity"
            )
            continue
        at = str(text).find(str(quote))
        if at < 0:
            problems.append(f"<{rendering}>: quote {str(quote)!r} is not in its English text")
            continue
        if isinstance(mention, BNode):
            local = str(sentence).rstrip("/").rsplit("/", 1)[-1]
            names[mention] = _named(f"{local}-en-{at}-{at + len(str(quote))}", entity, base)
    return graph, names


def _rename(graph: Graph, names: dict[Node, URIRef]) -> None:
    """Replace nodes by their IRIs wherever they are subject or object in `graph`."""
    if not names:
        return
    changed = [(s, p, o) for s, p, o in graph if s in names or o in names]
    for s, p, o in changed:
        graph.remove((s, p, o))
        graph.add((names.get(s, s), p, names.get(o, o)))
