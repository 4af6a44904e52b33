"""Every inferred triple of the seed graph explained, and each explanation checked: the named
rule applied to the step's premises and axioms alone yields its conclusion, every leaf is
asserted (with the graphs that hold it) or an ontology axiom, depths strictly decrease (no
circular proof), and every cited sentence holds the quoted words at the given offsets. Then:
explanations follow updates and retractions, on the memory and oxigraph stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions
from rdflib import RDF, RDFS, Dataset

from cajkg.graph.build import build_dataset
from cajkg.graph.explain import (
    NotInDataset,
    Proof,
    Step,
    as_json,
    as_rdf,
    explain,
)
from cajkg.graph.iris import CAJKG, G_INFERRED, GRAPH, RES
from cajkg.graph.reasoner import IncrementalReasoner
from cajkg.graph.reasoner.index import Index, Terms
from cajkg.graph.reasoner.rules import (
    CLASS_RULES,
    EQUALITY_RULES,
    PROPERTY_RULES,
    RDF_RULES,
    SCHEMA_RULES,
    datatype_derivations,
)
from cajkg.graph.reasoner.tbox import META_CLASSES, SCHEMA_PREDICATES, Schema
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import OxigraphStore


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


def _stores(kind: str, dataset: Dataset, tmp: Path) -> MemoryStore | OxigraphStore:
    if kind == "memory":
        return MemoryStore(dataset, reasoner=IncrementalReasoner(), workers=1)
    store = OxigraphStore(tmp / "ox", reasoner=IncrementalReasoner(), workers=1)
    store.load(dataset)
    return store


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(request, dataset, tmp_path_factory) -> Iterator[MemoryStore | OxigraphStore]:
    opened = _stores(request.param, dataset, tmp_path_factory.mktemp(request.param))
    yield opened
    opened.close()


def _inferred(store) -> list[tuple]:
    with store.reasoner_held() as reasoner:
        return sorted(reasoner.materializer.inferred_triples())


def rule_yields(step: Step, conclusion: tuple) -> bool:
    """Apply the rule named by `step` to its premises and axioms alone (a fresh index that
    holds nothing else) and see whether the conclusion comes out."""
    terms, idx = Terms(), Index()
    used = [terms.encode(q.triple) for q in (*step.axioms, *step.premises)]
    for t in used:
        idx.add(t)
    schema = Schema(terms, idx)
    goal = terms.encode(conclusion)
    found = set()
    for t in used:
        for rule in CLASS_RULES:
            if rule.name == step.rule and t[1] == terms.TYPE:
                found |= {c for c, _ in rule.fire(idx, terms, t, rule.compile(schema, t[2]))}
        for rule in PROPERTY_RULES:
            if rule.name == step.rule:
                found |= {c for c, _ in rule.fire(idx, terms, t, rule.compile(schema, t[1]))}
        for eq in (*RDF_RULES, *EQUALITY_RULES):
            if eq.name == step.rule:
                found |= {c for c, _ in eq.fire(idx, terms, t)}
        for scm in SCHEMA_RULES:
            if scm.name == step.rule:
                found |= {c for c, _ in scm.fire(schema, t)}
        for name, (c, _) in datatype_derivations(schema, t):
            if name == step.rule:
                found.add(c)
    return goal in found


def check(proof: Proof, store, seen: dict) -> None:
    """Check one proof tree (memoized on the triple: shared subproofs are checked once)."""
    key = (proof.triple, proof.kind, proof.depth)
    if key in seen:
        return
    seen[key] = True
    if proof.kind == "inferred":
        assert len(proof.steps) == 1, proof.triple  # the shortest proof: one derivation
        step = proof.steps[0]
        children = [*step.axioms, *step.premises]
        assert children, proof.triple
        assert proof.depth == 1 + max(c.depth for c in children)
        assert all(c.depth < proof.depth for c in children)  # well-founded: never circular
        assert rule_yields(step, proof.triple), (step.rule, proof.triple)
        for child in children:
            check(child, store, seen)
        return
    assert proof.depth == 0 and not proof.steps
    if proof.kind == "axiomatic":
        sub, pred, sup = proof.triple
        assert pred == RDFS.subClassOf and sup in OWL_Datatype_Subsumptions[sub]
        return
    assert proof.kind in ("asserted", "axiom")
    graphs = store.graphs_holding(proof.triple)
    assert graphs and [s.graph for s in proof.sources] == graphs
    if proof.kind == "axiom":  # a schema triple of the ontology
        _, pred, obj = proof.triple
        assert pred in SCHEMA_PREDICATES or (pred == RDF.type and obj in META_CLASSES)
    for source in proof.sources:
        for sentence in source.sentences:
            for mention in sentence.mentions:
                assert sentence.text[mention.start : mention.end] == mention.quote


def test_every_inferred_triple_of_the_seed_graph_is_explained(store) -> None:
    inferred = _inferred(store)
    assert len(inferred) > 1000
    seen: dict = {}
    rules: set[str] = set()
    quoted = 0
    for triple in inferred:
        explanation = explain(store, triple)
        assert explanation.status == "inferred"
        assert explanation.proof.triple == triple
        check(explanation.proof, store, seen)
        for node in explanation.proof.walk():
            rules |= {s.rule for s in node.steps}
            quoted += sum(len(x.mentions) for s in node.sources for x in s.sentences)
    assert {"prp-spo2", "cax-sco", "prp-trp", "cls-svf1", "prp-inv2", "scm-sco"} <= rules
    assert quoted > 0


def _summit_proof(store):
    triple = (RES["first-summit"], CAJKG.heldIn, RES.Asia)
    return explain(store, triple)


def test_worked_examples(store) -> None:
    """The README's examples: each leads to the sentences behind it."""
    leader = explain(store, (RES["Kassym-Jomart-Tokayev"], CAJKG.leaderOf, RES.Kazakhstan))
    assert leader.proof.steps[0].rule == "prp-spo2"
    assert [p.triple[1] for p in leader.proof.steps[0].premises] == [
        CAJKG.holdsOffice,
        CAJKG.officeOf,
    ]
    summit = _summit_proof(store)
    rules = {s.rule for n in summit.proof.walk() for s in n.steps}
    assert "prp-spo2" in rules
    head = explain(store, (RES["Kassym-Jomart-Tokayev"], RDF.type, CAJKG.HeadOfState))
    rules = [s.rule for n in head.proof.walk() for s in n.steps]
    assert "cls-svf1" in rules and rules[0] in ("cax-eqc1", "cax-eqc2", "cax-sco")
    for example in (leader, summit, head):
        sentences = [x for n in example.proof.walk() for s in n.sources for x in s.sentences]
        assert sentences, example.triple
        document = as_json(example)
        assert document["status"] == "inferred" and document["proof"]["derivations"]
        graph = as_rdf(example)
        assert (None, RDF.type, CAJKG.RuleApplication) in graph


