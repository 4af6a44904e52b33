"""What depends on this? The consequences of a retraction, checked against recomputation:

- exactness: for every sentence of the seed graph, a sample of asserted triples and two axioms,
  the inferred triples reported as disappearing (and as becoming inferred) are exactly the
  difference between today's closure and the closure recomputed from scratch without the
  retracted assertions (the incremental reasoner's full materialization; owlrl itself for two
  cases); the live reasoner is left as it was;
- the competency answers reported as changing are those a real store gives after the
  retraction is really made (on a copy);
- /explain/impact over a real server on the memory and the oxigraph store (JSON, HTML, 404,
  422, 400), its links from the pages, and `cajkg impact`."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from rdflib import OWL, RDF, Dataset, URIRef

from cajkg.graph import impact
from cajkg.graph.build import build_dataset
from cajkg.graph.explain import NotInDataset
from cajkg.graph.iris import CAJKG, G_ARTICLE, G_INFERRED, GRAPH, RES, SENT
from cajkg.graph.queries import as_json, load_all, same_answer
from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.reasoner import IncrementalReasoner, Materializer
from cajkg.graph.reasoner.index import RDFTriple
from cajkg.graph.store.memory import MemoryStore
from cajkg.server.cli import main

TOKAYEV_OFFICE = (RES["Kassym-Jomart-Tokayev"], CAJKG.holdsOffice, RES["President-of-Kazakhstan"])
LEADER = (RES["Kassym-Jomart-Tokayev"], CAJKG.leaderOf, RES.Kazakhstan)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> Iterator[MemoryStore]:
    opened = MemoryStore(dataset, reasoner=IncrementalReasoner(), workers=1)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def asserted(store: MemoryStore) -> Counter[RDFTriple]:
    """The store's asserted triples, one per graph that holds them (as the store seeds its
    reasoner; read from the store, whose literals are in Oxigraph's canonical form)."""
    counts: Counter[RDFTriple] = Counter()
    names = [row.g for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", infer=False)]
    for name in [None, *names]:
        if name != G_INFERRED:
            counts.update(store.graph(name) or ())
    return counts


@pytest.fixture(scope="module")
def closure(asserted: Counter[RDFTriple]) -> set[RDFTriple]:
    return set(Materializer(asserted.elements()).inferred_triples())


def _without(asserted: Counter[RDFTriple], found: impact.Impact) -> Counter[RDFTriple]:
    retracted = Counter(a.triple for a in found.assertions for _ in a.graphs)
    return asserted - retracted


def _check(found: impact.Impact, before: set[RDFTriple], after: set[RDFTriple]) -> None:
    r = found.retraction
    assert set(r.removed) == before - after
    assert set(r.now_inferred) == after - before
    assert not r.removed & after


def test_every_sentence_of_the_seed_graph(store, dataset, asserted, closure) -> None:
    positions = dataset.quads((None, CAJKG.position, None, G_ARTICLE))
    sentences = sorted({s for s, _, _, _ in positions if str(s).startswith(str(SENT))}, key=str)
    assert len(sentences) >= 40
    some_loss = 0
    for sentence in sentences:
        found = impact.of_sentence(store, URIRef(sentence), answers=False)
        after = set(Materializer(_without(asserted, found).elements()).inferred_triples())
        _check(found, closure, after)
        some_loss += bool(found.retraction.removed)
    assert some_loss >= 10, "retracting sentences removes inferences"


def test_a_sample_of_asserted_triples(store, asserted, closure) -> None:
    triples = sorted(asserted, key=lambda t: tuple(x.n3() for x in t))
    sample = [*random.Random(13).sample(triples, 40), TOKAYEV_OFFICE]
    for triple in sample:
        found = impact.of_triple(store, triple, answers=False)
        after = set(Materializer(_without(asserted, found).elements()).inferred_triples())
        _check(found, closure, after)


def test_still_derivable_or_still_asserted_stays(store, asserted, closure) -> None:
    """The article is asserted to be a cajkg:Article, which its sentences' cajkg:sentenceOf
    (range Article) also entail: retracted, it stays, as an inferred triple. The summit held
    in Tokyo is stated by s04 and s25: retracted from s25 alone, nothing changes."""
    article = (URIRef("https://w3id.org/cajkg/article/de"), RDF.type, CAJKG.Article)
    found = impact.of_triple(store, article, answers=False)
    assert found.retraction.now_inferred == {article} and article not in found.retraction.removed
    after = set(Materializer(_without(asserted, found).elements()).inferred_triples())
    _check(found, closure, after)
    held = (RES["first-summit"], CAJKG.heldIn, RES.Tokyo)
    found = impact.of_triple(store, held, graph=GRAPH.s25)
    assert found.retraction.still_asserted == {held}
    assert not found.retraction.removed and not found.answers


def _owlrl(triples: Counter[RDFTriple]) -> set[RDFTriple]:
    remaining = Dataset()
    graph = remaining.graph(URIRef("urn:x-test:asserted"))
    for t in triples:
        graph.add(t)
    return set(infer_with_owlrl(remaining))


def test_an_axiom_against_owlrl(store, asserted) -> None:
    """The property chain of leaderOf, retracted, recomputed by owlrl itself."""
    found = impact.of_axiom(store, CAJKG.leaderOf, predicate=OWL.propertyChainAxiom, answers=False)
    assert len(found.assertions) == 5  # the axiom and its list
    _check(found, _owlrl(asserted), _owlrl(_without(asserted, found)))
    assert LEADER in found.retraction.removed


def test_an_axiom_and_the_live_reasoner_unchanged(store, closure) -> None:
    found = impact.of_axiom(store, CAJKG.HeadOfState, answers=False)
    assert found.retraction.recomputed
    assert (
        RES["Kassym-Jomart-Tokayev"],
        CAJKG.leaderOf,
        RES.Kazakhstan,
    ) not in found.retraction.removed
    assert any(t[2] == CAJKG.HeadOfState for t in found.retraction.removed)
    with store.reasoner_held() as reasoner:
        assert set(reasoner.materializer.inferred_triples()) == closure


def test_the_changed_answers_are_those_of_a_real_retraction(dataset) -> None:
    """Make the retraction on a copy of the store and run every competency query there."""
    live = MemoryStore(dataset, reasoner=IncrementalReasoner(), workers=1)
    found = impact.of_sentence(live, SENT.s12)
    live.close()
    copy = MemoryStore(build_dataset(), reasoner=IncrementalReasoner(), workers=1)
    try:
        before = {q.name: as_json(copy.query(q.text)) for q in load_all()}
        for graph in found.target["graphs"]:
            copy.update(f"DROP GRAPH <{graph}>")
        changed = {}
        for q in load_all():
            after = as_json(copy.query(q.text))
            if not same_answer(after, before[q.name], q.ordered):
                changed[q.name] = after
    finally:
        copy.close()
    assert {c.name for c in found.answers} == set(changed)
    assert "16-japan-investment-in-kazakhstan" in changed
    for change in found.answers:
        rows = changed[change.name]["results"]["bindings"]
        assert not [row for row in change.lost if row in rows]
        assert all(row in rows for row in change.gained)
        assert change.expected_before and not change.expected_after


def test_not_in_the_dataset(store) -> None:
    with pytest.raises(NotInDataset):
        impact.of_triple(store, (RES.Japan, CAJKG.leaderOf, RES.Tokyo))
    with pytest.raises(impact.NotAsserted):
        impact.of_triple(store, LEADER)
    with pytest.raises(NotInDataset):
        impact.of_sentence(store, SENT.s99)
    with pytest.raises(NotInDataset):
        impact.of_axiom(store, CAJKG.NoSuchClass)


# -- over HTTP ---------------------------------------------------------------------------------


def _get(server: str, accept: str = "application/json", **params: str) -> requests.Response:
    return requests.get(
        f"{server}/explain/impact", params=params, headers={"Accept": accept}, timeout=120
    )


def _short(term: dict[str, Any]) -> str:
    return term["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def test_http_a_triple(reasoning_server: str) -> None:
    response = _get(
        reasoning_server,
        s=str(TOKAYEV_OFFICE[0]),
        p=str(TOKAYEV_OFFICE[1]),
        o=str(TOKAYEV_OFFICE[2]),
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["kind"] == "triple" and document["method"] == "delete and re-derive"
    [retracted] = document["retracted"]
    assert retracted["graphs"] == ["https://w3id.org/cajkg/graph/s12"]
    gone = {(_short(t["s"]), _short(t["p"]), _short(t["o"])) for t in document["inferredDisappear"]}
    assert ("Kassym-Jomart-Tokayev", "leaderOf", "Kazakhstan") in gone
    assert ("Kassym-Jomart-Tokayev", "type", "HeadOfState") in gone
    changed = {c["query"]: c for c in document["answersChange"]}
    assert "19-heads-of-state-at-summit-in-asia" in changed
    lost = changed["19-heads-of-state-at-summit-in-asia"]["lost"]
    assert [_short(row["person"]) for row in lost] == ["Kassym-Jomart-Tokayev"]
    assert changed["19-heads-of-state-at-summit-in-asia"]["expectedHolds"] == {
        "before": True,
        "after": False,
    }
    assert document["queriesChecked"] == len(load_all())


def test_http_a_sentence_and_an_axiom_as_html(reasoning_server: str) -> None:
    response = _get(reasoning_server, "text/html", sentence=str(SENT.s04))
    assert response.status_code == 200
    assert "What depends on this?" in response.text and "sentence 4" in response.text
    assert "implied-s11-summit-leaders" in response.text  # kept: other sentences support it
    response = _get(
        reasoning_server, "text/html", axiom=str(CAJKG.leaderOf), p=str(OWL.propertyChainAxiom)
    )
    assert response.status_code == 200
    assert "full re-materialization" in response.text
    assert "07-ai-proposals" in response.text
    assert 'class="why"' in response.text
    document = _get(reasoning_server, axiom=str(CAJKG.leaderOf), answers="0").json()
    assert document["kind"] == "axiom" and document["queriesChecked"] == 0


@pytest.mark.parametrize(
    ("params", "status", "names"),
    [
        ({"s": str(LEADER[0]), "p": str(LEADER[1]), "o": str(LEADER[2])}, 422, "inferred"),
        (
            {"s": str(RES.Japan), "p": str(CAJKG.leaderOf), "o": str(RES.Tokyo)},
            404,
            "not in the dataset",
        ),
        ({"sentence": str(SENT.s99)}, 404, "not a sentence"),
        ({"axiom": str(CAJKG.NoSuchClass)}, 404, "no axiom"),
        ({"sentence": "s12"}, 400, "parameter sentence"),
        ({"s": str(RES.Japan), "p": "nope", "o": str(RES.Tokyo)}, 400, "parameter p"),
        ({"s": str(RES.Japan), "p": str(CAJKG.leaderOf)}, 400, "parameter o"),
        ({"s": str(RES.Japan), "sentence": str(SENT.s12)}, 400, "exactly one of"),
        ({}, 400, "exactly one of"),
        ({"sentence": str(SENT.s12), "answers": "maybe"}, 400, "parameter answers"),
        ({"axiom": str(CAJKG.leaderOf), "g": str(RES.Japan)}, 400, "parameter g"),
    ],
)
def test_http_errors(
    reasoning_server: str, params: dict[str, str], status: int, names: str
) -> None:
    response = _get(reasoning_server, **params)
    assert response.status_code == status, response.text
    assert names in response.text


def test_pages_link_to_it(reasoning_server: str) -> None:
    page = requests.get(f"{reasoning_server}/sentence/s12.html", timeout=60).text
    assert "/explain/impact?sentence=https%3A%2F%2Fw3id.org%2Fcajkg%2Fsentence%2Fs12" in page
    page = requests.get(f"{reasoning_server}/resource/Kassym-Jomart-Tokayev.html", timeout=60).text
    assert "/explain/impact?s=" in page and "if retracted?" in page
    page = requests.get(f"{reasoning_server}/ontology/term/leaderOf", timeout=60).text
    assert "/explain/impact?axiom=" in page


# -- the command line --------------------------------------------------------------------------


def test_cli() -> None:
    result = CliRunner().invoke(
        main,
        ["impact", "cjr:Kassym-Jomart-Tokayev", "cajkg:holdsOffice", "cjr:President-of-Kazakhstan"],
    )
    assert result.exit_code == 0, result.output
    assert "INFERRED, WOULD DISAPPEAR: 8" in result.output
    assert "  cjr:Kassym-Jomart-Tokayev cajkg:leaderOf cjr:Kazakhstan" in result.output
    assert "19-heads-of-state-at-summit-in-asia" in result.output
    result = CliRunner().invoke(main, ["impact", "--sentence", "cjs:s12", "--no-answers", "--json"])
    assert result.exit_code == 0, result.output
    assert '"kind": "sentence"' in result.output
    result = CliRunner().invoke(
        main, ["impact", "cjr:Kassym-Jomart-Tokayev", "cajkg:leaderOf", "cjr:Kazakhstan"]
    )
    assert result.exit_code == 1 and "inferred, not asserted" in result.output
    result = CliRunner().invoke(
        main, ["impact", "--sentence", "cjs:s12", "--axiom", "cajkg:Leader"]
    )
    assert result.exit_code == 2 and "give one of" in result.output
