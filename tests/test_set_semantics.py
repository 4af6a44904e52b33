"""The default graph is an RDF merge, a set of triples: a fact that two graphs state counts once,
on every store kind, with and without inference, in queries and in the WHERE of updates.

The reproduction of oxigraph#1919 ("Merged default graphs double-count shared triples"): two
graphs share `<urn:s> <urn:p> 10`; COUNT(*) is 1 and SUM is 10, whether the default graph is the
store's (the merge of every asserted graph), FROM <g1> FROM <g2>, or default-graph-uri; and an
update with USING <g1> USING <g2> (or using-graph-uri) that stores the SUM stores 10.
"""

from __future__ import annotations

from importlib import resources

import pyoxigraph as ox
import pytest
import requests
from conftest import TOKEN, make_app
from rdflib import Literal, URIRef
from test_stores import dataset, writable  # noqa: F401  (fixtures: a fresh store of each kind)

from cajkg.graph.iris import G_ASSERTED, G_INFERRED
from cajkg.graph.store.base import ForbiddenOperation
from cajkg.graph.store.oxigraph import ENGINE_DIR, OxigraphStore

G1, G2, G3 = (URIRef(f"http://example.org/graph/{n}") for n in (1, 2, 3))
SHARED = f"""INSERT DATA {{
  GRAPH {G1.n3()} {{ <urn:s> <urn:p> 10 . <urn:only1> <urn:p> 1 }}
  GRAPH {G2.n3()} {{ <urn:s> <urn:p> 10 }}
}}"""
COUNT = "SELECT (COUNT(*) AS ?n) (SUM(?o) AS ?t) WHERE { <urn:s> <urn:p> ?o }"
COUNT_FROM = (
    f"SELECT (COUNT(*) AS ?n) (SUM(?o) AS ?t) FROM {G1.n3()} FROM {G2.n3()} "
    "WHERE { <urn:s> <urn:p> ?o }"
)
TOTAL = f"SELECT ?t WHERE {{ GRAPH {G3.n3()} {{ <urn:s> <urn:total> ?t }} }}"


def one_row(store, text: str, **options) -> tuple:
    rows = [tuple(row) for row in store.query(text, **options)]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize("infer", [True, False])
def test_a_triple_in_two_graphs_counts_once(writable, infer):  # noqa: F811
    writable.update(SHARED)
    for text, options in [
        (COUNT, {}),
        (COUNT_FROM, {}),
        (COUNT, {"default_graphs": [G1, G2]}),
        (COUNT, {"default_graphs": [G1, G2], "named_graphs": [G1]}),
    ]:
        assert one_row(writable, text, infer=infer, **options) == (Literal(1), Literal(10)), text
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:p> ?o }"
    assert one_row(writable, everything, infer=infer) == (Literal(2),)
    in_graphs = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <urn:s> <urn:p> ?o } }"
    assert one_row(writable, in_graphs, infer=infer) == (Literal(2),)


@pytest.mark.parametrize(
    "update, options",
    [
        (
            f"INSERT {{ GRAPH {G3.n3()} {{ <urn:s> <urn:total> ?t }} }} "
            f"USING {G1.n3()} USING {G2.n3()} "
            "WHERE { SELECT (SUM(?o) AS ?t) WHERE { <urn:s> <urn:p> ?o } }",
            {},
        ),
        (
            f"INSERT {{ GRAPH {G3.n3()} {{ <urn:s> <urn:total> ?t }} }} "
            "WHERE { SELECT (SUM(?o) AS ?t) WHERE { <urn:s> <urn:p> ?o } }",
            {"using_graphs": [G1, G2]},
        ),
        (
            f"INSERT {{ GRAPH {G3.n3()} {{ <urn:s> <urn:total> ?t }} }} "
            "WHERE { SELECT (SUM(?o) AS ?t) WHERE { <urn:s> <urn:p> ?o } }",
            {},
        ),
    ],
    ids=["USING", "using-graph-uri", "store-default"],
)
def test_the_where_of_an_update_reads_a_merge(writable, update, options):  # noqa: F811
    writable.update(SHARED)
    writable.update(update, **options)
    assert one_row(writable, TOTAL) == (Literal(10),)


def test_the_merge_follows_every_write(writable):  # noqa: F811
    writable.update(SHARED)
    writable.update(f"DELETE DATA {{ GRAPH {G1.n3()} {{ <urn:s> <urn:p> 10 }} }}")
    assert one_row(writable, COUNT) == (Literal(1), Literal(10))
    writable.update(f"MOVE {G2.n3()} TO {G3.n3()}")
    assert one_row(writable, COUNT) == (Literal(1), Literal(10))
    assert writable.drop_graph(G3)
    assert one_row(writable, COUNT) == (Literal(0), Literal(0))
    assert writable.query("ASK { <urn:only1> <urn:p> 1 }", infer=False).askAnswer