def test_all_proofs_are_not_circular(store) -> None:
    explanation = explain(
        store, (RES["Kassym-Jomart-Tokayev"], RDF.type, CAJKG.HeadOfState), all_proofs=True
    )

    def walk(proof: Proof, path: frozenset) -> int:
        assert proof.triple not in path
        count = 1
        for step in proof.steps:
            for child in (*step.axioms, *step.premises):
                count += walk(child, path | {proof.triple})
        return count

    assert walk(explanation.proof, frozenset()) > 1


def test_asserted_and_missing_triples(store) -> None:
    asserted = (RES["first-summit"], CAJKG.heldIn, RES.Tokyo)
    explanation = explain(store, asserted)
    assert explanation.status == "asserted" and explanation.proof.sources
    assert any(s.kind == "stated" for s in explanation.proof.sources)
    with pytest.raises(NotInDataset):
        explain(store, (RES["first-summit"], CAJKG.heldIn, RES.Nowhere))
    with pytest.raises(NotInDataset):
        explain(store, asserted, graph=GRAPH.inferred)
    inferred = (RES["first-summit"], CAJKG.heldIn, RES.Asia)
    assert explain(store, inferred, graph=G_INFERRED).status == "inferred"
    with pytest.raises(NotInDataset):
        explain(store, inferred, graph=GRAPH.s01)


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_explanations_follow_updates_and_retractions(kind, dataset, tmp_path) -> None:
    store = _stores(kind, dataset, tmp_path)
    try:
        leader = (RES["Kassym-Jomart-Tokayev"], CAJKG.leaderOf, RES.Kazakhstan)
        before = explain(store, leader).proof.steps[0].premises
        office = next(p.triple for p in before if p.triple[1] == CAJKG.holdsOffice)
        graphs = store.graphs_holding(office)
        assert graphs
        # Retract the office fact everywhere: no proof may cite it any more.
        for graph in graphs:
            store.update(
                f"DELETE DATA {{ GRAPH <{graph}> {{ "
                f"{office[0].n3()} {office[1].n3()} {office[2].n3()} }} }}"
            )
        try:
            after = explain(store, leader)
        except NotInDataset:
            after = None
        if after is not None:
            cited = {n.triple for n in after.proof.walk()}
            assert office not in cited
            check(after.proof, store, {})
        # A new fact: its consequences are explained by it.
        fact = (RES["Test-Person"], CAJKG.holdsOffice, office[2])
        store.update(
            f"INSERT DATA {{ GRAPH <{GRAPH['test-explain']}> {{ "
            f"{fact[0].n3()} {fact[1].n3()} {fact[2].n3()} }} }}"
        )
        new = explain(store, (RES["Test-Person"], CAJKG.leaderOf, RES.Kazakhstan))
        assert fact in {n.triple for n in new.proof.walk() if n.kind == "asserted"}
        check(new.proof, store, {})
        store.update(f"DROP GRAPH <{GRAPH['test-explain']}>")
        with pytest.raises(NotInDataset):
            explain(store, (RES["Test-Person"], CAJKG.leaderOf, RES.Kazakhstan))
    finally:
        store.close()


