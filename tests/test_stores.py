"""The store contract on every store: memory (Oxigraph in memory, journalled), oxigraph (embedded,
on disk) and sparql (a real `oxigraph serve` on a loopback port, filled by `push`). The same
queries give the same answers, with and without inference; updates keep the inferred graph
current everywhere; the embedded store keeps an acknowledged update across a kill -9; cajkg
fronting the remote store answers as the remote store itself does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from conftest import make_app
from oxigraph_server import OxigraphServer
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from cajkg.graph.build import BuildConfig, assemble
from cajkg.graph.iris import CAJKG, G_INFERRED, GRAPH, RES, Base
from cajkg.graph.queries import as_json, normalise, same_answer
from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.sources import Sources, default_sources
from cajkg.graph.store.base import (
    ForbiddenOperation,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
)
from cajkg.graph.store.factory import KINDS, open_store
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import MARKER, OxigraphStore
from cajkg.graph.store.remote import Skolem
from cajkg.graph.transfer import push

BUILD = Path(__file__).parent / "data" / "build"
PREFIXES = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
PREFIX cjg: <https://w3id.org/cajkg/graph/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
QUERIES = {
    "located": "SELECT ?x ?p WHERE { ?x cajkg:locatedIn ?p }",
    "types": "SELECT ?t WHERE { cjr:Tokyo a ?t }",
    "graphs": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
    "sizes": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "mentions": "SELECT ?m ?quote ?start ?end WHERE { ?m a cajkg:Mention ; cajkg:quote ?quote ;"
    " cajkg:startOffset ?start ; cajkg:endOffset ?end }",
    "sentence": "SELECT ?p ?o WHERE { <https://w3id.org/cajkg/sentence/s04> ?p ?o }",
    "ask": "ASK { cjr:Tokyo cajkg:locatedIn cjr:Asia }",
    "from": "SELECT ?s ?o FROM cjg:s04 WHERE { ?s cajkg:locatedIn ?o }",
    "from-named": "SELECT ?g ?s FROM NAMED cjg:s04 WHERE { GRAPH ?g { ?s a ?t } }",
    "optional": "SELECT ?place ?type WHERE { ?place cajkg:locatedIn cjr:Asia "
    "OPTIONAL { ?place a ?type FILTER(?type = cajkg:City) } }",
    "construct": "CONSTRUCT { ?x cajkg:locatedIn ?y } WHERE { ?x cajkg:locatedIn ?y }",
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def fixture_config(tmp_path: Path) -> BuildConfig:
    sources = Sources(
        ontology=(BUILD / "onto.ttl",),
        article=default_sources().article,
        facts=(BUILD / "facts.trig",),
        shapes=BUILD / "shapes.ttl",
    )
    return BuildConfig(sources, Base(), tmp_path)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The fixture build: ontology, article, one sentence graph, provenance (blank nodes),
    inferred graph."""
    return assemble(fixture_config(tmp_path_factory.mktemp("build")))


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-serve"))
    yield server
    server.kill()


def make_store(kind: str, dataset, directory: Path, server: Callable[[], OxigraphServer]):
    if kind == "memory":
        return open_store("memory", dataset=dataset)
    if kind == "oxigraph":
        return open_store("oxigraph", dataset=dataset, data_dir=directory)
    server = server()
    store = open_store("sparql", endpoint=server.query_url, update_endpoint=server.update_url)
    store.client.update("DROP SILENT DEFAULT")
    push(dataset, store.client)
    return store


@pytest.fixture(scope="module", params=KINDS)
def reader(request, dataset, tmp_path_factory):
    """A store of each kind, for tests that only read."""
    store = make_store(
        request.param,
        dataset,
        tmp_path_factory.mktemp("reader"),
        lambda: request.getfixturevalue("oxigraph_server"),
    )
    yield store
    store.close()


@pytest.fixture(params=KINDS)
def writable(request, dataset, tmp_path):
    """A fresh store of each kind (a server of its own for sparql), for tests that write."""
    servers = []

    def server() -> OxigraphServer:
        servers.append(OxigraphServer(tmp_path / "serve"))
        return servers[-1]

    store = make_store(request.param, dataset, tmp_path / "store", server)
    yield store
    store.close()
    for started in servers:
        started.kill()