def test_the_merge_is_no_graph_of_any_query_and_cannot_be_written(writable):  # noqa: F811
    writable.update(SHARED)
    graphs = {row[0] for row in writable.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")}
    assert G1 in graphs and G_ASSERTED not in graphs
    with pytest.raises(ForbiddenOperation, match="not a graph of this store"):
        writable.query(f"ASK FROM {G_ASSERTED.n3()} {{ ?s ?p ?o }}")
    with pytest.raises(ForbiddenOperation, match="computed by the store"):
        writable.update(f"INSERT DATA {{ GRAPH {G_ASSERTED.n3()} {{ <urn:a> <urn:b> <urn:c> }} }}")
    with pytest.raises(ForbiddenOperation, match="computed by the store"):
        writable.update(f"DROP GRAPH {G_INFERRED.n3()}")
    assert writable.graph(G_ASSERTED) is None


@pytest.mark.parametrize("infer", [True, False])
def test_the_seed_graph_counts_each_triple_once(seed_store, infer):
    every = one_row(seed_store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", infer=infer)
    distinct = one_row(
        seed_store,
        "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
        infer=infer,
    )
    assert every == distinct
    summits = seed_store.query("SELECT ?s { ?s a <https://w3id.org/cajkg/ontology#Summit> }")
    names = [row[0] for row in summits]
    assert len(names) == len(set(names))


def test_the_workbench_example_lists_six_leaders_once_each(seed_server):
    example = (resources.files("cajkg.graph") / "sparql" / "workbench-example.rq").read_text()
    for infer in ("true", "false"):
        answer = requests.get(
            f"{seed_server}/sparql",
            params={"query": example, "infer": infer},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        ).json()
        rows = [(b["leader"]["value"], b["name"]["value"]) for b in answer["results"]["bindings"]]
        if infer == "true":
            assert len(rows) == len(set(rows)) == 6, rows
        else:
            assert len(rows) == len(set(rows)), rows


def test_over_http_the_oxigraph_1919_reproduction_holds(serve):
    url = serve(make_app())
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert requests.post(f"{url}/update", data={"update": SHARED}, headers=auth).status_code == 204
    for params in (
        [("query", COUNT)],
        [("query", COUNT_FROM)],
        [("query", COUNT), ("default-graph-uri", str(G1)), ("default-graph-uri", str(G2))],
    ):
        answer = requests.get(
            f"{url}/sparql", params=params, headers={"Accept": "text/csv"}, timeout=30
        )
        assert answer.text.splitlines() == ["n,t", "1,10"], params
    update = (
        f"INSERT {{ GRAPH {G3.n3()} {{ <urn:s> <urn:total> ?t }} }} "
        "WHERE { SELECT (SUM(?o) AS ?t) WHERE { <urn:s> <urn:p> ?o } }"
    )
    sent = requests.post(
        f"{url}/update",
        data={"update": update, "using-graph-uri": [str(G1), str(G2)]},
        headers=auth,
        timeout=30,
    )
    assert sent.status_code == 204, sent.text
    answer = requests.get(
        f"{url}/sparql", params={"query": TOTAL}, headers={"Accept": "text/csv"}, timeout=30
    )
    assert answer.text.splitlines() == ["t", "10"]


def test_asserting_an_inferred_fact_still_counts_it_once(writable):  # noqa: F811
    """The inferred graph never holds an asserted triple, so the two together stay a set."""
    prefixes = (
        "PREFIX cajkg: <https://w3id.org/cajkg/ontology#> "
        "PREFIX cjr: <https://w3id.org/cajkg/resource/> "
        "PREFIX cjg: <https://w3id.org/cajkg/graph/> "
    )
    fact = "cjr:Tokyo cajkg:locatedIn cjr:Asia"
    count = prefixes + f"SELECT (COUNT(*) AS ?n) {{ {fact} }}"
    inferred = prefixes + f"ASK {{ GRAPH cjg:inferred {{ {fact} }} }}"
    assert writable.query(inferred).askAnswer
    writable.update(prefixes + f"INSERT DATA {{ GRAPH cjg:s77 {{ {fact} }} }}")
    assert not writable.query(inferred).askAnswer
    assert one_row(writable, count) == (Literal(1),)
    writable.update(prefixes + f"DELETE DATA {{ GRAPH cjg:s77 {{ {fact} }} }}")
    assert writable.query(inferred).askAnswer
    assert one_row(writable, count) == (Literal(1),)


def test_a_database_of_an_earlier_cajkg_is_converted_on_open(tmp_path):
    """Before the merge, the oxigraph store kept its own default graph in Oxigraph's; that graph
    now holds the merge, and an old database is converted when opened."""
    old = ox.Store(str(tmp_path / ENGINE_DIR))
    old.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("own")))
    shared = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(10))
    for graph in (G1, G2):
        old.add(ox.Quad(*shared, ox.NamedNode(str(graph))))
    old.flush()
    del old
    store = OxigraphStore(tmp_path)
    try:
        assert {str(o) for _, _, o in store.graph(None)} == {"own"}
        assert one_row(store, "SELECT (COUNT(*) AS ?n) { <urn:s> <urn:p> ?o }") == (Literal(2),)
        graphs = {row[0] for row in store.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")}
        assert graphs == {G1, G2}
    finally:
        store.close()
