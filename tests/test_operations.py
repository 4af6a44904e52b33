"""The checks every store shares (graph/store/operations.py)."""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef

from cajkg.graph.store.base import ForbiddenOperation, QuerySyntaxError
from cajkg.graph.store.operations import QueryPlan, inspect_query, inspect_update

INFERRED = URIRef("https://w3id.org/cajkg/graph/inferred")
MODIFY = "INSERT { ?s a <urn:T> } WHERE { ?s a <urn:S> }"


def test_protocol_using_graphs_are_fine_with_an_update_that_names_none():
    inspect_update(MODIFY, protected=(INFERRED,), using=True)


@pytest.mark.parametrize(
    "text",
    [
        "INSERT { ?s a <urn:T> } USING <urn:g> WHERE { ?s a <urn:S> }",
        "WITH <urn:g> INSERT { ?s a <urn:T> } WHERE { ?s a <urn:S> }",
    ],
)
def test_protocol_using_graphs_conflict_with_using_or_with_in_the_text(text):
    inspect_update(text, protected=(INFERRED,), using=False)
    with pytest.raises(ForbiddenOperation, match="both with using-graph-uri"):
        inspect_update(text, protected=(INFERRED,), using=True)


def test_protocol_graphs_override_from_clauses():
    plan = inspect_query("SELECT * FROM <urn:a> FROM NAMED <urn:b> WHERE { ?s ?p ?o }")
    assert plan == QueryPlan("SELECT", (URIRef("urn:a"),), (URIRef("urn:b"),))
    assert plan.dataset((), ()) == ((URIRef("urn:a"),), (URIRef("urn:b"),))
    assert plan.dataset((URIRef("urn:c"),), ()) == ((URIRef("urn:c"),), ())


def test_relative_iris_resolve_against_the_service_base():
    plan = inspect_query("ASK FROM <g> {}", base="http://example.org/sparql")
    assert plan == QueryPlan("ASK", (URIRef("http://example.org/g"),), ())
    with pytest.raises(QuerySyntaxError, match="error at 1:10: the relative IRI <g> needs a BASE"):
        inspect_query("ASK FROM <g> {}")


ALLOWED = ["https://query.wikidata.org/"]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
        "PREFIX wd: <https://query.wikidata.org/> SELECT * { OPTIONAL { SERVICE SILENT wd:x {} } }",
        "SELECT * { ?s ?p 'SERVICE <http://evil.example/> {}' }"
        " # SERVICE <http://evil.example/> {}",
    ],
)
def test_allow_listed_services_pass(text):
    assert inspect_query(text, ALLOWED).form == "SELECT"


@pytest.mark.parametrize(
    "text, target",
    [
        ("SELECT * { SERVICE <http://evil.example/sparql> {} }", "<http://evil.example/sparql>"),
        (
            "SELECT * { { SELECT * { service silent <http://evil.example/> {} } } }",
            "<http://evil.example/>",
        ),
        (
            "PREFIX : <http://evil.example/> PREFIX SILENT: <https://query.wikidata.org/> "
            "SELECT * { SERVICE SILENT:sparql {} }",
            "<http://evil.example/sparql>",
        ),
        ("SELECT * { SERVICE ?endpoint {} }", "?endpoint"),
        ("SELECT * { BIND(<https://query.wikidata.org/sparql> AS ?e) SERVICE ?e {} }", "?e"),
    ],
)
def test_other_services_are_refused(text, target):
    with pytest.raises(ForbiddenOperation, match=f"^SERVICE {re.escape(target)} is not allowed"):
        inspect_query(text, ALLOWED)


def test_a_service_hidden_from_the_reader_is_a_syntax_error():
    with pytest.raises(QuerySyntaxError):
        inspect_query(r"SELECT * { \u0053ERVICE <http://evil.example/> {} }", ALLOWED)
    with pytest.raises(QuerySyntaxError):
        inspect_query("SELECT * { SERVICESILENT<http://evil.example/>{} }", ALLOWED)


@pytest.mark.parametrize(
    ("iri", "ok"),
    [
        ("http://ok.example/public/data.ttl", True),
        ("http://ok.example/public", True),
        ("http://ok.example/public/../private/x", False),
        ("http://ok.example/public/%2E%2E/private/x", False),
        ("http://ok.example/public/./x", False),
        ("http://ok.example/publicity", False),
        ("http://ok.example.evil.example/public/x", False),
        ("http://ok.example/public/x..y", True),
    ],
)
def test_allow_list_matches_at_boundaries_and_refuses_dot_segments(iri, ok):
    from cajkg.graph.store.operations import allowed

    assert allowed(URIRef(iri), ["http://ok.example/public"]) is ok
