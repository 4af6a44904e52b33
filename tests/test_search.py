"""Search over the real built graph, through a real server on a loopback port: German and
English words, stems and compounds, transliterations, typos, the ranking, bad input, search
inside SPARQL (text:query), and a write that is searchable as soon as it is acknowledged."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from conftest import TOKEN, _Server

from cajkg.graph import search
from cajkg.graph.build import build_dataset
from cajkg.graph.iris import RES, Base
from cajkg.graph.store.base import Store
from cajkg.graph.store.factory import open_store
from cajkg.server import create_app
from cajkg.server.describe import rows

TEXT = "PREFIX text: <https://w3id.org/cajkg/text#>\n"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def store() -> Store:
    """A store of its own over the built graph, as `cajkg serve` opens it (the incremental
    reasoner): the tests below write to it."""
    return open_store("memory", dataset=build_dataset)


@pytest.fixture(scope="module")
def url(store: Store) -> Iterator[str]:
    server = _Server(create_app({"TESTING": True, "CAJKG_UPDATE_TOKEN": TOKEN}, store=store))
    yield server.url
    server.stop()


def find(url: str, q: str, **params: str) -> dict:
    response = requests.get(f"{url}/search", params={"q": q, **params}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def hits(body: dict) -> list[dict]:
    """Every hit, in the order shown (best kind first)."""
    return [hit for group in body["groups"] for hit in group["hits"]]


def best(body: dict) -> dict:
    """The best-scoring hit."""
    return max(hits(body), key=lambda hit: hit["score"])


def marked(hit: dict) -> list[str]:
    return [hit["text"][a:b] for a, b in hit["highlights"]]


def test_a_state_by_its_german_and_english_name_ranks_before_sentences(url: str) -> None:
    for q in ("Kazakhstan", "Kasachstan"):
        body = find(url, q)
        assert body["groups"][0]["kind"] == "States"
        assert best(body)["iri"] == str(RES.Kazakhstan)
        assert best(body)["href"] == "/resource/Kazakhstan"
        sentences = next(g["hits"] for g in body["groups"] if g["kind"] == "Sentences")
        assert sentences, "sentences that mention Kazakhstan are found too"
        assert min(h["score"] for h in hits(body) if h["kind"] != "Sentences") > max(
            h["score"] for h in sentences
        )
        assert any(m.startswith("Kasachstan") for h in sentences for m in marked(h))


def test_transliterations_and_umlauts_fold_together(url: str) -> None:
    for q, iri in (
        ("Usbekistan", RES.Uzbekistan),
        ("Uzbekistan", RES.Uzbekistan),
        ("Toqajew", RES["Kassym-Jomart-Tokayev"]),
        ("Tokayev", RES["Kassym-Jomart-Tokayev"]),
        ("Taschkent", RES.Tashkent),
        ("Tashkent", RES.Tashkent),
        ("TASCHKENT", RES.Tashkent),
    ):
        assert best(find(url, q))["iri"] == str(iri), q


def test_german_stems_and_compounds(url: str) -> None:
    water = find(url, "Wasser")
    texts = [m for h in hits(water) for m in marked(h)]
    assert "Wasserressourcen" in texts  # a compound found by its first word
    assert any(h["kind"] == "Sentences" for h in hits(water))
    japan = find(url, "japanischen Unternehmen")
    assert str(RES.Japan) in {h["iri"] for h in hits(japan)}  # "japanischen" finds Japan
    sentence_marks = {m for h in hits(japan) if h["kind"] == "Sentences" for m in marked(h)}
    assert "japanischen" in sentence_marks and "Unternehmen" in sentence_marks


def test_english_names(url: str) -> None:
    body = find(url, "water diplomacy")
    assert best(body)["kind"] == "Initiatives"
    assert marked(best(body)) == ["Water", "diplomacy"] or "diplomacy" in best(body)["label"]


def test_a_typo_is_tolerated_and_reported(url: str) -> None:
    body = find(url, "Kambarta")
    assert best(body)["iri"] == str(RES["Kambarata-1"])
    assert body["corrections"] == {"Kambarta": ["kambarata"]}
    assert marked(best(body)) == ["Kambarata"]


def test_language_filter_and_limit(url: str) -> None:
    english = find(url, "Kasachstan", lang="en", limit="2")
    assert hits(english) and all(h["lang"] == "en" for h in hits(english))
    assert all(len(g["hits"]) <= 2 for g in english["groups"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "give the words"),
        ({"q": "   "}, "give the words"),
        ({"q": "!!! ???"}, "no word to search for"),
        ({"q": "x" * 201}, "at most 200"),
        ({"q": " ".join(["wort"] * 13)}, "at most 12"),
        ({"q": "Japan\x00"}, "control characters"),
        ({"q": "Japan", "limit": "abc"}, "not a whole number"),
        ({"q": "Japan", "limit": "0"}, "between 1 and 50"),
        ({"q": "Japan", "lang": "d e"}, "not a language tag"),
        ({"q": "Japan", "format": "xml"}, "use json or html"),
    ],
)
def test_bad_searches_are_400_with_a_message(url: str, params: dict, message: str) -> None:
    response = requests.get(f"{url}/search", params={"format": "json", **params}, timeout=30)
    assert response.status_code == 400
    assert message in response.text
    assert "Traceback" not in response.text


def test_fts_syntax_in_the_words_is_just_words(url: str) -> None:
    for q in ('"Japan', "Japan AND OR NOT", "NEAR(Japan", "Jap*", "-Japan", "Japan:Tokyo"):
        assert find(url, q)["words"], q


def test_the_page_shows_groups_and_highlights(url: str) -> None:
    response = requests.get(
        f"{url}/search", params={"q": "Taschkent"}, headers={"Accept": "text/html"}, timeout=30
    )
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
    assert "<mark>Taschkent</mark>" in response.text
    assert 'href="/resource/Tashkent"' in response.text
    bad = requests.get(f"{url}/search", params={"q": "!!!"}, headers={"Accept": "text/html"})
    assert bad.status_code == 400 and "no word to search for" in bad.text
    home = requests.get(f"{url}/", timeout=30).text
    assert 'role="search"' in home and 'action="/search"' in home


def test_text_query_in_sparql(url: str) -> None:
    query = TEXT + 'SELECT ?s ?score ?t WHERE { (?s ?score ?t) text:query ("Taschkent" 3) }'
    response = requests.post(
        f"{url}/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    assert len(bindings) == 3
    assert bindings[0]["s"]["value"] == str(RES.Tashkent)
    scores = [float(b["score"]["value"]) for b in bindings]
    assert scores == sorted(scores, reverse=True)
    joined = (
        TEXT + RDFS + 'SELECT DISTINCT ?s ?l WHERE { ?s text:query "Usbekistan"@en ; '
        'a <https://w3id.org/cajkg/ontology#State> ; rdfs:label ?l FILTER(lang(?l) = "en") }'
    )
    response = requests.get(
        f"{url}/sparql", params={"query": joined}, headers={"Accept": "text/csv"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.text.splitlines()[1:] == [f"{RES.Uzbekistan},Uzbekistan"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (TEXT + "SELECT * WHERE { ?s text:query ?o }", "search string"),
        (TEXT + 'SELECT * WHERE { <x> text:query "Japan" }', "subject"),
        (TEXT + 'SELECT * WHERE { ?s text:query ("Japan" 0) }', "between 1 and 200"),
        (TEXT + 'SELECT * WHERE { ?s text:query "!!!" }', "no word to search for"),
    ],
)
def test_bad_text_query_is_400(url: str, query: str, message: str) -> None:
    response = requests.post(f"{url}/sparql", data={"query": query}, timeout=30)
    assert response.status_code == 400
    assert message in response.text


def test_a_write_is_searchable_once_acknowledged(url: str) -> None:
    assert not hits(find(url, "Zyzzogeton"))
    insert = (
        RDFS + "INSERT DATA { GRAPH <https://w3id.org/cajkg/graph/search-test> { "
        '<https://w3id.org/cajkg/resource/Zyzzogeton> rdfs:label "Zyzzogeton-Brücke"@de } }'
    )
    refused = requests.post(f"{url}/update", data={"update": insert}, timeout=30)
    assert refused.status_code in (401, 403)
    assert not hits(find(url, "Zyzzogeton"))
    written = requests.post(f"{url}/update", data={"update": insert}, headers=AUTH, timeout=30)
    assert written.status_code == 204
    found = best(find(url, "Zyzzogeton Brucke"))
    assert found["iri"] == str(RES.Zyzzogeton) and marked(found) == ["Zyzzogeton", "Brücke"]
    # A changed label: the old name is gone, the new one found.
    change = (
        RDFS + "WITH <https://w3id.org/cajkg/graph/search-test> DELETE { ?x rdfs:label ?l } "
        'INSERT { ?x rdfs:label "Quokkaviadukt"@de } WHERE { ?x rdfs:label ?l '
        'FILTER(STR(?l) = "Zyzzogeton-Brücke") }'
    )
    assert requests.post(f"{url}/update", data={"update": change}, headers=AUTH).status_code == 204
    assert not hits(find(url, "Zyzzogeton"))
    assert best(find(url, "Quokkaviadukt"))["iri"] == str(RES.Zyzzogeton)
    # The Graph Store protocol: PUT a graph with a label, then DELETE it.
    graph = "https://w3id.org/cajkg/graph/search-test-2"
    body = (
        "<https://w3id.org/cajkg/resource/Wombatbahn> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Wombatbahn"@de .\n'
    )
    put = requests.put(
        f"{url}/store",
        params={"graph": graph},
        data=body.encode(),
        headers={**AUTH, "Content-Type": "application/n-triples"},
        timeout=30,
    )
    assert put.status_code == 201
    assert best(find(url, "Wombatbahn"))["iri"] == str(RES.Wombatbahn)
    deleted = requests.delete(f"{url}/store", params={"graph": graph}, headers=AUTH, timeout=30)
    assert deleted.status_code == 204
    assert not hits(find(url, "Wombatbahn"))


def test_index_build_and_search_are_fast(store: Store) -> None:
    """The index builds from the store in under a second; a search takes milliseconds."""

    def select(text: str) -> Iterator[dict]:
        return rows(store.query(store.prepare(text), infer=True))

    builds, searches = [], []
    for _ in range(3):
        started = time.perf_counter()
        index = search.SearchIndex(search.documents(select, Base()))
        builds.append(time.perf_counter() - started)
    assert len(index) > 1000
    for q in ("Kasachstan", "Wasser", "Kambarta", "japanischen Unternehmen", "Toqajew") * 5:
        started = time.perf_counter()
        index.search(q)
        searches.append(time.perf_counter() - started)
    assert min(builds) < 1.0, builds
    assert sorted(searches)[len(searches) // 2] < 0.05, searches


def test_a_translated_sentence_is_searched_in_english(url: str) -> None:
    """The English rendering of the article (cajkg:translatedText @en) is indexed as sentences."""
    insert = """
    PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
    INSERT DATA { GRAPH <https://w3id.org/cajkg/graph/search-test-en> {
      <https://w3id.org/cajkg/sentence/s99/en> cajkg:position 99 ;
        cajkg:translatedText "The quokka conference on water takes place in Dushanbe."@en .
    } }"""
    response = requests.post(f"{url}/update", data={"update": insert}, headers=AUTH, timeout=60)
    assert response.status_code == 204
    body = find(url, "quokka conferences", lang="en")
    hit = best(body)
    assert hit["kind"] == "Sentences" and hit["position"] == 99
    assert hit["iri"] == "https://w3id.org/cajkg/sentence/s99/en"
    assert marked(hit) == ["quokka", "conference"]