@pytest.fixture(scope="module")
def reference(dataset):
    """The memory store: the answers every other store must give."""
    return MemoryStore(dataset, reasoner=infer_with_owlrl)


def answer(result):
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph
    return normalise(as_json(result))


def ask(store, text: str, infer: bool | str = True) -> bool:
    return store.query(PREFIXES + "ASK { " + text + " }", infer=infer).askAnswer


@pytest.mark.parametrize("infer_on", [True, False, "full"], ids=["infer", "noinfer", "full"])
@pytest.mark.parametrize("name", QUERIES)
def test_same_answers_on_every_store(reader, reference, name, infer_on):
    text = PREFIXES + QUERIES[name]
    expected = answer(reference.query(text, infer=infer_on))
    actual = answer(reader.query(text, infer=infer_on))
    if isinstance(expected, Graph):
        assert len(expected) and isomorphic(actual, expected)
    else:
        assert expected[1] not in ([], None), "a reference answer that is empty proves nothing"
        assert (
            sorted(actual[1]) == sorted(expected[1])
            if expected[0] == "bindings"
            else actual == expected
        )


def test_inference_is_switched_by_the_dataset(reader):
    assert ask(reader, "cjr:Tokyo cajkg:locatedIn cjr:Asia")
    assert not ask(reader, "cjr:Tokyo cajkg:locatedIn cjr:Asia", infer=False)
    assert ask(reader, "cjr:Tokyo cajkg:locatedIn cjr:Japan", infer=False)
    assert ask(reader, "GRAPH cjg:inferred { ?s ?p ?o }")
    assert not ask(reader, "GRAPH cjg:inferred { ?s ?p ?o }", infer=False)


def test_schema_level_inferences_are_a_graph_of_their_own(reader):
    """Rule rdf1's `p a rdf:Property` is about the schema: in cjg:inferred-schema, a named graph
    with inference, in the default graph only with infer="full", nowhere without inference."""
    fact = "cajkg:locatedIn a rdf:Property"
    assert ask(reader, f"GRAPH cjg:inferred-schema {{ {fact} }}")
    assert not ask(reader, f"GRAPH cjg:inferred {{ {fact} }}")
    assert not ask(reader, fact)
    assert ask(reader, fact, infer="full")
    assert ask(reader, "cjr:Tokyo cajkg:locatedIn cjr:Asia", infer="full")
    assert not ask(reader, "GRAPH cjg:inferred-schema { ?s ?p ?o }", infer=False)
    assert not ask(reader, fact, infer=False)
    with pytest.raises(ForbiddenOperation):
        reader.query(
            PREFIXES + "ASK { ?s ?p ?o }", default_graphs=[GRAPH["inferred-schema"]], infer=False
        )


def test_protocol_graphs_replace_from(reader):
    text = PREFIXES + "SELECT ?s WHERE { ?s cajkg:locatedIn cjr:Asia }"
    rows = reader.query(text, default_graphs=[GRAPH.inferred])
    assert [row.s for row in rows] == [RES.Tokyo]
    with pytest.raises(ForbiddenOperation):
        reader.query(text, default_graphs=[GRAPH.inferred], infer=False)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", ForbiddenOperation),
        ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", ForbiddenOperation),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", ForbiddenOperation),
        ("SELECT * WHERE { ?s ?p }", QuerySyntaxError),
    ],
    ids=["service", "from-http", "from-file", "syntax"],
)
def test_refusals(reader, text, error):
    with pytest.raises(error):
        reader.query(text)


