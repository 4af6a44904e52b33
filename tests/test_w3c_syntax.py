"""The W3C SPARQL 1.1 syntax suites (syntax-query, syntax-update-1, syntax-update-2: 149 tests,
44 of them negative) against the real server over HTTP, on the memory and oxigraph stores.

Queries go to /sparql, updates to /update. Every negative test is refused with 400, and a refused
update changes nothing: the store holds a sentinel in its default graph and in a named graph,
and the whole dataset is compared before and after. Every positive test is answered (200 or
204), or refused with 400 by a documented policy (POLICY: the test and the reason).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib.compare import isomorphic
from w3c_suite import STORE_KINDS, Endpoint, Entry, load, new_store

SUITES = {"syntax-query": 94, "syntax-update-1": 54, "syntax-update-2": 1}
ENTRIES = [e for suite in SUITES for e in load(suite)]
SENTINEL = "<urn:w3c:s> <urn:w3c:p> <urn:w3c:o> .\n"
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"

# Positive tests that evaluating them needs something a safe endpoint refuses by policy. The
# text is valid (the refusal is a 400 naming the policy, not a syntax error).
POLICY = {
    "syntax-update-1/test_1": "LOAD fetches from the network (README: Safety; CAJKG_ALLOW_LOAD)",
    "syntax-update-1/test_2": "LOAD fetches from the network (README: Safety; CAJKG_ALLOW_LOAD)",
    "syntax-update-1/test_3": "LOAD fetches from the network (README: Safety; CAJKG_ALLOW_LOAD)",
    "syntax-update-1/test_4": "LOAD fetches from the network (README: Safety; CAJKG_ALLOW_LOAD)",
    "syntax-update-1/test_37": "LOAD fetches from the network (README: Safety; CAJKG_ALLOW_LOAD)",
    "syntax-update-1/test_32": "USING <base:g1>: a graph the store does not hold (never fetched)",
    "syntax-query/test_42": "FROM <file>: a graph the store does not hold (never fetched)",
    "syntax-query/test_4": "calls <http://example/function>, which no engine here implements: "
    "a 400 naming the function",
}
POLICY_WORDS = {
    "LOAD": "is not allowed on this endpoint",
    "graph": "is not a graph of this store",
    "function": "is unknown: this endpoint implements",
}


def test_every_syntax_test_is_collected():
    for suite, count in SUITES.items():
        assert len([e for e in ENTRIES if e.suite == suite]) == count, suite
    assert len(ENTRIES) == 149
    assert len([e for e in ENTRIES if e.negative]) == 44


@pytest.fixture(scope="module", params=STORE_KINDS)
def endpoint(request, tmp_path_factory) -> Iterator[Endpoint]:
    """One server per store kind for the whole module."""
    running = Endpoint(new_store(request.param, tmp_path_factory.mktemp(request.param)))
    yield running
    running.close()


@pytest.fixture(scope="module")
def query_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    """Queries are read the same way on every store kind: one memory store serves them."""
    running = Endpoint(new_store("memory", tmp_path_factory.mktemp("queries")))
    running.put_text(SENTINEL, None)
    yield running
    running.close()


QUERIES = [e for e in ENTRIES if not e.update]
UPDATES = [e for e in ENTRIES if e.update]


def _policy_refusal(entry: Entry, response) -> None:
    assert response.status_code == 400, response.text
    assert any(words in response.text for words in POLICY_WORDS.values()), response.text


@pytest.mark.parametrize("entry", QUERIES, ids=[e.id for e in QUERIES])
def test_query_syntax(query_endpoint: Endpoint, entry: Entry):
    assert entry.query is not None
    response = query_endpoint.query(entry.query.read_text("utf-8"), ACCEPT)
    if entry.negative:
        assert response.status_code == 400, response.text
    elif entry.id in POLICY:
        _policy_refusal(entry, response)
    else:
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("entry", UPDATES, ids=[e.id for e in UPDATES])
def test_update_syntax(endpoint: Endpoint, entry: Entry):
    endpoint.reset()
    endpoint.put_text(SENTINEL, None)
    endpoint.put_text(SENTINEL, "urn:w3c:g")
    before = endpoint.snapshot() if entry.negative else {}
    assert entry.query is not None
    response = endpoint.update(entry.query.read_text("utf-8"))
    if entry.negative:
        assert response.status_code == 400, response.text
        after = endpoint.snapshot()
        assert set(after) == set(before)
        assert all(isomorphic(after[name], graph) for name, graph in before.items())
    elif entry.id in POLICY:
        _policy_refusal(entry, response)
    else:
        assert response.status_code == 204, response.text


def test_the_policy_list_names_real_positive_tests():
    positive = {e.id for e in ENTRIES if not e.negative}
    assert set(POLICY) <= positive
