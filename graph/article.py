"""The source article as data: its sentences, with stable ids and character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import DCTERMS, RDF, RDFS, XSD, Graph, Literal

from cajkg.graph.iris import ARTICLE, CAJKG, SENT

# A sentence ends at . ! ? followed by space and an upper-case letter, an opening German quote or
# a bullet. "20. Dezember" is not an end: a period after a digit is an ordinal in German.
_BOUNDARY = re.compile(r"(?<=[.!?])(?<!\d\.)\s+(?=[A-ZÄÖÜ„▪])")
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class SentenceSpan:
    """One sentence: id s01…, 0-based offsets into the article (end exclusive), and its text."""

    id: str
    start: int
    end: int
    text: str

    @property
    def position(self) -> int:
        """1-based position in the article."""
        return int(self.id[1:])


def split_sentences(text: str) -> list[SentenceSpan]:
    """Split the article into sentences; each line (paragraph, caption, bullet) splits apart."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for boundary in _BOUNDARY.finditer(text, line.start(), line.end()):
            spans.append((start, boundary.start()))
            start = boundary.end()
        spans.append((start, line.end()))
    return [
        SentenceSpan(f"s{i:02d}", start, end, text[start:end])
        for i, (start, end) in enumerate(spans, start=1)
        if text[start:end].strip()
    ]


def article_graph(text: str) -> Graph:
    """The article and its sentences as RDF, for the cjg:article graph."""
    g = Graph()
    g.add((ARTICLE, RDF.type, CAJKG.Article))
    g.add(
        (
            ARTICLE,
            RDFS.label,
            Literal("Erstes Gipfeltreffen „Zentralasien + Japan“ (Artikel)", lang="de"),
        )
    )
    g.add((ARTICLE, RDFS.label, Literal("First Central Asia + Japan summit (article)", lang="en")))
    g.add((ARTICLE, DCTERMS.language, Literal("de")))
    for s in split_sentences(text):
        node = SENT[s.id]
        g.add((node, RDF.type, CAJKG.Sentence))
        g.add((node, RDFS.label, Literal(f"Satz {s.position}", lang="de")))
        g.add((node, RDFS.label, Literal(f"Sentence {s.position}", lang="en")))
        g.add((node, CAJKG.sentenceOf, ARTICLE))
        g.add((node, CAJKG.text, Literal(s.text)))
        g.add((node, CAJKG.position, Literal(s.position, datatype=XSD.integer)))
        g.add((node, CAJKG.startOffset, Literal(s.start, datatype=XSD.integer)))
        g.add((node, CAJKG.endOffset, Literal(s.end, datatype=XSD.integer)))
    return g