def test_result_size_cap(reader):
    with pytest.raises(ResultTooLarge):
        reader.query("SELECT * WHERE { ?s ?p ?o }", max_rows=10)
    with pytest.raises(ResultTooLarge):
        reader.query("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=10)


def test_runaway_query_times_out(reader):
    with pytest.raises(QueryTimeout):
        reader.query(RUNAWAY, timeout=0.5)


def test_update_keeps_inferences_current(writable):
    insert = PREFIXES + "INSERT DATA { GRAPH cjg:s99 { cjr:Asia cajkg:locatedIn cjr:Earth } }"
    writable.update(insert)
    assert ask(writable, "cjr:Tokyo cajkg:locatedIn cjr:Earth")
    assert ask(writable, "GRAPH cjg:inferred { cjr:Tokyo cajkg:locatedIn cjr:Earth }")
    assert not ask(writable, "cjr:Tokyo cajkg:locatedIn cjr:Earth", infer=False)
    writable.update(insert.replace("INSERT DATA", "DELETE DATA"))
    assert not ask(writable, "cjr:Tokyo cajkg:locatedIn cjr:Earth")
    assert ask(writable, "cjr:Tokyo cajkg:locatedIn cjr:Asia")


def test_inconsistent_update_is_refused_and_undone(writable):
    with pytest.raises(ForbiddenOperation, match="reasoning failed"):
        writable.update(PREFIXES + "INSERT DATA { GRAPH cjg:s99 { cjr:Tokyo a cajkg:Person } }")
    assert not ask(writable, "cjr:Tokyo a cajkg:Person")
    assert ask(writable, "cjr:Tokyo cajkg:locatedIn cjr:Asia")


def test_update_where_reads_the_union_of_the_asserted_graphs(writable):
    writable.update(
        PREFIXES + "INSERT { GRAPH cjg:s98 { ?place cjr:seenFrom cjr:Tokyo } } "
        "WHERE { cjr:Tokyo cajkg:locatedIn ?place }"
    )
    seen = writable.query(PREFIXES + "SELECT ?p WHERE { GRAPH cjg:s98 { ?p cjr:seenFrom ?t } }")
    assert [row.p for row in seen] == [RES.Japan]


def test_using_graph_uri_selects_the_where_graphs_on_every_store(writable):
    located = writable.query(
        PREFIXES + "SELECT ?g ?other WHERE { GRAPH ?g { cjr:Tokyo "
        "cajkg:locatedIn cjr:Japan } GRAPH ?other { ?s ?p ?o } "
        "FILTER (?other NOT IN (?g, cjg:inferred)) } LIMIT 1",
        infer=False,
    )
    source, other = next(iter(located))
    text = PREFIXES + (
        "INSERT { GRAPH cjg:s98 { ?s cjr:inSource cjr:yes } } "
        "WHERE { ?s cajkg:locatedIn cjr:Japan }"
    )
    writable.update(text, using_graphs=[other])
    assert not ask(writable, "GRAPH cjg:s98 { ?s cjr:inSource cjr:yes }")
    writable.update(text, using_graphs=[source])
    assert ask(writable, "GRAPH cjg:s98 { cjr:Tokyo cjr:inSource cjr:yes }")


def test_inferred_graph_cannot_be_written(writable):
    with pytest.raises(ForbiddenOperation):
        writable.update(PREFIXES + "INSERT DATA { GRAPH cjg:inferred { cjr:a cjr:b cjr:c } }")
    data = Graph()
    data.add((RES.a, RES.b, RES.c))
    with pytest.raises(ForbiddenOperation):
        writable.replace_graph(G_INFERRED, data)
    assert not ask(writable, "cjr:a cjr:b cjr:c")


def test_writes_route_schema_level_inferences(writable):
    """A write that adds a class: its superclasses go to cjg:inferred-schema, its members'
    types to cjg:inferred; deleting it takes both away."""
    data = (
        "cajkg:Megacity rdfs:subClassOf cajkg:City . "
        "cjr:Osaka a cajkg:Megacity ; cajkg:locatedIn cjr:Japan ."
    )
    writable.update(PREFIXES + f"INSERT DATA {{ GRAPH cjg:s98 {{ {data} }} }}")
    superclass = "cajkg:Megacity rdfs:subClassOf cajkg:Place"
    member = "cjr:Osaka a cajkg:Place"
    assert ask(writable, f"GRAPH cjg:inferred-schema {{ {superclass} }}")
    assert ask(writable, f"GRAPH cjg:inferred {{ {member} }}")
    assert not ask(writable, f"GRAPH cjg:inferred {{ {superclass} }}")
    assert ask(writable, member) and not ask(writable, superclass)
    assert ask(writable, superclass, infer="full")
    with pytest.raises(ForbiddenOperation):
        writable.update(PREFIXES + f"INSERT DATA {{ GRAPH cjg:inferred-schema {{ {data} }} }}")
    writable.update(PREFIXES + f"DELETE DATA {{ GRAPH cjg:s98 {{ {data} }} }}")
    assert not ask(writable, superclass, infer="full")
    assert not ask(writable, member)


def test_graph_store_operations(writable):
    name = GRAPH.s99
    data = Graph()
    data.add((RES.Osaka, CAJKG.locatedIn, RES.Japan))
    data.add((RES.Osaka, CAJKG.quote, Literal("Ōsaka", lang="de")))
    assert writable.replace_graph(name, data) is True
    assert isomorphic(writable.graph(name), data)
    assert ask(writable, "GRAPH cjg:inferred { cjr:Osaka cajkg:locatedIn cjr:Asia }")
    more = Graph()
    more.add((RES.Kyoto, CAJKG.locatedIn, RES.Japan))
    assert writable.add_to_graph(name, more) is False
    assert len(writable.graph(name)) == 3
    assert writable.drop_graph(name) is True
    assert writable.graph(name) is None
    assert writable.drop_graph(name) is False
    assert not ask(writable, "cjr:Osaka cajkg:locatedIn cjr:Asia")


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from cajkg.graph.reason import infer_with_owlrl
    from cajkg.graph.store.oxigraph import OxigraphStore
    store = OxigraphStore(Path(sys.argv[1]), reasoner=infer_with_owlrl)
    store.update(sys.argv[2])
    print("acknowledged", flush=True)
    time.sleep(60)
""")


def test_oxigraph_keeps_an_acknowledged_update_across_kill_9(dataset, tmp_path):
    directory = tmp_path / "store"
    open_store("oxigraph", dataset=dataset, data_dir=directory).close()
    insert = PREFIXES + "INSERT DATA { GRAPH cjg:s99 { cjr:Asia cajkg:locatedIn cjr:Earth } }"
    child = subprocess.Popen(
        [sys.executable, "-P", "-c", CHILD, str(directory), insert], stdout=subprocess.PIPE
    )
    try:
        assert child.stdout.readline().strip() == b"acknowledged"
    finally:
        child.kill()
        child.wait()
    store = OxigraphStore(directory, reasoner=infer_with_owlrl)
    assert ask(store, "GRAPH cjg:s99 { cjr:Asia cajkg:locatedIn cjr:Earth }", infer=False)
    assert ask(store, "GRAPH cjg:inferred { cjr:Tokyo cajkg:locatedIn cjr:Earth }")
    store.close()


def test_oxigraph_recomputes_inferences_after_an_unfinished_write(dataset, tmp_path):
    directory = tmp_path / "store"
    open_store("oxigraph", dataset=dataset, data_dir=directory).close()
    unreasoned = OxigraphStore(directory)
    unreasoned.update(
        PREFIXES + "INSERT DATA { GRAPH cjg:s99 { cjr:Asia cajkg:locatedIn cjr:Earth } }"
    )
    unreasoned.close()
    reader = OxigraphStore(directory, read_only=True)
    assert not ask(reader, "cjr:Tokyo cajkg:locatedIn cjr:Earth")
    reader.close()
    (directory / MARKER).touch()
    store = OxigraphStore(directory, reasoner=infer_with_owlrl)
    assert ask(store, "GRAPH cjg:inferred { cjr:Tokyo cajkg:locatedIn cjr:Earth }")
    assert not (directory / MARKER).exists()
    store.close()


def test_cajkg_fronting_oxigraph_answers_as_oxigraph_itself(dataset, oxigraph_server, serve):
    """Given the dataset cajkg names (the merge of the asserted graphs and the inferred graph as
    default graph, every other graph by name), Oxigraph's own answer is cajkg's."""
    store = make_store("sparql", dataset, Path(), lambda: oxigraph_server)
    url = serve(make_app(store))
    accept = {"Accept": "application/sparql-results+json"}
    named = [str(g) for g in store.graph_names()]
    for name, query in QUERIES.items():
        if name == "construct":
            continue
        text = PREFIXES + query
        through = requests.get(f"{url}/sparql", params={"query": text}, headers=accept, timeout=30)
        # oxigraph serve --union-default-graph ignores FROM (0.5.13), so the direct request
        # states the dataset with the protocol's parameters, as cajkg does for it
        if name == "from":
            dataset = {"default-graph-uri": [str(GRAPH.s04)]}
        elif name == "from-named":
            dataset = {"named-graph-uri": [str(GRAPH.s04)]}
        else:
            dataset = {
                "default-graph-uri": [str(GRAPH.asserted), str(G_INFERRED)],
                "named-graph-uri": named,
            }
        direct = requests.post(
            oxigraph_server.query_url, data={"query": text, **dataset}, headers=accept, timeout=30
        )
        assert through.status_code == direct.status_code == 200, (name, through.text)
        assert same_answer(through.json(), deskolemized(direct.json()), ordered=False), name


def test_a_plain_oxigraph_serve_without_a_union_default_graph_answers_the_same(
    dataset, reference, tmp_path
):
    """cajkg names the graphs of every request, so the remote store's own default graph does
    not matter: `oxigraph serve` without --union-default-graph gives every answer."""
    server = OxigraphServer(tmp_path / "plain", union=False)
    try:
        store = open_store("sparql", endpoint=server.query_url, update_endpoint=server.update_url)
        push(dataset, store.client)
        for name, query in QUERIES.items():
            for infer_on in (True, False):
                expected = answer(reference.query(PREFIXES + query, infer=infer_on))
                actual = answer(store.query(PREFIXES + query, infer=infer_on))
                if name == "construct":
                    assert isomorphic(actual, expected), name
                elif expected[0] == "bindings":
                    assert sorted(actual[1]) == sorted(expected[1]), (name, infer_on)
                else:
                    assert actual == expected, (name, infer_on)
        store.update(
            PREFIXES + "INSERT DATA { GRAPH cjg:s99 { cjr:Asia cajkg:locatedIn cjr:Earth } }"
        )
        assert ask(store, "cjr:Tokyo cajkg:locatedIn cjr:Earth")
        store.close()
    finally:
        server.kill()


def deskolemized(answer: dict) -> dict:
    """A remote answer with cajkg's skolem IRIs shown as the blank nodes they stand for."""
    prefix = Skolem().prefix
    for row in answer.get("results", {}).get("bindings", []):
        for term in row.values():
            if term["type"] == "uri" and term["value"].startswith(prefix):
                term.update(type="bnode", value=term["value"][len(prefix) :])
    return answer


def test_named_queries_on_the_built_graph_agree_on_every_store(seed_store, tmp_path):
    from cajkg.graph.build import build_dataset
    from cajkg.graph.queries import load_all

    built = build_dataset()
    server = OxigraphServer(tmp_path / "serve")
    try:
        stores = {
            "oxigraph": open_store("oxigraph", dataset=built, data_dir=tmp_path / "embedded"),
            "sparql": open_store(
                "sparql", endpoint=server.query_url, update_endpoint=server.update_url
            ),
        }
        push(built, stores["sparql"].client)
        named = load_all()
        assert named, "the competency queries are missing"
        for query in named:
            expected = as_json(seed_store.query(query.text))
            direct = requests.post(
                server.query_url,
                data={"query": query.text},
                headers={"Accept": "application/sparql-results+json"},
                timeout=60,
            ).json()
            assert same_answer(deskolemized(direct), expected, query.ordered), query.name
            for kind, store in stores.items():
                actual = as_json(store.query(query.text))
                assert same_answer(actual, expected, query.ordered), (kind, query.name)
            if query.expected_without_inference is not None:
                expected = as_json(seed_store.query(query.text, infer=False))
                for kind, store in stores.items():
                    actual = as_json(store.query(query.text, infer=False))
                    assert same_answer(actual, expected, query.ordered), (kind, query.name)
        stores["oxigraph"].close()
    finally:
        server.kill()


def test_store_kind_is_checked():
    with pytest.raises(ValueError, match="choose one of memory, oxigraph, sparql"):
        open_store("postgres")
    with pytest.raises(ValueError, match="data directory"):
        open_store("oxigraph")
