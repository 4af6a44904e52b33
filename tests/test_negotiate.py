"""The Accept rules as a table (pure function), then through the app for each result kind."""

from __future__ import annotations

import pytest

from cajkg.graph import formats
from cajkg.server.negotiate import choose_media_type, parse_accept

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
RESULTS = [f.media_types for f in formats.for_kind(formats.BINDINGS)]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (XML, XML),
        (f"{JSON};q=0.5, {XML}", XML),
        (f"{JSON};q=0, */*;q=0.1", XML),
        (f"{JSON};q=0, application/json;q=0, */*;q=0.1", XML),
        ("text/*", "text/xml"),
        ("text/tab-separated-values, text/csv;q=0.9", "text/tab-separated-values"),
        ("application/json", "application/json"),
        (f"{XML}, {JSON}", XML),
        (f"{JSON};charset=latin-1, {XML};q=0.2", XML),
        ("junk, ;;;, /", JSON),
        ("application/foo", None),
        (f"{JSON};q=0", None),
        ("*/*;q=0", None),
        (f"{JSON};q=abc", JSON),
    ],
)
def test_choose_for_results(accept, expected):
    found = choose_media_type(accept, RESULTS)
    assert (found[1] if found else None) == expected


def test_parse_accept_keeps_order_and_q():
    ranges = parse_accept("text/turtle;q=0.8, application/rdf+xml, */*;q=0.1")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "turtle", 0.8),
        ("application", "rdf+xml", 1.0),
        ("*", "*", 0.1),
    ]


QUERIES = {
    "SELECT": "SELECT * WHERE { ?s ?p ?o } LIMIT 2",
    "ASK": "ASK { ?s ?p ?o }",
    "CONSTRUCT": "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE": "DESCRIBE <https://w3id.org/cajkg/resource/first-summit>",
}
ROWS = [
    (form, accept, status, media_type)
    for form, accept, status, media_type in [
        ("SELECT", "*/*", 200, JSON),
        ("SELECT", "text/csv", 200, "text/csv"),
        ("SELECT", "text/tab-separated-values", 200, "text/tab-separated-values"),
        ("SELECT", "text/turtle", 406, "text/plain"),
        ("ASK", XML, 200, XML),
        ("ASK", "text/csv", 406, "text/plain"),
        ("CONSTRUCT", "*/*", 200, "text/turtle"),
        ("CONSTRUCT", "text/csv", 406, "text/plain"),
        ("CONSTRUCT", "application/n-triples", 200, "application/n-triples"),
        ("CONSTRUCT", "application/ld+json", 200, "application/ld+json"),
        ("CONSTRUCT", "application/trig", 200, "application/trig"),
        ("CONSTRUCT", "application/n-quads", 200, "application/n-quads"),
        ("DESCRIBE", "text/turtle", 200, "text/turtle"),
        ("DESCRIBE", "application/rdf+xml", 200, "application/rdf+xml"),
        ("DESCRIBE", XML, 406, "text/plain"),
    ]
]


@pytest.mark.parametrize(("form", "accept", "status", "media_type"), ROWS)
def test_result_negotiation(client, form, accept, status, media_type):
    response = client.get(
        "/sparql", query_string={"query": QUERIES[form]}, headers={"Accept": accept}
    )
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].split(";")[0] == media_type
    if status == 200:
        assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("fmt", formats.FORMATS, ids=[f.name for f in formats.FORMATS])
def test_every_format_is_served_and_named_by_format_parameter(client, fmt):
    kind = next(k for k in (formats.BINDINGS, formats.GRAPH) if k in fmt.kinds)
    query = QUERIES["SELECT" if kind == formats.BINDINGS else "CONSTRUCT"]
    response = client.get("/sparql", query_string={"query": query, "format": fmt.name})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == fmt.media_type
