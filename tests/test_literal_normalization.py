"""pySHACL and rdflib's literal normalization, which cajkg keeps off for the whole process.

pySHACL's `validate` entry point switches the normalization on while it validates, and leaves
it on. Called directly by one test module, it made the sparql store's tests (its writes, the W3C
query suite on it) fail when they ran after the rest of the suite in one process: the store's
answers came back rewritten (`"...Z"^^xsd:dateTime` as `"...+00:00"`, `"INF"^^xsd:double` as
`"inf"`), and the changes it computed from them deleted nothing (DROP ALL left the store full).
cajkg runs pySHACL through `pyshacl_validate`, which never switches it; conftest fails any test
that leaves it on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib
from oxigraph_server import OxigraphServer
from rdflib import Graph, Variable
from rdflib.compare import isomorphic
from rdflib.plugins.stores.memory import Memory

from cajkg.graph.store.factory import open_store
from cajkg.graph.store.remote import RemoteStore
from cajkg.graph.validate import pyshacl_validate

DATA = """@prefix ex: <urn:ex:> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ; ex:created "2026-11-26T00:00:00Z"^^xsd:dateTime .
ex:b a ex:Thing ."""
SHAPES = """@prefix ex: <urn:ex:> . @prefix sh: <http://www.w3.org/ns/shacl#> .
ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:created ;
    sh:minCount 1 ; sh:message "a Thing needs a creation time" ] ."""


class _Watched(Memory):
    """An rdflib store that notes the normalization switch whenever pySHACL reads the data."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[bool] = set()

    def triples(self, triple_pattern, context=None):  # type: ignore[no-untyped-def]
        self.seen.add(rdflib.NORMALIZE_LITERALS)
        return super().triples(triple_pattern, context)


def _shapes() -> Graph:
    return Graph().parse(data=SHAPES, format="turtle")


def _watched() -> tuple[Graph, _Watched]:
    store = _Watched()
    return Graph(store=store).parse(data=DATA, format="turtle"), store


def test_pyshacls_entry_point_switches_the_normalization_on():
    """The upstream behaviour that cajkg avoids (pyshacl.monkey): on during the validation,
    when any other thread would read rewritten literals, and still on after it."""
    from pyshacl import validate

    data, store = _watched()
    try:
        validate(data, shacl_graph=_shapes(), inference="none")
        assert rdflib.NORMALIZE_LITERALS is True
    finally:
        rdflib.NORMALIZE_LITERALS = False
    assert True in store.seen


def test_cajkg_validates_with_the_normalization_off_throughout():
    data, store = _watched()
    conforms, report, _ = pyshacl_validate(data, shacl_graph=_shapes())
    assert store.seen == {False}
    assert rdflib.NORMALIZE_LITERALS is False
    assert not conforms and "a Thing needs a creation time" in report.serialize(format="nt")


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_cajkg_gets_pyshacls_own_answer(inference: str):
    from pyshacl import validate

    data = Graph().parse(data=DATA, format="turtle")
    try:
        want = validate(data, shacl_graph=_shapes(), inference=inference)
    finally:
        rdflib.NORMALIZE_LITERALS = False
    got = pyshacl_validate(data, shacl_graph=_shapes(), inference=inference)
    assert got[0] == want[0] is False
    assert isomorphic(got[1], want[1])
    assert got[2] == want[2]


@pytest.fixture
def remote(tmp_path) -> Iterator[RemoteStore]:
    server = OxigraphServer(tmp_path / "oxigraph")
    store = open_store("sparql", endpoint=server.query_url, update_endpoint=server.update_url)
    yield store  # type: ignore[misc]
    store.close()
    server.kill()


def test_the_sparql_store_keeps_literals_after_a_validation(remote: RemoteStore):
    """What failed in the suite: answers read, and a DROP ALL computed, after a validation."""
    remote.update(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> INSERT DATA { GRAPH <urn:ex:g> { "
        '<urn:ex:a> <urn:ex:p> "2026-11-26T00:00:00Z"^^xsd:dateTime, "INF"^^xsd:double } }'
    )
    pyshacl_validate(Graph().parse(data=DATA, format="turtle"), shacl_graph=_shapes())
    rows = remote.query("SELECT ?o WHERE { GRAPH <urn:ex:g> { ?s ?p ?o } }").bindings
    assert {str(row[Variable("o")]) for row in rows} == {"2026-11-26T00:00:00Z", "INF"}
    remote.update("DROP ALL")
    assert not remote.client.select("ASK { GRAPH ?g { ?s ?p ?o } }").askAnswer
