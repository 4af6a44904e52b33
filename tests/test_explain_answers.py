"""Why these answers? /explain/answers over a real server on a loopback port, on the memory
and the oxigraph store: the triples each row matched (with their sentences, and proofs for
inferred ones) for BGPs with FILTER, OPTIONAL, UNION, VALUES and fixed-length paths, and a 422
naming what it cannot explain otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from cajkg.graph.build import build_dataset
from cajkg.graph.iris import CAJKG, RES
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app

PREFIXES = (
    f"PREFIX cajkg: <{CAJKG}> PREFIX cjr: <{RES}> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


@pytest.fixture(scope="module")
def server(reasoning_server: str) -> str:
    """The built graph on the memory and the oxigraph store (conftest.reasoning_server)."""
    return reasoning_server


def _explain(server: str, query: str, **params: str) -> requests.Response:
    return requests.post(
        f"{server}/explain/answers", data={"query": PREFIXES + query, **params}, timeout=120
    )


def _short(term: dict[str, str]) -> str:
    return term["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _matched(document: dict[str, Any], row: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The triples of a row's first match, shortened, with their status."""
    out = []
    for index in row["matches"][0]["triples"]:
        explained = document["triples"][index]
        t = explained["triple"]
        out.append((_short(t["s"]), _short(t["p"]), _short(t["o"]), explained["status"]))
    return out


def _sentences(proof: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for source in proof.get("sources", []):
        yield from source["sentences"]
    for step in proof.get("derivations", []):
        for child in (*step["axioms"], *step["premises"]):
            yield from _sentences(child)


def test_an_inferred_answer_leads_to_its_proof_and_sentences(server: str) -> None:
    response = _explain(server, "SELECT ?p WHERE { ?p cajkg:leaderOf cjr:Kazakhstan }")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["variables"] == ["p"]
    [row] = document["rows"]
    assert _short(row["bindings"]["p"]) == "Kassym-Jomart-Tokayev"
    assert _matched(document, row) == [
        ("Kassym-Jomart-Tokayev", "leaderOf", "Kazakhstan", "inferred")
    ]
    proof = document["triples"][row["matches"][0]["triples"][0]]["proof"]
    assert proof["derivations"][0]["rule"] == "prp-spo2"
    sentences = list(_sentences(proof))
    assert sentences and any("Toqajew" in s["text"] for s in sentences)
    for sentence in sentences:
        for mention in sentence["mentions"]:
            assert sentence["text"][mention["start"] : mention["end"]] == mention["quote"]


def test_a_fixed_length_path_names_the_node_between(server: str) -> None:
    document = _explain(
        server,
        "SELECT DISTINCT ?x WHERE { cjr:first-summit cajkg:heldIn/cajkg:locatedIn ?x } ORDER BY ?x",
    ).json()
    by_row = {_short(r["bindings"]["x"]): _matched(document, r) for r in document["rows"]}
    assert by_row["Japan"] == [
        ("first-summit", "heldIn", "Tokyo", "asserted"),
        ("Tokyo", "locatedIn", "Japan", "asserted"),
    ]
    for triples in by_row.values():  # the chain: the middle node is shared, the end is the row's
        assert triples[0][2] == triples[1][0]
    first = document["triples"][document["rows"][0]["matches"][0]["triples"][0]]
    assert first["status"] in ("asserted", "inferred")


def test_union_optional_values_and_filter(server: str) -> None:
    query = """SELECT ?s ?n WHERE {
        { ?s a cajkg:Summit } UNION { ?s a cajkg:HeadOfState }
        OPTIONAL { ?s rdfs:label ?n FILTER(lang(?n) = "en") }
        FILTER(?s != cjr:Japan)
        VALUES ?s { cjr:first-summit cjr:Kassym-Jomart-Tokayev }
    }"""
    document = _explain(server, query).json()
    rows = {_short(r["bindings"]["s"]): r for r in document["rows"]}
    assert set(rows) == {"first-summit", "Kassym-Jomart-Tokayev"}
    summit = rows["first-summit"]
    assert summit["matches"][0]["alternative"] == 0
    assert ("first-summit", "type", "Summit", "asserted") in _matched(document, summit)
    tokayev = rows["Kassym-Jomart-Tokayev"]
    assert tokayev["matches"][0]["alternative"] == 1
    matched = _matched(document, tokayev)
    assert ("Kassym-Jomart-Tokayev", "type", "HeadOfState", "inferred") in matched
    assert any(p == "label" for _, p, _, _ in matched)  # the OPTIONAL's label, in English
    label = next(
        document["triples"][i]
        for i in tokayev["matches"][0]["triples"]
        if _short(document["triples"][i]["triple"]["p"]) == "label"
    )
    assert label["triple"]["o"]["xml:lang"] == "en"


def test_a_projected_variable_left_unbound_keeps_the_optional_out(server: str) -> None:
    query = """SELECT ?s ?office WHERE { VALUES ?s { cjr:Tokyo }
        ?s a ?type OPTIONAL { ?s cajkg:holdsOffice ?office } } LIMIT 1"""
    document = _explain(server, query).json()
    [row] = document["rows"]
    assert "office" not in row["bindings"]
    assert all(p != "holdsOffice" for _, p, _, _ in _matched(document, row))


def test_without_inferred_triples(server: str) -> None:
    document = _explain(server, "SELECT ?p WHERE { ?p cajkg:leaderOf ?c }", infer="false").json()
    assert document["rows"] == []  # leaderOf is only inferred


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p cajkg:leaderOf ?c } GROUP BY ?c", "aggregates"),
        ("SELECT ?x WHERE { ?x a cajkg:Country MINUS { ?x cajkg:locatedIn cjr:Asia } }", "MINUS"),
        (
            "SELECT ?x WHERE { ?x a cajkg:Country FILTER NOT EXISTS { ?x cajkg:locatedIn ?y } }",
            "NOT EXISTS",
        ),
        ("SELECT ?x WHERE { ?x cajkg:locatedIn+ cjr:Asia }", "arbitrary-length paths"),
        ("SELECT ?x WHERE { ?x cajkg:locatedIn* cjr:Asia }", "arbitrary-length paths"),
        ("SELECT ?x WHERE { ?x cajkg:locatedIn? cjr:Asia }", "zero-or-one paths"),
        (
            "SELECT ?x WHERE { { SELECT ?x WHERE { ?x a cajkg:Country } LIMIT 2 } }",
            "subqueries",
        ),
        ("ASK { ?x a cajkg:Country }", "other than SELECT"),
        ("SELECT ?x WHERE { ?x !rdfs:label ?y }", "negated property sets"),
    ],
)
def test_what_it_cannot_explain_it_names(server: str, query: str, words: str) -> None:
    response = _explain(server, query)
    assert response.status_code == 422, response.text
    document = response.json()
    assert any(words in reason for reason in document["cannot"]), document