def test_what_explanations_remember_is_forgotten_at_a_write(dataset) -> None:
    """Explanations remember the backward search and the provenance they read until the next
    write (the memo is keyed by the closure's version): a changed curator's note shows at once."""
    store = MemoryStore(dataset, reasoner=IncrementalReasoner(), workers=1)
    try:
        place = (RES["first-summit"], CAJKG.heldIn, RES.Japan)
        graph = GRAPH["implied-s04-tokyo-in-japan"]

        def notes() -> set[str | None]:
            proof = explain(store, place).proof
            return {s.note for n in proof.walk() for s in n.sources if s.graph == graph}

        assert notes() == notes() != {"a new note"}  # the second from the memo
        store.update(
            f"DELETE {{ GRAPH <{GRAPH.provenance}> {{ <{graph}> <{CAJKG.curatorNote}> ?n }} }} "
            f"INSERT {{ GRAPH <{GRAPH.provenance}> {{ <{graph}> <{CAJKG.curatorNote}> "
            f'"a new note" }} }} WHERE {{ GRAPH <{GRAPH.provenance}> {{ '
            f"<{graph}> <{CAJKG.curatorNote}> ?n }} }}"
        )
        assert notes() == {"a new note"}
    finally:
        store.close()


def test_a_store_without_the_incremental_reasoner_says_so(dataset) -> None:
    from cajkg.graph.explain import NotExplainable
    from cajkg.graph.reason import infer_with_owlrl

    store = MemoryStore(dataset, reasoner=infer_with_owlrl, workers=1)
    try:
        with pytest.raises(NotExplainable):
            explain(store, (RES["first-summit"], CAJKG.heldIn, RES.Asia))
    finally:
        store.close()


def test_the_explanation_vocabulary_declares_the_terms_used(store) -> None:
    from importlib import resources

    from rdflib import Graph

    vocabulary = Graph().parse(
        resources.files("cajkg.graph") / "explain-vocabulary.ttl", format="turtle"
    )
    graph = as_rdf(_summit_proof(store))
    used = {p for _, p, _ in graph} | set(graph.objects(None, RDF.type))
    ours = {t for t in used if str(t).startswith(str(CAJKG))}
    declared = set(vocabulary.subjects(RDF.type, None))
    ontology_terms = {CAJKG.quote, CAJKG.inSentence, CAJKG.startOffset, CAJKG.endOffset}
    assert ours - ontology_terms - {CAJKG.curatorNote} <= declared


# The rule names of the W3C OWL 2 RL rule tables (OWL 2 Profiles, section 4.3, tables 4 to 9).
W3C_RULES = {
    *("eq-ref eq-sym eq-trans eq-rep-s eq-rep-p eq-rep-o eq-diff1 eq-diff2 eq-diff3").split(),
    *(
        "prp-ap prp-dom prp-rng prp-fp prp-ifp prp-irp prp-symp prp-asyp prp-trp prp-spo1 "
        "prp-spo2 prp-eqp1 prp-eqp2 prp-pdw prp-adp prp-inv1 prp-inv2 prp-key prp-npa1 prp-npa2"
    ).split(),
    *(
        "cls-thing cls-nothing1 cls-nothing2 cls-int1 cls-int2 cls-uni cls-com cls-svf1 "
        "cls-svf2 cls-avf cls-hv1 cls-hv2 cls-maxc1 cls-maxc2 cls-maxqc1 cls-maxqc2 cls-maxqc3 "
        "cls-maxqc4 cls-oo"
    ).split(),
    *"cax-sco cax-eqc1 cax-eqc2 cax-dw cax-adc".split(),
    *"dt-type1 dt-type2 dt-eq dt-diff dt-not-type".split(),
    *(
        "scm-cls scm-sco scm-eqc1 scm-eqc2 scm-op scm-dp scm-spo scm-eqp1 scm-eqp2 scm-dom1 "
        "scm-dom2 scm-rng1 scm-rng2 scm-hv scm-svf1 scm-svf2 scm-avf1 scm-avf2 scm-int scm-uni"
    ).split(),
}


def test_every_rule_carries_its_w3c_name() -> None:
    names = [r.name for r in (*CLASS_RULES, *PROPERTY_RULES, *EQUALITY_RULES, *SCHEMA_RULES)]
    assert set(names) <= W3C_RULES, set(names) - W3C_RULES
    assert [r.name for r in RDF_RULES] == ["rdf1"]  # RDF 1.1 Semantics, 8.1
    assert len(set(names)) > 40
