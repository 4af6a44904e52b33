"""Linked-data pages, ontology documents, home, article, downloads, workbench and diagram,
on the fixture dataset (tests/data/pages/facts.trig) through the real app and a real server."""

from __future__ import annotations

import http.client
import re
import threading
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pages_fixture import evil_store, fixture_dataset, write_build
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from werkzeug.serving import make_server

from cajkg.graph.iris import CAJKG, G_ONTOLOGY, GRAPH, RES, SECTOR
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app
from cajkg.server.describe import highlight

PROTEGE_ACCEPT = (
    "application/rdf+xml, application/xml; q=0.7, text/xml; q=0.6, text/plain; q=0.1, */*; q=0.09"
)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_SUFFIXES = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
}
EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">" onmouseover="x'


@pytest.fixture(scope="module")
def dataset():
    return fixture_dataset()


@pytest.fixture(scope="module")
def build_dir(dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("build")
    write_build(dataset, folder)
    return folder


def make_app(store, build_dir, data_dir):
    return create_app(
        {"TESTING": True, "CAJKG_BUILD_DIR": str(build_dir), "CAJKG_DATA_DIR": str(data_dir)},
        store=store,
    )


@pytest.fixture(scope="module")
def store(dataset):
    return MemoryStore(dataset)


@pytest.fixture(scope="module")
def app(store, build_dir, tmp_path_factory):
    return make_app(store, build_dir, tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def parse(response, rdflib_format):
    graph = Graph()
    graph.parse(data=response.data, format=rdflib_format)
    return graph


# -- dereferencing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "suffix"),
    [
        (BROWSER_ACCEPT, "html"),
        ("text/html", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        ("text/plain", "nt"),
        ("*/*", "html"),
        (None, "html"),
        ("application/xml;q=0.5, text/turtle", "ttl"),
        ("text/html;q=0, application/xhtml+xml;q=0, */*;q=0.1", "ttl"),
        (PROTEGE_ACCEPT, "rdf"),
    ],
)
def test_a_resource_iri_answers_303_to_the_preferred_document(client, accept, suffix):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/resource/Tokyo", headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/resource/Tokyo.{suffix}"
    assert "Accept" in response.headers["Vary"]
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 200  # one hop


def test_no_acceptable_representation_is_406(client):
    response = client.get("/resource/Tokyo", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


@pytest.mark.parametrize("suffix", sorted(RDF_SUFFIXES))
def test_suffix_documents_describe_the_resource_with_neighbour_labels(client, suffix):
    media_type, rdflib_format = RDF_SUFFIXES[suffix]
    response = client.get(f"/resource/Tokyo.{suffix}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    graph = parse(response, rdflib_format)
    assert (RES.Tokyo, CAJKG.locatedIn, RES.Japan) in graph
    assert (RES["first-summit"], CAJKG.heldIn, RES.Tokyo) in graph  # incoming link
    assert (RES.Japan, RDFS.label, Literal("Japan", lang="en")) in graph  # neighbour's label
    assert (RES.Tokyo, RDF.type, CAJKG.Place) in graph  # inferred facts are included
    links = response.headers["Link"]
    assert '</resource/Tokyo.html>; rel="alternate"; type="text/html"' in links


def test_the_html_document_links_its_alternates(client):
    response = client.get("/resource/Tokyo.html")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    for suffix, (media_type, _) in RDF_SUFFIXES.items():
        assert (
            f'</resource/Tokyo.{suffix}>; rel="alternate"; type="{media_type}"'
            in response.headers["Link"]
        )
        assert f'href="/resource/Tokyo.{suffix}"' in response.get_data(as_text=True)


def test_the_resource_page_tells_asserted_from_inferred_and_quotes_its_source(client):
    html = client.get("/resource/Tokyo.html").get_data(as_text=True)
    assert "<h1>Tokyo</h1>" in html
    assert 'class="asserted"><a href="/ontology#CapitalCity"' in html
    assert 'class="inferred"><a href="/ontology#Place"' in html
    assert "Tokio" in html and "Tokyo" in html  # labels in both languages
    assert "<mark>Tokio</mark>" in html
    assert "Sanae Takaichi nach dem" in html  # the whole sentence is quoted
    assert "<mark>Sanae" not in html  # only the mentions of this resource are marked
    assert 'href="/graph/s04"' in html
    assert 'href="/sentence/s04"' in html
    assert 'href="/diagram?iri=https://w3id.org/cajkg/resource/Tokyo"' in html


def test_an_inferred_link_is_marked_inferred(client):
    html = client.get("/resource/first-summit.html").get_data(as_text=True)
    rows = re.findall(r'<tr class="(asserted|inferred)">(.*?)</tr>', html, re.DOTALL)
    held_in = {
        kind
        for kind, row in rows
        if ">held in<" in row and "/resource/" in row and 'href="/resource/Japan"' in row
    }
    held_in_tokyo = {
        kind for kind, row in rows if ">held in<" in row and 'href="/resource/Tokyo"' in row
    }
    assert held_in == {"inferred"} and held_in_tokyo == {"asserted"}


def test_a_named_graph_page_lists_its_triples_and_quotes_its_sentence(client):
    html = client.get("/graph/s04.html").get_data(as_text=True)
    assert "Triples in this graph" in html
    assert 'href="/resource/Tokyo"' in html
    assert "<mark>Tokio</mark>" in html
    assert "<mark>ersten Gipfeltreffen „Zentralasien + Japan“</mark>" in html
    assert "_:" not in html  # mention records are shown as marks, not as blank nodes


def test_a_mention_has_a_page_linked_from_its_sentence_and_its_graph(client, dataset):
    """Mentions are IRIs: the sentence and the fact graph link to them (labelled with the quoted
    words), and the mention's own page leads on to its entity, sentence and graph."""
    provenance = dataset.graph(GRAPH.provenance)
    mention = next(provenance.subjects(CAJKG.mentionOf, RES.Tokyo))
    path = "/" + str(mention)[len("https://w3id.org/cajkg/") :]
    assert path.startswith("/mention/s04-")
    link = f'<a href="{path}" title="{mention}">Tokio</a>'
    assert link in client.get("/sentence/s04.html").get_data(as_text=True)
    assert link in client.get("/graph/s04.html").get_data(as_text=True)
    assert client.get(path, headers={"Accept": "text/html"}).headers["Location"] == path + ".html"
    page = client.get(path + ".html")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Tokio</h1>" in html
    for target in ("/resource/Tokyo", "/sentence/s04", "/graph/s04"):
        assert f'href="{target}"' in html
    described = parse(client.get(path + ".ttl"), "turtle")
    assert (mention, CAJKG.mentionOf, RES.Tokyo) in described
    assert (GRAPH.s04, CAJKG.mention, mention) in described
    # The entity's page marks the mention in its sentence instead of listing mention records.
    assert 'href="/mention/' not in client.get("/resource/Tokyo.html").get_data(as_text=True)


def test_an_unknown_iri_gets_a_helpful_404(client):
    response = client.get("/resource/Tokio", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "https://w3id.org/cajkg/resource/Tokio" in html
    assert 'href="/resource/Tokyo"' in html  # did you mean


@pytest.mark.parametrize(
    "path",
    [
        "/resource/Tokio",
        "/resource/Tokyo.exe",
        "/resource/Tokyo.",
        "/resource/%3Cscript%3E",
        "/nothing/here.ttl",
    ],
)
def test_unknown_iris_and_suffixes_are_404_for_machines(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.get_data(as_text=True).strip()


# -- ontology ----------------------------------------------------------------------------------

CORE_FILE = Path(__file__).resolve().parents[1] / "ontology" / "cajkg.ttl"


MODULE_FILES = [CORE_FILE, CORE_FILE.with_name("sectors.ttl"), CORE_FILE.with_name("alignment.ttl")]


def _ground(graph: Graph) -> set:
    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}


def assert_whole_ontology(graph: Graph) -> None:
    """The core file and its two modules in one ontology that imports nothing: every triple of
    the three files but the imports and the other modules' headers (their owl:Ontology type,
    versions and ontology annotations), and nothing else."""
    core = URIRef("https://w3id.org/cajkg/ontology")
    assert set(graph.subjects(RDF.type, OWL.Ontology)) == {core}
    assert not any(graph.triples((None, OWL.imports, None)))
    modules = Graph()
    for path in MODULE_FILES:
        modules.parse(path)
    served, files = _ground(graph), _ground(modules)
    assert served <= files
    assert len(graph) - len(served) == len(modules) - len(files)  # restrictions and lists
    annotation = set(modules.subjects(RDF.type, OWL.AnnotationProperty))
    header = {OWL.versionIRI, OWL.versionInfo, OWL.imports, RDFS.label, RDFS.comment} | annotation
    for s, p, o in files - served:
        assert p == OWL.imports or (
            s in set(modules.subjects(RDF.type, OWL.Ontology)) - {core}
            and (p in header or o == OWL.Ontology)
        ), (s, p, o)
    assert (SECTOR.energy, RDF.type, None) in graph
    scheme = URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")
    assert (SECTOR[""], RDF.type, scheme) in graph  # the sector scheme is data, not header


@pytest.mark.parametrize("path", ["/ontology", "/ontology/1.0.0"])
def test_protege_gets_the_whole_ontology_as_rdf_xml(client, path):
    """Protégé cannot resolve the modules' w3id.org imports from this server, so the ontology
    IRI gives the core with the modules merged in (tests/test_owlapi.py loads it by URL)."""
    response = client.get(path, headers={"Accept": PROTEGE_ACCEPT})
    assert response.status_code == 200
    assert response.mimetype == "application/rdf+xml"
    assert_whole_ontology(parse(response, "xml"))


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        (BROWSER_ACCEPT, "text/html"),
    ],
)
def test_the_ontology_iri_negotiates(client, accept, media_type):
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("suffix", sorted(RDF_SUFFIXES))
def test_the_ontology_has_suffix_forms(client, suffix):
    media_type, rdflib_format = RDF_SUFFIXES[suffix]
    response = client.get(f"/ontology.{suffix}")
    assert response.mimetype == media_type
    assert_whole_ontology(parse(response, rdflib_format))


def test_modules_serve_their_own_file(client):
    alignment = parse(
        client.get("/ontology/alignment", headers={"Accept": "text/turtle"}), "turtle"
    )
    alignment_iri = URIRef("https://w3id.org/cajkg/ontology/alignment")
    assert (alignment_iri, RDF.type, OWL.Ontology) in alignment
    sectors = parse(client.get("/sector/", headers={"Accept": "text/turtle"}), "turtle")
    assert (SECTOR[""], RDF.type, OWL.Ontology) in sectors
    assert (SECTOR.energy, None, None) in sectors
    assert (alignment_iri, None, None) not in sectors
    assert client.get("/sector/", headers={"Accept": "text/html"}).status_code == 303


def test_the_documentation_has_an_anchor_and_a_page_per_term(client):
    html = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="Summit"' in html and 'id="holdsOffice"' in html and 'id="energy"' in html
    assert "Gipfeltreffen" in html  # German labels
    assert "transitive" in html  # characteristics of locatedIn
    assert 'href="/resource/first-summit"' in html  # individuals per class
    term = client.get("/ontology/term/holdsOffice").get_data(as_text=True)
    assert "Inverse" in term and 'href="/ontology#heldBy"' in term
    assert "Domain" in term and "Range" in term
    assert client.get("/ontology/term/NoSuchTerm").status_code == 404
    assert client.get("/ontology/nope", headers={"Accept": "text/turtle"}).status_code == 404


# -- home, article, downloads, VoID ---------------------------------------------------------------


def test_home_counts_graphs_and_links_everything(client, store):
    html = client.get("/").get_data(as_text=True)
    ontology_size = len(store.graph(G_ONTOLOGY))
    assert f"{ontology_size:,}" in html
    for link in (
        'href="/article"',
        'href="/query"',
        'href="/ontology"',
        'href="/.well-known/void"',
        'href="/download/dataset.trig"',
        'href="/resource/Japan"',
        'href="/article/de"',
    ):
        assert link in html
    assert "query?name=01-" in html  # the named queries


def test_the_article_links_sentences_to_facts_and_mentions_to_entities(client):
    html = client.get("/article").get_data(as_text=True)
    assert html.count('<li class="sentence') == 44
    sentence = html[html.index('id="s04"') : html.index('id="s05"')]
    assert 'href="/graph/s04"' in sentence and 'href="/graph/s03"' in sentence
    assert '<a class="mention" href="/resource/Tokyo" title="cjr:Tokyo">Tokio</a>' in sentence


def test_downloads_list_every_dump_with_its_media_type(client, build_dir):
    html = client.get("/download/").get_data(as_text=True)
    expected = {
        "dataset.trig": "application/trig",
        "dataset.nq": "application/n-quads",
        "dataset.jsonld": "application/ld+json",
        "union.ttl": "text/turtle",
        "union.nt": "application/n-triples",
        "ontology.ttl": "text/turtle",
        "ontology.rdf": "application/rdf+xml",
        "void.ttl": "text/turtle",
        "ontology-with-individuals.owl": "application/rdf+xml",
    }
    for name, media_type in expected.items():
        assert f'href="/download/{name}"' in html
        response = client.get(f"/download/{name}")
        assert response.status_code == 200
        assert response.mimetype == media_type
        assert response.data == (build_dir / name).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/download/../pyproject.toml",
        "/download/%2e%2e/pyproject.toml",
        "/download/..%2fpyproject.toml",
        "/download/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/download/..",
        "/download/cache",
        "/download/.%2e/.%2e/pyproject.toml",
        "/download/%2fetc%2fpasswd",
        "/download/dataset.trig%00.txt",
    ],
)
def test_downloads_cannot_leave_the_listing(live, path):
    connection = http.client.HTTPConnection(live.removeprefix("http://"), timeout=10)
    connection.request("GET", path)  # sent as written: no client normalises the dots away
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    assert response.status == 404
    assert "[build-system]" not in body and "root:" not in body


def test_void_is_served_by_negotiation_and_linked(client):
    turtle = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    graph = parse(turtle, "turtle")
    dataset = URIRef("https://w3id.org/cajkg/dataset")
    assert (dataset, RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")) in graph
    assert (dataset, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in graph
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert len(parse(jsonld, "json-ld")) == len(graph)
    html = client.get("/.well-known/void", headers={"Accept": BROWSER_ACCEPT})
    assert html.mimetype == "text/html"
    assert client.get("/dataset").headers["Location"] == "/.well-known/void"


# -- workbench and diagram -----------------------------------------------------------------------


def test_the_workbench_offers_every_named_query(client):
    names = [
        f.name[:-3] for f in resources.files("cajkg.queries").iterdir() if f.name.endswith(".rq")
    ]
    html = client.get("/query").get_data(as_text=True)
    for name in names:
        assert f'data-name="{name}"' in html
    chosen = client.get(f"/query?name={names[0]}").get_data(as_text=True)
    assert 'class="example current"' in chosen
    assert 'id="infer" name="infer" value="true" checked' in html
    assert (
        "checked"
        not in client.get("/query?infer=false")
        .get_data(as_text=True)
        .split('id="infer"')[1]
        .split(">")[0]
    )


def test_the_diagram_draws_the_neighbourhood(client):
    response = client.get("/diagram.svg", query_string={"iri": str(RES.Tokyo), "infer": "true"})
    assert response.mimetype == "image/svg+xml"
    svg = ElementTree.fromstring(response.data)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert {"Tokyo", "Japan", "First Central Asia + Japan Summit"} <= set(texts)
    assert "located in" in texts
    page = client.get("/diagram", query_string={"iri": str(RES.Tokyo)})
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    assert client.get("/diagram", query_string={"iri": str(RES.Nowhere)}).status_code == 404
    assert client.get("/diagram", query_string={"iri": "<x>"}).status_code == 404


# -- escaping ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evil_client(dataset, build_dir, tmp_path_factory):
    store = evil_store(dataset, EVIL)
    return make_app(store, build_dir, tmp_path_factory.mktemp("var")).test_client()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/resource/Evil.html",
        "/resource/Japan.html",
        "/ontology",
        "/diagram?iri=https%3A%2F%2Fw3id.org%2Fcajkg%2Fresource%2FEvil",
        "/diagram?iri=https%3A%2F%2Fw3id.org%2Fcajkg%2Fresource%2FJapan",
        "/diagram.svg?iri=https%3A%2F%2Fw3id.org%2Fcajkg%2Fresource%2FJapan",
        "/ontology/term/State",
    ],
)
def test_a_label_with_markup_is_escaped_everywhere(evil_client, path):
    response = evil_client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>window" not in body and "<img src=x" not in body
    assert 'onmouseover="x' not in body
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in body


def test_highlight_merges_overlapping_spans():
    assert highlight("Sanae Takaichi in Tokio", [(0, 5), (3, 14), (18, 23)]) == [
        ("Sanae Takaichi", True),
        (" in ", False),
        ("Tokio", True),
    ]
    assert highlight("abc", []) == [("abc", False)]
