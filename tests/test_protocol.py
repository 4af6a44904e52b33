"""Every status of the endpoint table, by plain HTTP against a real server (requests)."""

from __future__ import annotations

import pytest
import requests
from conftest import TOKEN, make_app
from rdflib import Graph, Namespace, URIRef

from cajkg.graph.store.memory import MemoryStore

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Accept": "application/sparql-results+json"}
MEETING = (
    "ASK { <https://w3id.org/cajkg/resource/first-summit> a <http://example.org/test#Meeting> }"
)


def ask(url: str, query: str, **params: str) -> bool:
    response = requests.get(
        f"{url}/sparql", params={"query": query, **params}, headers=JSON, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def test_inference_is_on_by_default_and_off_with_infer_false(live_server):
    assert ask(live_server, MEETING)
    assert not ask(live_server, MEETING, infer="false")


def test_named_graphs_are_queryable_with_graph(live_server):
    query = (
        "SELECT ?g { GRAPH ?g { <https://w3id.org/cajkg/resource/first-summit> a ?c } } ORDER BY ?g"
    )
    response = requests.get(
        f"{live_server}/sparql", params={"query": query}, headers=JSON, timeout=30
    )
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    assert graphs == ["https://w3id.org/cajkg/graph/inferred", "https://w3id.org/cajkg/graph/s01"]


def test_percent_in_a_posted_literal_is_decoded_once(live_server):
    query = 'ASK { ?s <http://example.org/test#note> "100%41 sure" }'
    posted = requests.post(f"{live_server}/sparql", data={"query": query}, headers=JSON, timeout=30)
    assert posted.json()["boolean"] is True
    assert ask(live_server, query)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/sparql", {"params": {"query": "ASK {}"}}, 200),
        (
            "POST",
            "/sparql",
            {"data": "ASK {}", "headers": {"Content-Type": "application/sparql-query"}},
            200,
        ),
        ("GET", "/sparql", {"params": {"query": "SELECT * {"}}, 400),
        ("GET", "/sparql", {"params": {"query": "ASK {}", "infer": "maybe"}}, 400),
        ("GET", "/sparql", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        (
            "GET",
            "/sparql",
            {"params": {"query": "ASK {}", "default-graph-uri": "http://nowhere.example/g"}},
            400,
        ),
        ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400),
        ("GET", "/sparql", {"params": {"update": "CLEAR ALL"}}, 400),
        ("POST", "/sparql", {"data": "ASK {}"}, 400),
        ("POST", "/sparql", {"data": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
        (
            "POST",
            "/sparql",
            {
                "data": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
        ),
        ("PUT", "/sparql", {}, 405),
        ("DELETE", "/update", {}, 405),
        ("POST", "/update", {"data": {"query": "ASK {}"}}, 400),
        ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "text/csv"}}, 406),
        ("GET", "/store", {"params": {"graph": "http://nowhere.example/g"}}, 404),
        ("GET", "/store", {}, 400),
        ("GET", "/healthz", {}, 200),
        ("GET", "/readyz", {}, 200),
    ],
)
def test_status(live_server, method, path, kwargs, status):
    response = requests.request(method, live_server + path, timeout=30, **kwargs)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["Content-Type"].startswith("text/plain")
        assert "Traceback" not in response.text
    if status == 405:
        assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]


def test_syntax_error_names_the_position(live_server):
    response = requests.get(
        f"{live_server}/sparql", params={"query": "SELECT * WHERE { ?s ?p"}, timeout=30
    )
    assert response.status_code == 400
    assert "error at 1:" in response.text


def test_406_names_the_acceptable_types(live_server):
    response = requests.get(
        f"{live_server}/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_format_parameter_overrides_accept(live_server):
    response = requests.get(
        f"{live_server}/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 1", "format": "tsv"},
        headers=JSON,
        timeout=30,
    )
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")


def test_service_description_by_negotiation(live_server):
    for media_type, rdflib_format in [
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ]:
        response = requests.get(f"{live_server}/sparql", headers={"Accept": media_type}, timeout=30)
        assert response.headers["Content-Type"].startswith(media_type)
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert list(graph.objects(None, SD.endpoint)) == [URIRef(f"{live_server}/sparql")]


