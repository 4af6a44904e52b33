"""The W3C SPARQL 1.1 Update evaluation suites (102 tests) against the real server over HTTP,
on the memory and oxigraph stores.

Each test starts from an empty store (DROP ALL), loads its data through the Graph Store
Protocol, sends its request to /update, and compares the whole resulting dataset (the default
graph and every named graph, read back by Graph Store GET) with the manifest's expected one by
isomorphism. The suites' negative syntax tests must be refused with 400 and change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from w3c_suite import STORE_KINDS, Endpoint, Entry, load, new_store, read_file_graph

SUITES = {
    "add": 8,
    "basic-update": 13,
    "clear": 4,
    "copy": 6,
    "delete": 19,
    "delete-data": 6,
    "delete-insert": 17,
    "delete-where": 6,
    "drop": 4,
    "move": 6,
    "update-silent": 13,
}
ENTRIES = [e for suite in SUITES for e in load(suite)]
SENTINEL = "<urn:w3c:s> <urn:w3c:p> <urn:w3c:o> .\n"


def test_every_update_test_is_collected():
    for suite, count in SUITES.items():
        assert len([e for e in ENTRIES if e.suite == suite]) == count, suite
    assert len(ENTRIES) == 102


@pytest.fixture(scope="module", params=STORE_KINDS)
def endpoint(request, tmp_path_factory) -> Iterator[Endpoint]:
    """One server per store kind for the whole module."""
    running = Endpoint(new_store(request.param, tmp_path_factory.mktemp(request.param)))
    yield running
    running.close()


def _expected(entry: Entry) -> dict[str | None, Graph]:
    expected: dict[str | None, Graph] = {None: Graph()}
    for path in entry.result_data:
        expected[None] += read_file_graph(path)
    for path, label in entry.result_graph_data:
        expected[label] = read_file_graph(path)
    return {name: graph for name, graph in expected.items() if name is None or len(graph)}


def _same(got: dict[str | None, Graph], expected: dict[str | None, Graph]) -> None:
    assert set(got) == set(expected), (sorted(map(str, got)), sorted(map(str, expected)))
    for name, graph in expected.items():
        assert isomorphic(got[name], graph), (
            name,
            sorted(got[name].serialize(format="nt").splitlines()),
            sorted(graph.serialize(format="nt").splitlines()),
        )


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_update(endpoint: Endpoint, entry: Entry):
    endpoint.reset()
    assert entry.query is not None
    text = entry.query.read_text("utf-8")
    if entry.negative:
        endpoint.put_text(SENTINEL, None)
        endpoint.put_text(SENTINEL, "urn:w3c:g")
        before = endpoint.snapshot()
        response = endpoint.update(text)
        assert response.status_code == 400, response.text
        _same(endpoint.snapshot(), before)
        return
    for path in entry.data:
        endpoint.put(path, None)
    for path, label in entry.graph_data:
        endpoint.put(path, label)
    response = endpoint.update(text)
    assert response.status_code == 204, response.text
    _same(endpoint.snapshot(), _expected(entry))
