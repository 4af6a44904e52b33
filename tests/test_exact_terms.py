"""Values come back exactly as the engine holds them, in every result format, and valid data is
never refused: a real server with the reasoner `cajkg serve` uses, on the memory and oxigraph
stores (issue 11, section 4)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import URIRef, namespace
from w3c_suite import RESULT_READERS, STORE_KINDS, Endpoint, literal, new_store, term

from cajkg.graph.reasoner import IncrementalReasoner

# Lexical forms that rdflib used to rewrite (INF as inf, Z as +00:00, AB as ab, PT0S as P0D) or
# that owlrl's literal check refused (0, INF, NaN as xsd:double): Oxigraph keeps all of these.
KEPT = [
    ("INF", namespace.XSD.double),
    ("-INF", namespace.XSD.float),
    ("NaN", namespace.XSD.double),
    ("2025-12-20T10:00:00Z", namespace.XSD.dateTime),
    ("AB", namespace.XSD.hexBinary),
    ("PT0S", namespace.XSD.dayTimeDuration),
    ("false", namespace.XSD.boolean),
    ("1.5", namespace.XSD.decimal),  # next to NaN: rdflib's parser compared them and failed
]
ZERO_DOUBLE = ("0e0", namespace.XSD.double)  # valid; Oxigraph stores it by value, as "0"


@pytest.fixture(scope="module", params=STORE_KINDS)
def endpoint(request, tmp_path_factory) -> Iterator[Endpoint]:
    store = new_store(
        request.param, tmp_path_factory.mktemp(request.param), reasoner=IncrementalReasoner()
    )
    running = Endpoint(store)
    yield running
    running.close()


def _objects(endpoint: Endpoint, graph: str, suffix: str) -> set:
    media_type, read = RESULT_READERS[suffix]
    response = endpoint.query(
        f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <urn:s> <urn:p> ?o }} }}", media_type
    )
    assert response.status_code == 200, response.text
    return {row["o"] for row in read(response.content).rows}


def _typed(values: list[tuple[str, URIRef]]) -> str:
    return " , ".join(f'"{lexical}"^^<{datatype}>' for lexical, datatype in values)


@pytest.mark.parametrize("write", ["update", "graph store"])
def test_valid_values_are_stored_and_come_back_untouched(endpoint: Endpoint, write: str):
    endpoint.reset()
    values = [*KEPT, ZERO_DOUBLE]
    if write == "update":
        text = f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> <urn:p> {_typed(values)} }} }}"
        response = endpoint.update(text)
        assert response.status_code == 204, response.text
    else:
        lines = "".join(f"<urn:s> <urn:p> {_typed([v])} .\n" for v in values)
        endpoint.put_text(lines, "urn:g")
    for suffix in (".srx", ".srj", ".tsv"):
        got = _objects(endpoint, "urn:g", suffix)
        assert {literal(lexical, str(dt)) for lexical, dt in KEPT} <= got, suffix
        assert literal("0", str(namespace.XSD.double)) in got, suffix
    csv = _objects(endpoint, "urn:g", ".csv")  # CSV carries lexical forms only
    assert {literal(lexical) for lexical, _ in KEPT} <= csv


@pytest.mark.parametrize("suffix", sorted(RESULT_READERS))
def test_falsy_values_survive_every_format(endpoint: Endpoint, suffix: str):
    """SPARQL XML once carried 0, false, 0.0 and PT0S as empty elements."""
    query = (
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        'SELECT (0 AS ?a) (false AS ?b) (0.0 AS ?c) ("PT0S"^^xsd:dayTimeDuration AS ?d) '
        '(xsd:double("0") AS ?e) ("" AS ?f) {}'
    )
    media_type, read = RESULT_READERS[suffix]
    response = endpoint.query(query, media_type)
    assert response.status_code == 200, response.text
    (row,) = read(response.content).rows
    lexical = {name: str(value) for name, value in row.items()}
    assert lexical["a"] == "0"
    assert lexical["b"] == "false"
    assert lexical["c"] in ("0.0", "0")
    assert lexical["d"] == "PT0S"
    assert lexical["e"] == "0"
    if suffix != ".csv":  # CSV cannot tell an empty string from an unbound value
        assert lexical["f"] == ""
        assert row["a"].datatype == namespace.XSD.integer
        assert row["b"].datatype == namespace.XSD.boolean


RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


@pytest.mark.parametrize("media_type", sorted(RDF_FORMATS))
def test_construct_keeps_values_in_every_rdf_format(endpoint: Endpoint, media_type: str):
    """rdflib wrote 1.0E6 as 1e+06 in Turtle, and JSON-LD values as JSON numbers (INF as
    Infinity, which is not JSON); read here by Oxigraph, which keeps lexical forms."""
    endpoint.reset()
    values = [*KEPT, ("1.0E6", namespace.XSD.double), ("0.50", namespace.XSD.decimal)]
    text = f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> <urn:p> {_typed(values)} }} }}"
    assert endpoint.update(text).status_code == 204
    stored = _objects(endpoint, "urn:g", ".srj")
    response = endpoint.query(
        "CONSTRUCT { <urn:s> <urn:p> ?o } WHERE { GRAPH <urn:g> { <urn:s> <urn:p> ?o } }",
        media_type,
    )
    assert response.status_code == 200, response.text
    got = {term(q.object) for q in ox.parse(response.content, format=RDF_FORMATS[media_type])}
    assert got == stored
    assert literal("1.0E6", str(namespace.XSD.double)) not in stored  # Oxigraph's own form
    assert literal("INF", str(namespace.XSD.double)) in got
