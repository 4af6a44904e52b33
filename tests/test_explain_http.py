"""/explain over a real server on a loopback port (the store's own incremental reasoner, as
`cajkg serve` opens it): content negotiation, 404 and 400, the "why?" links of resource pages,
and `cajkg explain` in the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from click.testing import CliRunner
from rdflib import RDF, Graph, Literal

from cajkg.graph.build import build_dataset
from cajkg.graph.iris import CAJKG, RES
from cajkg.graph.reasoner import IncrementalReasoner
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app
from cajkg.server.cli import main

PROV = "http://www.w3.org/ns/prov#"
TOKAYEV = str(RES["Kassym-Jomart-Tokayev"])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from conftest import _Server

    store = MemoryStore(build_dataset(), reasoner=IncrementalReasoner(), workers=1)
    running = _Server(create_app({"TESTING": True}, store=store))
    yield running.url
    running.stop()
    store.close()


def _ask(server: str, accept: str = "application/json", **params: str) -> requests.Response:
    return requests.get(f"{server}/explain", params=params, headers={"Accept": accept}, timeout=60)


LEADER = {"s": TOKAYEV, "p": str(CAJKG.leaderOf), "o": str(RES.Kazakhstan)}


def test_json_names_the_rule_and_reaches_the_sentences(server: str) -> None:
    response = _ask(server, **LEADER)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["status"] == "inferred" and document["proofs"] == "shortest"
    assert document["limits"]["maxDepth"] >= 1
    step = document["proof"]["derivations"][0]
    assert step["rule"] == "prp-spo2"
    assert [a["kind"] for a in step["axioms"]][:1] == ["axiom"]
    office = step["premises"][0]
    sentence = office["sources"][0]["sentences"][0]
    for mention in sentence["mentions"]:
        assert sentence["text"][mention["start"] : mention["end"]] == mention["quote"]


def test_html_quotes_the_sentences_with_the_words_marked(server: str) -> None:
    response = _ask(server, accept="text/html", **LEADER)
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
    page = response.text
    assert "prp-spo2" in page and "<mark>" in page and "<blockquote" in page
    assert "Qassym-Schomart Toqajew" in page
    assert "rdf:first" not in page  # a chain's list is shown as ( holdsOffice officeOf )
    assert "( " in page and "cajkg:officeOf" in page


def test_rdf_uses_prov(server: str) -> None:
    response = _ask(server, accept="text/turtle", **LEADER)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (None, RDF.type, CAJKG.RuleApplication) in graph
    assert (None, CAJKG.ruleName, Literal("prp-spo2")) in graph
    assert any(str(p).startswith(PROV) for p in graph.predicates())


def test_all_proofs_on_request(server: str) -> None:
    params = {"s": TOKAYEV, "p": str(RDF.type), "o": str(CAJKG.HeadOfState), "all": "1"}
    document = _ask(server, **params).json()
    assert document["proofs"] == "all"


def test_not_in_the_dataset_is_404(server: str) -> None:
    response = _ask(server, s=TOKAYEV, p=str(CAJKG.leaderOf), o=str(RES.Japan))
    assert response.status_code == 404
    assert "not in the dataset" in response.text
    response = _ask(server, **LEADER, g=str(RES.Japan))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"p": str(CAJKG.leaderOf), "o": str(RES.Kazakhstan)}, "s"),
        ({"s": "not an iri", "p": str(CAJKG.leaderOf), "o": str(RES.Kazakhstan)}, "s"),
        ({"s": TOKAYEV, "p": "relative", "o": str(RES.Kazakhstan)}, "p"),
        ({"s": TOKAYEV, "p": str(CAJKG.leaderOf), "o": '"unclosed'}, "o"),
        ({**LEADER, "g": "<oops"}, "g"),
        ({**LEADER, "all": "maybe"}, "all"),
    ],
)
def test_malformed_parameters_are_400_naming_them(server: str, params, name) -> None:
    response = _ask(server, **params)
    assert response.status_code == 400
    assert f"parameter {name}" in response.text


def test_a_literal_object(server: str) -> None:
    response = _ask(server, s=TOKAYEV, p=str(CAJKG.leaderOf), o='"Kazakhstan"@en')
    assert response.status_code == 404


def test_resource_pages_link_inferred_facts_to_their_explanation(server: str) -> None:
    page = requests.get(f"{server}/resource/Kassym-Jomart-Tokayev.html", timeout=60).text
    links = [
        part.split('"', 1)[0].replace("&amp;", "&") for part in page.split('class="why" href="')[1:]
    ]
    assert links
    for link in links[:5]:
        query = parse_qs(urlparse(link).query)
        assert set(query) == {"s", "p", "o"}
        response = requests.get(server + link, headers={"Accept": "application/json"}, timeout=60)
        assert response.status_code == 200, link
        assert response.json()["status"] == "inferred"


def test_the_cli_prints_the_tree(tmp_path) -> None:
    result = CliRunner().invoke(
        main, ["explain", "cjr:Kassym-Jomart-Tokayev", "cajkg:leaderOf", "cjr:Kazakhstan"]
    )
    assert result.exit_code == 0, result.output
    assert "INFERRED" in result.output and "by prp-spo2" in result.output
    assert "Qassym-Schomart Toqajew" in result.output
    missing = CliRunner().invoke(main, ["explain", "cjr:Japan", "cajkg:leaderOf", "cjr:Asia"])
    assert missing.exit_code == 1 and "not in the dataset" in missing.output
