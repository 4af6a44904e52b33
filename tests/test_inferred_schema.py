"""The inferred graph is for people (issue 12): on the seed graph, inferences about the schema
(subclass, domain and range closure, typings of classes and properties, typings to anonymous
restriction classes) live in cjg:inferred-schema, apart from the instance facts of cjg:inferred;
queries read cjg:inferred by default, the whole OWL 2 RL closure with infer=full, and without
inference neither graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from cajkg.graph.build import build_dataset, build_nquads
from cajkg.graph.explain import NotInDataset, explain
from cajkg.graph.inferred import FULL, InferredGraphs, in_default_graph, is_schema, parse_infer
from cajkg.graph.iris import CAJKG, G_INFERRED, G_INFERRED_SCHEMA, G_ONTOLOGY, RES, Base
from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.reasoner import IncrementalReasoner
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.transfer import _named_graphs

FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
TAKAICHI = (
    "PREFIX cjr: <https://w3id.org/cajkg/resource/> "
    "SELECT ?type WHERE { cjr:Sanae-Takaichi a ?type }"
)
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
ROUTES = InferredGraphs()


@pytest.mark.parametrize(
    ("triple", "schema"),
    [
        ((CAJKG.HeadOfState, RDFS.subClassOf, CAJKG.Person), True),
        ((BNode("r"), RDFS.subClassOf, CAJKG.Agent), True),
        ((CAJKG.leaderOf, RDFS.domain, CAJKG.Person), True),
        ((CAJKG.locatedIn, RDF.type, RDF.Property), True),
        ((CAJKG.locatedIn, RDF.type, OWL.TransitiveProperty), True),
        ((CAJKG.Person, RDF.type, OWL.Class), True),
        ((RES["Sanae-Takaichi"], RDF.type, BNode("restriction")), True),
        ((RES["Sanae-Takaichi"], RDF.type, CAJKG.Leader), False),
        ((RES.Tokyo, CAJKG.locatedIn, RES.Asia), False),
        ((RES.Tokyo, RDF.type, OWL.NamedIndividual), False),
        ((BNode("x"), RDF.type, CAJKG.Person), False),  # a blank node in the data is an instance
        ((BNode("x"), RDFS.label, Literal("x")), False),
        ((RES.Tokyo, OWL.sameAs, RES.Tokio), False),
        ((BNode("l"), RDF.first, RES.Tokyo), False),  # a list may be data
    ],
)
def test_the_partition_of_an_inferred_triple(triple, schema):
    assert is_schema(triple) is schema
    assert ROUTES.of(triple) == (G_INFERRED_SCHEMA if schema else G_INFERRED)
    assert in_default_graph(triple, True) is not schema
    assert in_default_graph(triple, FULL) and not in_default_graph(triple, False)


def test_the_infer_parameter():
    assert [parse_infer(x) for x in ("true", "FALSE", "full", "Full")] == [True, False, FULL, FULL]
    assert parse_infer("schema") is None and parse_infer("") is None
    assert ROUTES.in_default(True) == (G_INFERRED,)
    assert ROUTES.in_default(FULL) == (G_INFERRED, G_INFERRED_SCHEMA)
    assert ROUTES.in_default(False) == ()


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


def _asserted(dataset: Dataset) -> Dataset:
    """Every graph but the two inferred ones."""
    asserted = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        if name not in ROUTES.names:
            asserted.graph(name).add((s, p, o))
    return asserted


def test_the_build_splits_the_closure(dataset):
    instance, schema = dataset.graph(G_INFERRED), dataset.graph(G_INFERRED_SCHEMA)
    assert len(instance) > 1000 and len(schema) > 400
    assert not [t for t in instance if is_schema(t)]
    assert not [t for t in schema if not is_schema(t)]
    assert not [o for o in instance.objects(None, RDF.type) if isinstance(o, BNode)]


def test_the_schema_graph_holds_the_subclass_closure(dataset):
    """Every superclass reached through a chain of asserted subClassOf axioms, not asserted
    itself, is in cjg:inferred-schema (and not in cjg:inferred)."""
    ontology, schema = dataset.graph(G_ONTOLOGY), dataset.graph(G_INFERRED_SCHEMA)
    stated = {(s, p, o) for s, p, o, _ in _asserted(dataset).quads((None, None, None, None))}
    found = 0
    for cls in set(ontology.subjects(RDFS.subClassOf, None)):
        if not isinstance(cls, URIRef):
            continue
        for ancestor in ontology.transitive_objects(cls, RDFS.subClassOf):
            triple = (cls, RDFS.subClassOf, ancestor)
            if ancestor == cls or triple in stated:
                continue
            assert triple in schema, triple
            assert triple not in dataset.graph(G_INFERRED)
            found += 1
    assert found > 50


@pytest.fixture(scope="module")
def store() -> Iterator[MemoryStore]:
    """The seed graph as `cajkg serve` opens it (the build cache's N-Quads, which keep every
    lexical form) with its reasoner (explanations need it)."""
    opened = MemoryStore(build_nquads(), reasoner=IncrementalReasoner(), workers=1)
    opened.warm().join()
    yield opened
    opened.close()


def _types(store: MemoryStore, infer: bool | str) -> set:
    return {row[0] for row in store.query(TAKAICHI, infer=infer)}  # type: ignore[index]


def test_takaichi_has_no_anonymous_types_by_default(store):
    default = _types(store, True)
    assert CAJKG.Leader in default and URIRef(FOAF + "Person") in default
    assert not [t for t in default if isinstance(t, BNode)]
    full = _types(store, FULL)
    assert [t for t in full if isinstance(t, BNode)], "the restriction typings are in the closure"
    assert default == {t for t in full if not isinstance(t, BNode)}
    assert _types(store, False) == {CAJKG.Person, CAJKG.HeadOfGovernment}


def _as_stored(graph: Graph) -> Graph:
    """`graph` read back from a store without a reasoner (Oxigraph writes the canonical form of
    a typed literal, `2` for `2.0`, so both sides of a comparison go through it)."""
    held = Dataset()
    target = held.graph(URIRef("urn:x-test:g"))
    target += graph
    plain = MemoryStore(held, workers=1)
    try:
        return plain.query(EVERYTHING, infer=False).graph
    finally:
        plain.close()


def test_the_full_closure_is_owlrls(store, dataset):
    """infer=full reads the asserted merge and both inferred graphs: owlrl's closure of the seed
    graph (noise left out as documented); the default reads it without the schema level; no
    inference reads the merge alone."""
    asserted = _asserted(dataset)
    merge = Graph()
    for s, p, o, _ in asserted.quads((None, None, None, None)):
        merge.add((s, p, o))
    owlrl = infer_with_owlrl(asserted)
    instance = Graph()
    for triple in owlrl:
        if not is_schema(triple):
            instance.add(triple)
    expected = {FULL: merge + owlrl, True: merge + instance, False: merge}
    for infer, graph in expected.items():
        got = store.query(EVERYTHING, infer=infer).graph
        want = _as_stored(graph)
        assert len(got) == len(want) and isomorphic(got, want), infer


def test_explain_finds_schema_level_inferences(store, dataset):
    schema = sorted(
        t
        for t in dataset.graph(G_INFERRED_SCHEMA).triples((None, RDFS.subClassOf, None))
        if isinstance(t[0], URIRef)
    )
    triple = schema[0]
    assert explain(store, triple).status == "inferred"
    assert explain(store, triple, graph=G_INFERRED_SCHEMA).status == "inferred"
    with pytest.raises(NotInDataset):
        explain(store, triple, graph=G_INFERRED)
    instance = (RES["first-summit"], CAJKG.heldIn, RES.Asia)
    assert explain(store, instance, graph=G_INFERRED).status == "inferred"
    with pytest.raises(NotInDataset):
        explain(store, instance, graph=G_INFERRED_SCHEMA)


def test_no_place_but_a_state_is_an_agent(store):
    """Central Asia was typed cajkg:Agent, foaf:Agent and prov:Agent as a cooperation partner;
    regions are not agents (README: Regions are not agents), in the whole closure."""
    text = f"""PREFIX cajkg: <{CAJKG}>
        SELECT DISTINCT ?x WHERE {{
          VALUES ?agent {{ cajkg:Agent <{FOAF}Agent> <{PROV}Agent> }}
          ?x a ?agent , cajkg:Place FILTER NOT EXISTS {{ ?x a cajkg:State }} }}"""
    assert not list(store.query(text, infer=FULL))
    japan = f"ASK {{ <{RES.Japan}> a <{FOAF}Agent> , <{PROV}Agent> , <{CAJKG.Agent}> }}"
    assert store.query(japan, infer=FULL).askAnswer, "a state is an agent"


def test_the_endpoint_takes_infer_full(seed_server):
    def types(**params: str) -> requests.Response:
        return requests.get(
            f"{seed_server}/sparql",
            params={"query": TAKAICHI, **params},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )

    kinds = {
        infer: {b["type"]["type"] for b in types(infer=infer).json()["results"]["bindings"]}
        for infer in ("true", "full", "false")
    }
    assert kinds == {"true": {"uri"}, "full": {"uri", "bnode"}, "false": {"uri"}}
    wrong = types(infer="schema")
    assert wrong.status_code == 400 and "true, false or full" in wrong.text


def _old_layout(dataset: Dataset) -> Dataset:
    """The seed graph as cajkg wrote it before the split: the whole closure in cjg:inferred."""
    old = _asserted(dataset)
    target = old.graph(G_INFERRED)
    for name in ROUTES.names:
        target += dataset.graph(name)
    return old


def test_a_store_of_the_old_layout_is_split_when_it_warms_up(dataset):
    old = _old_layout(dataset)
    fact = f"<{CAJKG.locatedIn}> a <{RDF.Property}>"
    store = MemoryStore(old, reasoner=IncrementalReasoner(), workers=1)
    try:
        assert store.query(f"ASK {{ GRAPH <{G_INFERRED}> {{ {fact} }} }}").askAnswer
        store.warm().join()
        assert not store.query(f"ASK {{ GRAPH <{G_INFERRED}> {{ {fact} }} }}").askAnswer
        assert store.query(f"ASK {{ GRAPH <{G_INFERRED_SCHEMA}> {{ {fact} }} }}").askAnswer
        assert not store.query(f"ASK {{ {fact} }}").askAnswer
    finally:
        store.close()


def test_push_sends_the_old_layout_split(dataset):
    sizes = {g.identifier: len(g) for g in _named_graphs(_old_layout(dataset), Base())}
    assert sizes[G_INFERRED] == len(dataset.graph(G_INFERRED))
    assert sizes[G_INFERRED_SCHEMA] == len(dataset.graph(G_INFERRED_SCHEMA))
    assert list(sizes)[-2:] == [G_INFERRED, G_INFERRED_SCHEMA]
