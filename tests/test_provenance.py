"""The whole article is in the graph: every sentence is linked to the facts it states, and every
asserted fact traces back to a sentence (issue 2's definition of done)."""

from __future__ import annotations

import pytest
from rdflib import RDF, BNode, Dataset

from cajkg.graph.article import split_sentences
from cajkg.graph.build import build_dataset
from cajkg.graph.iris import CAJKG, G_PROVENANCE, GRAPH, MENTION, SENT
from cajkg.graph.provenance import fact_graph_names
from cajkg.graph.sources import default_sources

ARTICLE = default_sources().article.read_text(encoding="utf-8")
SENTENCES = split_sentences(ARTICLE)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return build_dataset()


@pytest.mark.parametrize("sentence", SENTENCES, ids=[s.id for s in SENTENCES])
def test_every_sentence_is_linked_to_the_facts_it_states(ds, sentence):
    graph = ds.graph(GRAPH[sentence.id])
    assert len(graph) > 0, f"{sentence.id} states facts but has no graph: {sentence.text}"
    prov = ds.graph(G_PROVENANCE)
    assert (GRAPH[sentence.id], CAJKG.derivedFromSentence, SENT[sentence.id]) in prov
    assert (GRAPH[sentence.id], RDF.type, CAJKG.StatedFactGraph) in prov


def test_every_fact_graph_traces_to_a_sentence_and_says_how(ds):
    prov = ds.graph(G_PROVENANCE)
    names = fact_graph_names(ds)
    assert len(names) >= len(SENTENCES)
    for name in names:
        assert prov.value(name, CAJKG.derivedFromSentence) in {SENT[s.id] for s in SENTENCES}
        kinds = set(prov.objects(name, RDF.type))
        assert kinds & {CAJKG.StatedFactGraph, CAJKG.ImpliedFactGraph}, name
        if CAJKG.ImpliedFactGraph in kinds:
            assert prov.value(name, CAJKG.curatorNote), f"{name} is implied but says not why"


def test_every_mention_offset_points_at_its_quote_in_the_article(ds):
    prov = ds.graph(G_PROVENANCE)
    mentions = list(prov.subjects(RDF.type, CAJKG.Mention))
    assert len(mentions) > 200
    for mention in mentions:
        start = int(prov.value(mention, CAJKG.startOffset))
        end = int(prov.value(mention, CAJKG.endOffset))
        assert ARTICLE[start:end] == str(prov.value(mention, CAJKG.quote))


def test_every_mention_has_its_own_iri_and_no_blank_node_is_left(ds):
    """Mentions are IRIs (pages link to them; no store has to keep a blank node's identity),
    one per span and entity: the ten spans that name two entities give two mentions."""
    prov = ds.graph(G_PROVENANCE)
    mentions = set(prov.subjects(RDF.type, CAJKG.Mention))
    assert all(str(m).startswith(str(MENTION)) for m in mentions)
    assert not any(isinstance(term, BNode) for triple in prov for term in triple)
    keys = {
        (
            prov.value(m, CAJKG.startOffset),
            prov.value(m, CAJKG.endOffset),
            prov.value(m, CAJKG.mentionOf),
        )
        for m in mentions
    }
    assert len(keys) == len(mentions)
    for mention in mentions:
        sentence = str(prov.value(mention, CAJKG.inSentence)).rsplit("/", 1)[1]
        assert str(mention).startswith(f"{MENTION}{sentence}-")


def test_the_implied_year_of_the_summit_is_marked(ds):
    prov = ds.graph(G_PROVENANCE)
    implied = {
        name
        for name in prov.subjects(RDF.type, CAJKG.ImpliedFactGraph)
        if any(o.toPython() == 2025 for _, _, o in ds.graph(name).triples((None, CAJKG.year, None)))
    }
    assert implied, "the year 2025 is not stated in the article and must sit in an implied graph"
