"""The article in English: one faithful rendering per sentence, marked as a translation with
PROV-O, its mentions linked to the same entities as the German ones, queryable in SPARQL, shown
beside the German on the article page and the sentence pages, and offered as a download."""

from __future__ import annotations

import pytest
import requests
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef

from cajkg.graph.article import split_sentences
from cajkg.graph.build import build_dataset
from cajkg.graph.export import DUMPS, english
from cajkg.graph.iris import ARTICLE, CAJKG, G_PROVENANCE, G_TRANSLATION_EN, SENT, Base
from cajkg.graph.sources import default_sources

PROV = Namespace("http://www.w3.org/ns/prov#")
SENTENCES = split_sentences(default_sources().article.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="module")
def translations(ds: Dataset) -> Graph:
    return ds.graph(G_TRANSLATION_EN)


def _translation_of(graph: Graph, sentence: URIRef) -> URIRef:
    found = list(graph.subjects(CAJKG.translationOf, sentence))
    assert len(found) == 1, f"{sentence}: {len(found)} English renderings"
    return found[0]


@pytest.mark.parametrize("sentence", SENTENCES, ids=[s.id for s in SENTENCES])
def test_every_sentence_has_one_english_rendering(translations, sentence):
    node = _translation_of(translations, SENT[sentence.id])
    assert (node, RDF.type, CAJKG.SentenceTranslation) in translations
    texts = list(translations.objects(node, CAJKG.translatedText))
    assert len(texts) == 1 and texts[0].language == "en" and str(texts[0]).strip()
    assert str(texts[0]) != sentence.text, "a translation, not a copy of the German"
    assert translations.value(node, CAJKG.position) == Literal(sentence.position)
    assert translations.value(node, PROV.wasGeneratedBy) is not None


def test_the_translation_is_a_prov_activity_on_the_german_article(translations):
    activities = set(translations.subjects(RDF.type, PROV.Activity))
    assert len(activities) == 1
    activity = activities.pop()
    assert (activity, PROV.used, ARTICLE) in translations
    assert set(translations.objects(None, PROV.wasGeneratedBy)) == {activity}


def test_translations_are_prov_derivations_under_inference(ds):
    inferred = ds.graph(URIRef("https://w3id.org/cajkg/graph/inferred"))
    derived = {
        s for s, o in inferred.subject_objects(PROV.wasDerivedFrom) if str(o).startswith(str(SENT))
    }
    assert len({s for s in derived if str(s).endswith("/en")}) == len(SENTENCES)


def test_english_mentions_quote_the_english_text_and_name_the_sentences_entities(ds, translations):
    prov = ds.graph(G_PROVENANCE)
    checked = 0
    for node, mention in translations.subject_objects(CAJKG.translationMention):
        text = str(translations.value(node, CAJKG.translatedText))
        quote = str(translations.value(mention, CAJKG.quote))
        assert quote in text, f"{node}: {quote!r} is not in {text!r}"
        sentence = translations.value(node, CAJKG.translationOf)
        graphs = set(prov.subjects(CAJKG.derivedFromSentence, sentence))
        german = {
            prov.value(m, CAJKG.mentionOf) for g in graphs for m in prov.objects(g, CAJKG.mention)
        }
        assert translations.value(mention, CAJKG.mentionOf) in german, (node, quote)
        checked += 1
    assert checked >= len(SENTENCES) * 2


def test_the_english_text_is_a_download(ds):
    assert "article-en.ttl" in dict(DUMPS)
    graph = english(ds, Base())
    assert len(set(graph.subjects(RDF.type, CAJKG.SentenceTranslation))) == len(SENTENCES)


def test_the_english_text_is_queryable(seed_store):
    result = seed_store.query(
        """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
        SELECT ?text WHERE { ?t cajkg:translationOf <https://w3id.org/cajkg/sentence/s44> ;
                                cajkg:translatedText ?text }""",
        infer=False,
    )
    texts = [str(row[0]) for row in result]
    assert texts == ["The next “Central Asia + Japan” summit will take place in Kazakhstan."]


def test_the_article_page_shows_each_english_rendering_beside_the_german(seed_server):
    html = requests.get(f"{seed_server}/article", timeout=30).text
    assert html.count('class="text translation" lang="en"') == len(SENTENCES)
    assert html.count('class="text" lang="de"') == len(SENTENCES)
    assert "The next “Central Asia + Japan” summit will take place in Kazakhstan." in html


def test_a_sentence_page_shows_its_english_rendering(seed_server):
    response = requests.get(f"{seed_server}/sentence/s04.html", timeout=30)
    assert response.status_code == 200
    html = response.text
    assert "<h2>In English</h2>" in html
    assert "after the first “Central Asia + Japan” summit" in html
    assert "Das erklärte die japanische Premierministerin" in html


def test_every_mention_of_the_english_text_has_an_iri_and_its_quote_is_in_the_text(translations):
    graph = translations
    mentions = list(graph.objects(None, CAJKG.translationMention))
    assert len(mentions) >= 100
    for mention in mentions:
        assert isinstance(mention, URIRef) and "/mention/" in str(mention), mention
        (rendering,) = graph.subjects(CAJKG.translationMention, mention)
        quote = graph.value(mention, CAJKG.quote)
        assert str(quote) in str(graph.value(rendering, CAJKG.translatedText))
