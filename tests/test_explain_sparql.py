"""Explanations from SPARQL: the `explain:proof` property function over a real server on a
loopback port, on the memory and the oxigraph store (rewritten into a VALUES block before the
query reaches the store)."""

from __future__ import annotations

import pytest
import requests

PREFIXES = """PREFIX explain: <https://w3id.org/cajkg/explain#>
PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
PREFIX cjg: <https://w3id.org/cajkg/graph/>
"""
LEADER = "(cjr:Kassym-Jomart-Tokayev cajkg:leaderOf cjr:Kazakhstan)"


@pytest.fixture(scope="module")
def server(reasoning_server: str) -> str:
    """The built graph on the memory and the oxigraph store (conftest.reasoning_server)."""
    return reasoning_server


def _select(server: str, query: str) -> requests.Response:
    return requests.post(
        f"{server}/sparql",
        data={"query": PREFIXES + query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )


def _rows(server: str, query: str) -> list[dict[str, str]]:
    response = _select(server, query)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def test_the_proof_tree_row_by_row(server: str) -> None:
    rows = _rows(
        server,
        "SELECT * WHERE { (?s ?p ?o ?kind ?rule ?sentence ?node ?parent ?depth) "
        f"explain:proof {LEADER} }}",
    )
    root = rows[0]
    assert root["node"] == "1" and "parent" not in root
    assert root["kind"] == "inferred" and root["rule"] == "prp-spo2" and root["depth"] == "1"
    assert root["p"].endswith("#leaderOf")
    leaves = [r for r in rows if r["kind"] == "asserted"]
    assert {r["p"].rsplit("#", 1)[1] for r in leaves} == {"holdsOffice", "officeOf"}
    assert all(r["parent"] == "1" and r["sentence"].endswith("/s12") for r in leaves)
    axioms = [r for r in rows if r["kind"] == "axiom"]
    assert any(r.get("p", "").endswith("#propertyChainAxiom") for r in axioms)
    assert all("rule" not in r for r in rows[1:])  # leaves were not derived


def test_the_rest_of_the_query_joins_with_the_proof(server: str) -> None:
    rows = _rows(
        server,
        "SELECT DISTINCT ?text WHERE { (?s ?p ?o ?kind ?rule ?sentence) explain:proof "
        f'{LEADER} FILTER(?kind = "asserted") '
        "GRAPH cjg:article { ?sentence cajkg:text ?text } }",
    )  # (an unbound ?sentence would join with every sentence: keep the asserted leaves)
    assert len(rows) == 1 and "Qassym-Schomart Toqajew" in rows[0]["text"]


def test_a_defined_class_goes_two_rules_deep(server: str) -> None:
    rows = _rows(
        server,
        "SELECT ?rule WHERE { (?s ?p ?o ?kind ?rule) explain:proof "
        "(cjr:Kassym-Jomart-Tokayev a cajkg:HeadOfState) FILTER(BOUND(?rule)) }",
    )
    assert {"cax-sco", "cls-svf1"} <= {r["rule"] for r in rows}


def test_an_asserted_triple_is_one_leaf_per_sentence(server: str) -> None:
    rows = _rows(
        server,
        "SELECT ?kind ?sentence WHERE { (?s ?p ?o ?kind ?rule ?sentence) explain:proof "
        "(cjr:first-summit cajkg:heldIn cjr:Tokyo) }",
    )
    assert {r["kind"] for r in rows} == {"asserted"}
    assert len({r["sentence"] for r in rows}) == len(rows) >= 1


def test_a_triple_not_in_the_dataset_has_no_rows(server: str) -> None:
    rows = _rows(
        server,
        "SELECT * WHERE { ?s explain:proof (cjr:Japan cajkg:leaderOf cjr:Asia) }",
    )
    assert rows == []


@pytest.mark.parametrize(
    "pattern",
    [
        "?s explain:proof (?x cajkg:leaderOf cjr:Kazakhstan)",
        "?s explain:proof (cjr:Japan cajkg:leaderOf)",
        "?s explain:proof cjr:Japan",
        '"x" explain:proof (cjr:Japan cajkg:leaderOf cjr:Asia)',
    ],
)
def test_malformed_patterns_are_400(server: str, pattern: str) -> None:
    response = _select(server, f"SELECT * WHERE {{ {pattern} }}")
    assert response.status_code == 400
    assert "explain:proof" in response.text


def test_a_query_without_it_is_left_alone(server: str) -> None:
    rows = _rows(server, "SELECT ?c WHERE { cjr:Tokyo cajkg:locatedIn ?c }")
    assert rows


def test_the_readme_example(server: str) -> None:
    rows = _rows(
        server,
        """SELECT ?rule ?s ?p ?o ?text WHERE {
          (?s ?p ?o ?kind ?rule ?sentence ?node ?parent ?depth)
              explain:proof (cjr:Kassym-Jomart-Tokayev cajkg:leaderOf cjr:Kazakhstan)
          OPTIONAL { FILTER(?kind = "asserted") GRAPH cjg:article { ?sentence cajkg:text ?text } }
        }""",
    )
    assert rows[0]["rule"] == "prp-spo2"
    texts = [r for r in rows if "text" in r]
    assert len(texts) == 2 and all("Toqajew" in r["text"] for r in texts)
