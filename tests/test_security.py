"""Nothing is fetched because a request asked; runaway queries stop; CORS for reads only.

The canaries: a loopback HTTP server that counts requests, and a Turtle file whose opening is
recorded by a Python audit hook (the servers under test run in this process).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, make_app
from reliability.security import CANARY_TURTLE, Listener

from cajkg.graph.store.memory import MemoryStore

AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and args and "canary" in str(args[0]):
        OPENED.append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def canary() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def canary_file(tmp_path: Path) -> str:
    path = tmp_path / "canary.ttl"
    path.write_bytes(CANARY_TURTLE)
    OPENED.clear()
    return path.as_uri()


def test_nothing_is_fetched_or_read(serve, canary, canary_file):
    url = serve(make_app(MemoryStore()))
    queries = [
        f"SELECT * {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{canary.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{canary.url}> {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{canary.url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{canary_file}> {{ ?s ?p ?o }}",
    ]
    for query in queries:
        response = requests.get(f"{url}/sparql", params={"query": query}, timeout=30)
        assert response.status_code == 400, (query, response.text)
    for params in ({"default-graph-uri": canary.url}, {"named-graph-uri": canary_file}):
        response = requests.get(
            f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }", **params}, timeout=30
        )
        assert response.status_code == 400
    # SILENT makes the LOAD that policy refuses a successful no-op (SPARQL 1.1 Update 3.1.1)
    silent = f"LOAD SILENT <{canary_file}> INTO GRAPH <http://example.org/g>"
    response = requests.post(f"{url}/update", data={"update": silent}, headers=AUTH, timeout=30)
    assert response.status_code == 204, response.text
    updates = [
        f"LOAD <{canary.url}>",
        f"LOAD <{canary_file}> INTO GRAPH <http://example.org/g>",
        f"INSERT {{ ?s ?p ?o }} USING <{canary.url}> WHERE {{ ?s ?p ?o }}",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}",
    ]
    for text in updates:
        response = requests.post(f"{url}/update", data={"update": text}, headers=AUTH, timeout=30)
        assert response.status_code == 400, (text, response.text)
    response = requests.post(
        f"{url}/update",
        params={"using-graph-uri": canary_file},
        data="INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        timeout=30,
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code == 400
    assert canary.hits == 0
    assert OPENED == []


def test_the_canaries_work_when_allow_listed(serve, canary, canary_file):
    url = serve(make_app(MemoryStore(fetchable=[canary.url, canary_file])))
    query = f"ASK FROM <{canary.url}> {{ <urn:canary:s> ?p ?o }}"
    response = requests.get(f"{url}/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert response.json()["boolean"] is True
    assert canary.hits == 1
    loaded = requests.post(
        f"{url}/update", data={"update": f"LOAD <{canary_file}>"}, headers=AUTH, timeout=30
    )
    assert loaded.status_code == 204
    assert OPENED


CARTESIAN = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"


def test_a_runaway_query_is_stopped_while_others_are_answered(serve):
    url = serve(make_app(CAJKG_QUERY_TIMEOUT=2.0))
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = requests.get(f"{url}/sparql", params={"query": CARTESIAN}, timeout=60)
        outcome["status"], outcome["text"] = response.status_code, response.text
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    quick_started = time.monotonic()
    quick = requests.get(
        f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=30
    )
    quick_seconds = time.monotonic() - quick_started
    thread.join()
    assert quick.json()["boolean"] is True
    assert quick_seconds < 1.5
    assert outcome["status"] == 503
    assert "stopped" in str(outcome["text"])
    assert float(outcome["seconds"]) < 5  # type: ignore[arg-type]
    metrics = requests.get(f"{url}/metrics", timeout=30).text
    assert "cajkg_query_timeouts_total 1" in metrics
    again = requests.get(
        f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=30
    )
    assert again.json()["boolean"] is True


def test_cors_preflight_allows_queries_but_no_credentials(live_server):
    origin = {"Origin": "https://elsewhere.example"}
    preflight = requests.options(
        f"{live_server}/sparql",
        timeout=30,
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" not in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    read = requests.get(
        f"{live_server}/sparql", params={"query": "ASK {}"}, headers=origin, timeout=30
    )
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    update_preflight = requests.options(
        f"{live_server}/update",
        headers={**origin, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert "Access-Control-Allow-Origin" not in update_preflight.headers


def test_writes_are_never_cross_origin(serve):
    url = serve(make_app(MemoryStore()))
    response = requests.post(
        f"{url}/update",
        timeout=30,
        data={"update": "INSERT DATA { <http://e.org/a> <http://e.org/b> 1 }"},
        headers={**AUTH, "Origin": "https://elsewhere.example"},
    )
    assert response.status_code == 403
    assert "origin" in response.text


def test_cors_origins_can_be_restricted(serve):
    url = serve(make_app(MemoryStore(), CAJKG_CORS_ORIGINS=("https://friend.example",)))
    params = {"query": "ASK {}"}
    friend = requests.get(
        f"{url}/sparql", params=params, timeout=30, headers={"Origin": "https://friend.example"}
    )
    assert friend.headers["Access-Control-Allow-Origin"] == "https://friend.example"
    assert "Origin" in friend.headers["Vary"]
    stranger = requests.get(
        f"{url}/sparql", params=params, timeout=30, headers={"Origin": "https://stranger.example"}
    )
    assert "Access-Control-Allow-Origin" not in stranger.headers
