"""Search kept current incrementally: the store tells its change listeners of every applied
write (memory, oxigraph and a remote SPARQL store alike), and the search index re-reads only the
subjects a write touched, so that a write is searchable once acknowledged without a rebuild; the
patched index answers exactly as an index built afresh from the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, _Server
from oxigraph_server import OxigraphServer
from rdflib import RDF, RDFS, Dataset, Literal, URIRef

from cajkg.graph import search
from cajkg.graph.build import build_dataset
from cajkg.graph.iris import CAJKG, RES, Base
from cajkg.graph.store.base import ChangedQuad, Store
from cajkg.graph.store.factory import open_store
from cajkg.graph.transfer import push
from cajkg.server import create_app
from cajkg.server.describe import rows
from cajkg.server.search import EXTENSION, warm

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/cajkg/graph/search-live"
PREFIXES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX cajkg: <https://w3id.org/cajkg/ontology#>\n"
    "PREFIX cjr: <https://w3id.org/cajkg/resource/>\n"
)
SEARCHES = ("Kasachstan", "Wasser", "Kambarta", "Quokkabrücke", "Numbat", "Wombat Dialog")


def open_kind(kind: str, directory: Path) -> Store:
    if kind == "memory":
        return open_store("memory", dataset=build_dataset)
    return open_store("oxigraph", dataset=build_dataset, data_dir=directory)


@pytest.fixture(scope="module", params=("memory", "oxigraph"))
def served(request, tmp_path_factory) -> Iterator[tuple[Store, str, search.LiveIndex]]:
    """A store of each embedded kind over the built graph, served on a loopback port, and its
    search index (built by a first search)."""
    store = open_kind(request.param, tmp_path_factory.mktemp("store"))
    app = create_app({"TESTING": True, "CAJKG_UPDATE_TOKEN": TOKEN}, store=store)
    server = _Server(app)
    assert requests.get(f"{server.url}/search", params={"q": "Kasachstan"}, timeout=60).ok
    yield store, server.url, app.extensions[EXTENSION]
    server.stop()
    store.close()


def update(url: str, text: str) -> None:
    reply = requests.post(f"{url}/update", data={"update": PREFIXES + text}, headers=AUTH)
    assert reply.status_code == 204, reply.text


def found(url: str, q: str) -> list[dict]:
    reply = requests.get(f"{url}/search", params={"q": q, "format": "json"}, timeout=30)
    assert reply.status_code == 200, reply.text
    return [hit for group in reply.json()["groups"] for hit in group["hits"]]


def test_writes_are_searchable_once_acknowledged_without_a_rebuild(served) -> None:
    _, url, live = served
    index = live.current()
    before = len(index)
    assert not found(url, "Quokkabrücke")
    update(url, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ cjr:Quokka rdfs:label "Quokkabrücke"@de }} }}')
    hits = found(url, "Quokkabrücke")
    assert [h["iri"] for h in hits] == [str(RES.Quokka)] and hits[0]["kind"] == "Other"
    assert live.current() is index, "patched in place, not rebuilt"
    assert len(index) == before + 1
    # A type the reasoner extends (a head of state is a person): the kind follows the write.
    update(url, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ cjr:Quokka a cajkg:HeadOfState }} }}")
    assert found(url, "Quokkabrücke")[0]["kind"] == "People"
    # A changed name: the old one is gone, the new one found; a typo finds the new one.
    update(
        url,
        f"WITH <{GRAPH}> DELETE {{ cjr:Quokka rdfs:label ?l }} "
        'INSERT { cjr:Quokka rdfs:label "Numbat-Viadukt"@de } WHERE { cjr:Quokka rdfs:label ?l }',
    )
    assert not found(url, "Quokkabrücke")
    assert [h["iri"] for h in found(url, "Numbat")] == [str(RES.Quokka)]
    assert [h["iri"] for h in found(url, "Nunbat")] == [str(RES.Quokka)]
    # A sentence (text and position), then the whole graph dropped.
    update(
        url,
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://w3id.org/cajkg/sentence/s98> "
        'cajkg:text "Der Wombat-Dialog beginnt in Astana."@de ; cajkg:position 98 } }',
    )
    sentence = found(url, "Wombat Dialog")
    assert sentence[0]["kind"] == "Sentences" and sentence[0]["position"] == 98
    assert live.current() is index
    dropped = requests.delete(f"{url}/store", params={"graph": GRAPH}, headers=AUTH, timeout=30)
    assert dropped.status_code == 204
    assert not found(url, "Numbat")
    assert "https://w3id.org/cajkg/sentence/s98" not in {h["iri"] for h in found(url, "Wombat")}
    assert len(index) == before
    assert live.current() is index and live.patch_seconds < 1.0


def test_the_patched_index_answers_as_a_fresh_one(served) -> None:
    store, url, live = served
    update(
        url,
        f'INSERT DATA {{ GRAPH <{GRAPH}-2> {{ cjr:Kazakhstan rdfs:label "Kasachstan-Wasser"@de . '
        'cjr:Numbat rdfs:label "Numbat"@en ; a cajkg:State } }',
    )
    update(url, f'DELETE DATA {{ GRAPH <{GRAPH}-2> {{ cjr:Numbat rdfs:label "Numbat"@en }} }}')
    update(url, f'INSERT DATA {{ GRAPH <{GRAPH}-2> {{ cjr:Numbat rdfs:label "Numbat-See"@de }} }}')

    def select(text: str) -> Iterator[dict]:
        return rows(store.query(store.prepare(text), infer=True))

    fresh = search.SearchIndex(search.documents(select, Base()))
    patched = live.current()
    assert len(patched) == len(fresh)
    assert patched.vocabulary == fresh.vocabulary
    for q in SEARCHES:
        ours, theirs = patched.search(q, limit=50), fresh.search(q, limit=50)
        assert [(h.iri, h.kind, h.label, h.text) for h in ours.hits] == [
            (h.iri, h.kind, h.label, h.text) for h in theirs.hits
        ], q
        assert [round(h.score, 6) for h in ours.hits] == [round(h.score, 6) for h in theirs.hits]
    assert found(url, "Numbat See")[0]["kind"] == "States"


def test_a_large_write_rebuilds_instead(served) -> None:
    """More subjects than `MAX_PATCH`: the next search rebuilds the index, and finds them."""
    _, url, live = served
    index = live.current()
    live.MAX_PATCH = 3
    try:
        labels = " ".join(f'cjr:Dingo{i} rdfs:label "Dingostrasse {i}"@de .' for i in range(5))
        update(url, f"INSERT DATA {{ GRAPH <{GRAPH}-3> {{ {labels} }} }}")
        assert len(found(url, "Dingostrasse")) == 5
        assert live.current() is not index
    finally:
        del live.MAX_PATCH


def tiny() -> Dataset:
    """One label, and the two subclass axioms that make a head of state a person."""
    dataset = Dataset()
    dataset.graph(URIRef(GRAPH)).add((RES.Kazakhstan, RDFS.label, Literal("Kasachstan", lang="de")))
    ontology = dataset.graph(URIRef("https://w3id.org/cajkg/graph/ontology"))
    ontology.add((CAJKG.HeadOfState, RDFS.subClassOf, CAJKG.Leader))
    ontology.add((CAJKG.Leader, RDFS.subClassOf, CAJKG.Person))
    return dataset


@pytest.fixture(params=("memory", "oxigraph", "sparql"))
def writable(request, tmp_path) -> Iterator[Store]:
    """A small store of each kind (an `oxigraph serve` of its own behind the remote one)."""
    server = None
    if request.param == "sparql":
        server = OxigraphServer(tmp_path / "serve")
        store = open_store("sparql", endpoint=server.query_url, update_endpoint=server.update_url)
        push(tiny(), store.client)  # type: ignore[attr-defined]
    elif request.param == "memory":
        store = open_store("memory", dataset=tiny())
    else:
        store = open_store("oxigraph", dataset=tiny(), data_dir=tmp_path / "store")
    yield store
    store.close()
    if server is not None:
        server.kill()


def test_listeners_hear_every_applied_change(writable: Store) -> None:
    """(added, removed) rdflib quads after the write is applied, inferences included; a failing
    listener is logged and the write stands."""
    heard: list[tuple[list[ChangedQuad], list[ChangedQuad]]] = []

    def failing(added: list[ChangedQuad], removed: list[ChangedQuad]) -> None:
        raise RuntimeError("a listener's own bug")

    listeners = writable.listeners  # type: ignore[attr-defined]
    listeners.extend([failing, lambda added, removed: heard.append((added, removed))])
    writable.update(
        PREFIXES + f"INSERT DATA {{ GRAPH <{GRAPH}> {{ cjr:Numbat a cajkg:HeadOfState }} }}"
    )
    (added, removed), *_ = heard
    assert not removed
    assert (RES.Numbat, RDF.type, CAJKG.HeadOfState, URIRef(GRAPH)) in added
    assert any(q[:3] == (RES.Numbat, RDF.type, CAJKG.Person) for q in added), "inferred too"
    heard.clear()
    writable.update(
        PREFIXES + f"DELETE DATA {{ GRAPH <{GRAPH}> {{ cjr:Kazakhstan rdfs:label "
        '"Kasachstan"@de } }'
    )
    (added, removed), *_ = heard
    assert (RES.Kazakhstan, RDFS.label, Literal("Kasachstan", lang="de"), URIRef(GRAPH)) in removed
    assert not writable.query(
        PREFIXES + 'ASK { cjr:Kazakhstan rdfs:label "Kasachstan"@de }'
    ).askAnswer
    heard.clear()
    writable.update(
        PREFIXES + f"DELETE DATA {{ GRAPH <{GRAPH}> {{ cjr:Nothing rdfs:label 'x' }} }}"
    )
    assert not heard, "a write that changes nothing tells nothing"


def test_warm_builds_the_index_in_the_background() -> None:
    """`cajkg serve` builds the index once the store is ready; the first search finds it built
    and says how large it is and how long the build took."""
    store = open_store("memory", dataset=build_dataset)
    try:
        app = create_app({"TESTING": True}, store=store)
        warm(app).join(timeout=120)
        live = app.extensions[EXTENSION]
        built = live.current()
        assert len(built) > 1000 and 0 < live.build_seconds < 60
        body = app.test_client().get("/search?q=Kasachstan&format=json").get_json()
        assert body["index"] == {
            "documents": len(built),
            "build_seconds": round(live.build_seconds, 3),
        }
        assert live.current() is built
    finally:
        store.close()