def test_every_refusal_is_named_at_once(server: str) -> None:
    query = "SELECT ?x WHERE { ?x cajkg:locatedIn+ ?y FILTER NOT EXISTS { ?x a cajkg:City } }"
    reasons = _explain(server, query).json()["cannot"]
    assert len(reasons) == 2


def test_a_malformed_query_is_400_with_the_message(server: str) -> None:
    response = _explain(server, "SELECT ?x WHERE { ?x }")
    assert response.status_code == 400
    assert "error" in response.text.lower() or "expected" in response.text.lower()
    missing = requests.get(f"{server}/explain/answers", timeout=30)
    assert missing.status_code == 400 and "query" in missing.text


def test_get_works_too(server: str) -> None:
    response = requests.get(
        f"{server}/explain/answers",
        params={"query": PREFIXES + "SELECT ?c WHERE { cjr:Tokyo cajkg:locatedIn ?c }"},
        timeout=60,
    )
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert rows and all(r["matches"] for r in rows)


def test_a_store_without_the_incremental_reasoner_answers_501() -> None:
    from conftest import _Server

    from cajkg.graph.reason import infer_with_owlrl

    store = MemoryStore(build_dataset(), reasoner=infer_with_owlrl, workers=1)
    running = _Server(create_app({"TESTING": True}, store=store))
    try:
        response = _explain(running.url, "SELECT ?p WHERE { ?p cajkg:leaderOf ?c }")
        assert response.status_code == 501 and "cannot explain" in response.text
        sparql = requests.post(
            f"{running.url}/sparql",
            data={
                "query": "PREFIX explain: <https://w3id.org/cajkg/explain#> "
                + PREFIXES
                + "SELECT * WHERE { ?s explain:proof (cjr:Tokyo cajkg:locatedIn cjr:Japan) }"
            },
            timeout=60,
        )
        assert sparql.status_code == 501 and "cannot explain" in sparql.text
    finally:
        running.stop()
        store.close()