def test_browsers_get_a_form(live_server):
    response = requests.get(
        f"{live_server}/sparql",
        timeout=30,
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text


def test_writes_need_a_token(serve):
    url = serve(make_app(MemoryStore()))
    update = {"update": "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"}
    missing = requests.post(f"{url}/update", data=update, timeout=30)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = requests.post(
        f"{url}/update", data=update, timeout=30, headers={"Authorization": "Bearer wrong"}
    )
    assert wrong.status_code == 403
    right = requests.post(f"{url}/update", data=update, headers=AUTH, timeout=30)
    assert right.status_code == 204


def test_no_token_configured_means_read_only(serve):
    url = serve(make_app(MemoryStore(), CAJKG_UPDATE_TOKEN=None))
    response = requests.post(
        f"{url}/sparql", data={"update": "CLEAR ALL"}, headers=AUTH, timeout=30
    )
    assert response.status_code == 403
    assert "read-only" in response.text
    put = requests.put(
        f"{url}/store",
        params={"default": ""},
        data="",
        headers={"Content-Type": "text/turtle", **AUTH},
        timeout=30,
    )
    assert put.status_code == 403


def test_graph_store_protocol_round_trip(serve):
    url = serve(make_app(MemoryStore()))
    graph = {"graph": "http://example.org/g"}
    turtle = {"Content-Type": "text/turtle", **AUTH}
    created = requests.put(
        f"{url}/store",
        params=graph,
        headers=turtle,
        timeout=30,
        data="<http://example.org/a> <http://example.org/b> 1 .",
    )
    assert created.status_code == 201
    replaced = requests.put(
        f"{url}/store",
        params=graph,
        headers=turtle,
        timeout=30,
        data="<http://example.org/a> <http://example.org/b> 2 .",
    )
    assert replaced.status_code == 204
    added = requests.post(
        f"{url}/store",
        params=graph,
        headers=turtle,
        timeout=30,
        data="<http://example.org/a> <http://example.org/b> 3 .",
    )
    assert added.status_code == 204
    got = requests.get(
        f"{url}/store", params=graph, headers={"Accept": "application/n-triples"}, timeout=30
    )
    assert got.headers["Content-Type"].startswith("application/n-triples")
    assert len(Graph().parse(data=got.text, format="nt")) == 2
    head = requests.head(f"{url}/store", params=graph, timeout=30)
    assert head.status_code == 200 and not head.content
    bad = requests.put(f"{url}/store", params=graph, data="<a> <b>", headers=turtle, timeout=30)
    assert bad.status_code == 400
    unsupported = requests.put(
        f"{url}/store",
        params=graph,
        data="x",
        timeout=30,
        headers={"Content-Type": "text/plain; charset=latin-1", **AUTH},
    )
    assert unsupported.status_code == 415
    for status in (204, 404):
        deleted = requests.delete(f"{url}/store", params=graph, headers=AUTH, timeout=30)
        assert deleted.status_code == status
    default = requests.get(f"{url}/store", params={"default": ""}, timeout=30)
    assert default.status_code == 200


def test_limits(serve):
    url = serve(
        make_app(MemoryStore(), CAJKG_MAX_QUERY_LENGTH=50, CAJKG_MAX_BODY=200, CAJKG_MAX_ROWS=2)
    )
    long_query = "ASK { " + "?s ?p ?o . " * 10 + "}"
    got = requests.get(f"{url}/sparql", params={"query": long_query}, timeout=30)
    assert got.status_code == 414
    posted = requests.post(
        f"{url}/sparql",
        data=long_query,
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert posted.status_code == 413
    body = requests.put(
        f"{url}/store",
        params={"default": ""},
        data="#" * 500,
        timeout=30,
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert body.status_code == 413
    rows = requests.get(
        f"{url}/sparql", timeout=30, params={"query": "SELECT ?x { VALUES ?x { 1 2 3 } }"}
    )
    assert rows.status_code == 400 and "LIMIT" in rows.text
    two = requests.get(
        f"{url}/sparql",
        timeout=30,
        headers=JSON,
        params={"query": "SELECT ?x { VALUES ?x { 1 2 3 } } LIMIT 2"},
    )
    assert len(two.json()["results"]["bindings"]) == 2


def test_an_unexpected_error_is_a_short_500(serve):
    app = make_app(MemoryStore())

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail in a traceback")

    response = requests.get(serve(app) + "/boom", timeout=30)
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text


def test_metrics_count_requests_by_status(live_server):
    requests.get(f"{live_server}/store", params={"graph": "http://nowhere.example/m"}, timeout=30)
    text = requests.get(f"{live_server}/metrics", timeout=30).text
    assert 'cajkg_http_requests_total{endpoint="gsp.graph_store",code="404"}' in text
    assert "cajkg_http_request_duration_seconds_bucket" in text
    assert "cajkg_query_timeouts_total" in text


def test_get_on_the_update_route_is_405_not_a_resource_404(client):
    response = client.get("/update")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"POST"}
    assert "GET" not in response.headers["Allow"]


def test_readyz_says_warming_up_until_the_reasoner_is_seeded(serve):
    import threading

    from conftest import fixture_dataset

    from cajkg.graph.iris import G_INFERRED

    release = threading.Event()

    def slow_reasoner(dataset):
        release.wait(30)
        return Graph()

    dataset = fixture_dataset()  # with a stored inferred graph, so only warm() seeds
    dataset.graph(G_INFERRED).add((URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")))
    store = MemoryStore(dataset, reasoner=slow_reasoner)
    url = serve(make_app(store))
    thread = store.warm()
    warming = requests.get(f"{url}/readyz", timeout=10)
    assert warming.status_code == 503 and warming.headers["Retry-After"] == "5"
    assert requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=10).ok
    release.set()
    thread.join(10)
    assert requests.get(f"{url}/readyz", timeout=10).text == "ready\n"
    store.close()
