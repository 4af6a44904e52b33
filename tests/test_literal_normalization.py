"""pySHACL and rdflib's literal normalization, which cajkg keeps off for the whole process.

pySHACL switches the normalization on when a validation with a shapes graph is done, whatever it
was. Called directly by one test module, it made the sparql store's tests (its writes, the W3C
query suite on it) fail when they ran after the rest of the suite in one process: the store's
answers came back rewritten (`"...Z"^^xsd:dateTime` as `"...+00:00"`, `"INF"^^xsd:double` as
`"inf"`), and the changes it computed from them deleted nothing (DROP ALL left the store full).
cajkg calls pySHACL through `pyshacl_validate` only, which leaves the normalization as it was;
conftest fails any test that leaves it on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib
from oxigraph_server import OxigraphServer
from rdflib import Graph, Variable

from cajkg.graph.store.factory import open_store
from cajkg.graph.store.remote import RemoteStore
from cajkg.graph.validate import pyshacl_validate

DATA = """@prefix ex: <urn:ex:> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ; ex:created "2026-11-26T00:00:00Z"^^xsd:dateTime ."""
SHAPES = """@prefix ex: <urn:ex:> . @prefix sh: <http://www.w3.org/ns/shacl#> .
ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:created ;
    sh:minCount 1 ] ."""
WRITTEN = {"2026-11-26T00:00:00Z", "INF"}


def _validate(validate=pyshacl_validate) -> bool:
    data = Graph().parse(data=DATA, format="turtle")
    shapes = Graph().parse(data=SHAPES, format="turtle")
    conforms, _, _ = validate(data, shacl_graph=shapes, inference="none")
    return conforms


def test_pyshacl_itself_switches_the_normalization_on():
    """The upstream behaviour `pyshacl_validate` exists for (pyshacl.monkey)."""
    from pyshacl import validate

    assert rdflib.NORMALIZE_LITERALS is False
    try:
        assert _validate(validate)
        assert rdflib.NORMALIZE_LITERALS is True
    finally:
        rdflib.NORMALIZE_LITERALS = False


def test_cajkg_validates_without_switching_it_on():
    assert _validate()
    assert rdflib.NORMALIZE_LITERALS is False
    literal = rdflib.Literal("2026-11-26T00:00:00Z", datatype=rdflib.XSD.dateTime)
    assert str(literal) == "2026-11-26T00:00:00Z"


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
    assert _validate()
    rows = remote.query("SELECT ?o WHERE { GRAPH <urn:ex:g> { ?s ?p ?o } }").bindings
    assert {str(row[Variable("o")]) for row in rows} == WRITTEN
    remote.update("DROP ALL")
    assert not remote.client.select("ASK { GRAPH ?g { ?s ?p ?o } }").askAnswer
