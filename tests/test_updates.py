"""Writes: atomic, seen with their inferences at once, never half-seen, durable across kill -9."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import DATA, TOKEN, fixture_store, make_app
from rdflib import URIRef

from cajkg.graph.store.base import ForbiddenOperation, QueryTimeout, StoreError
from cajkg.graph.store.journal import Journal, JournalCorrupt
from cajkg.graph.store.memory import MemoryStore

AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
EX = "http://example.org/test#"


def ask(url: str, query: str) -> bool:
    response = requests.get(f"{url}/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def update(url: str, text: str) -> requests.Response:
    return requests.post(f"{url}/update", data={"update": text}, headers=AUTH, timeout=60)


def test_a_client_reads_its_own_write_with_inference(serve):
    url = serve(make_app())
    response = update(
        url,
        f"INSERT DATA {{ GRAPH <http://example.org/g> "
        f"{{ <http://example.org/second> a <{EX}Summit> }} }}",
    )
    assert response.status_code == 204
    assert ask(url, f"ASK {{ <http://example.org/second> a <{EX}Meeting> }}")
    assert ask(
        url,
        f"ASK {{ GRAPH <https://w3id.org/cajkg/graph/inferred> "
        f"{{ <http://example.org/second> a <{EX}Meeting> }} }}",
    )


def test_a_failing_update_changes_nothing(serve):
    url = serve(make_app())
    response = update(
        url,
        "INSERT DATA { <http://example.org/half> <http://example.org/p> 1 } ; "
        "CREATE GRAPH <https://w3id.org/cajkg/graph/s01>",
    )
    assert response.status_code == 400
    assert "already exists" in response.text
    assert not ask(url, "ASK { <http://example.org/half> ?p ?o }")


def test_the_inferred_graph_cannot_be_written(serve):
    url = serve(make_app())
    response = update(
        url,
        "INSERT DATA { GRAPH <https://w3id.org/cajkg/graph/inferred> "
        "{ <http://example.org/a> <http://example.org/b> 1 } }",
    )
    assert response.status_code == 400
    assert not ask(url, "ASK { <http://example.org/a> ?p ?o }")


def test_readers_never_see_half_an_update(serve):
    url = serve(make_app())
    token = "<http://example.org/token>"
    assert (
        update(
            url,
            f"INSERT DATA {{ GRAPH <http://example.org/left> "
            f"{{ {token} <http://example.org/at> 0 }} }}",
        ).status_code
        == 204
    )
    count = f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ {token} <http://example.org/at> ?i }} }}"
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            response = requests.get(
                f"{url}/sparql", params={"query": count}, headers=JSON, timeout=30
            )
            seen.append(int(response.json()["results"]["bindings"][0]["n"]["value"]))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for i in range(1, 6):
            source, target = ("left", "right") if i % 2 else ("right", "left")
            response = update(
                url,
                f"""
                DELETE {{ GRAPH <http://example.org/{source}> {{ {token} ?p ?i }} }}
                INSERT {{ GRAPH <http://example.org/{target}> {{ {token} ?p {i} }} }}
                WHERE {{ GRAPH <http://example.org/{source}> {{ {token} ?p ?i }} }}""",
            )
            assert response.status_code == 204, response.text
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert seen and set(seen) == {1}


def test_a_torn_last_journal_line_is_ignored_and_cut(tmp_path, caplog):
    journal = Journal(tmp_path)
    journal.append({"op": "update", "text": "INSERT DATA { <http://e.org/a> <http://e.org/b> 1 }"})
    with journal.path.open("ab") as out:
        out.write(b'{"op":"update","text":"INSERT DA')
    with caplog.at_level(logging.WARNING):
        assert len(list(journal.entries())) == 1
    assert "torn last line" in caplog.text
    journal.append({"op": "update", "text": "INSERT DATA { <http://e.org/a> <http://e.org/b> 2 }"})
    store = MemoryStore(journal=Journal(tmp_path))
    assert len(store.query("SELECT * { ?s ?p ?o }")) == 2


def test_a_damaged_line_before_the_end_stops_the_start(tmp_path):
    (tmp_path / "journal.jsonl").write_text('{"op":"upd\n{"op":"delete","graph":null}\n')
    with pytest.raises(JournalCorrupt):
        MemoryStore(journal=Journal(tmp_path))


def test_store_level_refusals_leave_the_journal_alone(tmp_path):
    store = MemoryStore(journal=Journal(tmp_path))
    with pytest.raises(ForbiddenOperation):
        store.update("LOAD <http://example.org/x>")
    with pytest.raises(StoreError):
        store.update(
            "INSERT DATA { GRAPH <http://example.org/g> "
            "{ <http://example.org/a> <http://example.org/b> 1 } } ; "
            "CREATE GRAPH <http://example.org/g>"
        )
    assert not (tmp_path / "journal.jsonl").exists()
    assert store.graph(URIRef("http://example.org/g")) is None


SERVER = """
import sys
from pathlib import Path
from rdflib import Dataset
from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.store.journal import Journal
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app
from cajkg.server.wsgi import serve
data, journal, port, token = sys.argv[1:]
dataset = Dataset()
dataset.parse(data, format="trig")
store = MemoryStore(dataset, reasoner=infer_with_owlrl, journal=Journal(Path(journal)))
serve(create_app({"CAJKG_UPDATE_TOKEN": token, "CAJKG_DATA_DIR": journal}, store=store),
      port=int(port), threads=4)
"""


def _start(journal: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(DATA / "endpoint.trig"), str(journal), str(port), TOKEN],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not start")


@pytest.mark.slow
def test_an_acknowledged_write_survives_kill_9(tmp_path):
    process, url = _start(tmp_path)
    try:
        response = update(
            url,
            f"INSERT DATA {{ GRAPH <http://example.org/durable> "
            f"{{ <http://example.org/kept> a <{EX}Summit> }} }}",
        )
        assert response.status_code == 204
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    lines = (tmp_path / "journal.jsonl").read_text().splitlines()
    (entry,) = [json.loads(line) for line in lines]
    assert "<http://example.org/kept>" in entry["add"] and "op" not in entry
    process, url = _start(tmp_path)
    try:
        assert ask(url, f"ASK {{ <http://example.org/kept> a <{EX}Meeting> }}")
    finally:
        process.terminate()
        process.wait()


def test_an_update_whose_where_runs_past_the_timeout_changes_nothing():
    store = fixture_store()
    runaway = (
        "INSERT { GRAPH <http://example.org/g> { ?s0 <http://example.org/p> ?o5 } } WHERE { "
        + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(6))
        + " }"
    )
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.update(runaway, timeout=0.5)
    assert time.monotonic() - started < 5
    assert store.graph(URIRef("http://example.org/g")) is None
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> "
        "<http://example.org/p> 1 } }",
        timeout=5,
    )
    assert len(store.graph(URIRef("http://example.org/g"))) == 1
