"""The sparql store's write path against the memory store's, on the built seed graph.

The sparql store computes each write's change from what the write names (remote_write) and
reasons from the change of the merge only (reasoner.tracking). After every write of a sequence
(additions and retractions; a transitive property, property chains, sameAs; a retraction of a
triple that stays derivable another way; a triple held by two graphs; DELETE/INSERT WHERE with
WITH, USING and using-graph-uri; template blank nodes; graph operations; Graph Store writes)
its asserted graphs, its merge `cjg:asserted` and its `cjg:inferred` equal the memory store's.
A second cajkg process writing to the same remote store is noticed by the first one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import same_graph
from oxigraph_server import OxigraphServer
from rdflib import Graph, URIRef

from cajkg.graph.build import build_dataset
from cajkg.graph.iris import G_ASSERTED, G_INFERRED
from cajkg.graph.store.factory import open_store
from cajkg.graph.store.remote import RemoteStore
from cajkg.graph.transfer import push

PREFIXES = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
PREFIX cjg: <https://w3id.org/cajkg/graph/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
T = "https://w3id.org/cajkg/graph/t"

# (update, what it exercises); each is a single operation, so none reads the whole store.
WRITES = [
    (
        "INSERT DATA { GRAPH cjg:t1 { cjr:Nara a cajkg:City ; cajkg:locatedIn cjr:Japan } }",
        "a transitive property",
    ),
    (
        "INSERT DATA { GRAPH cjg:t1 { cjr:NaraForum a cajkg:Event ; cajkg:heldIn cjr:Nara } }",
        "a property chain (heldIn o locatedIn)",
    ),
    (
        "INSERT DATA { GRAPH cjg:t2 { cjr:NaraForum cajkg:heldIn cjr:Nara } }",
        "a triple held by a second graph",
    ),
    (
        "DELETE DATA { GRAPH cjg:t1 { cjr:NaraForum cajkg:heldIn cjr:Nara } }",
        "a retraction from one graph while another still holds the triple",
    ),
    (
        "INSERT DATA { GRAPH cjg:t2 { cjr:Nara cajkg:locatedIn cjr:Asia } }",
        "asserting a triple that was inferred",
    ),
    (
        "DELETE DATA { GRAPH cjg:t1 { cjr:Nara cajkg:locatedIn cjr:Japan } }",
        "a retraction whose consequence stays derivable another way",
    ),
    (
        "INSERT DATA { GRAPH cjg:t3 { cjr:NaraCity owl:sameAs cjr:Nara } }",
        "sameAs",
    ),
    (
        "DELETE { GRAPH cjg:t2 { ?x cajkg:locatedIn cjr:Asia } } "
        "INSERT { GRAPH cjg:t4 { ?x cajkg:locatedIn cjr:Japan } } "
        "WHERE { GRAPH cjg:t2 { ?x cajkg:locatedIn cjr:Asia } }",
        "DELETE/INSERT WHERE across graphs",
    ),
    (
        "INSERT { GRAPH cjg:t5 { _:b cajkg:locatedIn ?p } } WHERE { cjr:Nara cajkg:locatedIn ?p }",
        "fresh blank nodes per solution, the WHERE reading the merge",
    ),
    (
        "WITH cjg:t4 DELETE { ?x cajkg:locatedIn ?p } INSERT { ?x cajkg:locatedIn cjr:Tokyo } "
        "WHERE { ?x cajkg:locatedIn ?p }",
        "WITH",
    ),
    (
        "INSERT { GRAPH cjg:t6 { ?x a cajkg:Place } } USING cjg:t4 WHERE { ?x ?p ?o }",
        "USING",
    ),
    ("COPY cjg:t4 TO cjg:t7", "COPY"),
    ("DELETE WHERE { GRAPH cjg:t7 { ?s ?p ?o } }", "DELETE WHERE"),
    ("DELETE DATA { GRAPH cjg:t3 { cjr:NaraCity owl:sameAs cjr:Nara } }", "retracting sameAs"),
    ("DROP GRAPH cjg:t5", "DROP of one graph"),
    ("DELETE DATA { GRAPH cjg:t9 { cjr:Nowhere cajkg:locatedIn cjr:Asia } }", "a no-op"),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> Iterator[tuple[object, RemoteStore, OxigraphServer]]:
    built = build_dataset()
    server = OxigraphServer(tmp_path_factory.mktemp("remote-writes"))
    memory = open_store("memory", dataset=built)
    remote = open_store("sparql", endpoint=server.query_url, update_endpoint=server.update_url)
    push(built, remote.client)
    yield memory, remote, server
    memory.close()
    remote.close()
    server.kill()


@pytest.fixture
def logged(caplog):
    """What the sparql store logs (which path a write took)."""
    caplog.set_level(logging.INFO, logger="cajkg.graph.store.remote")
    return caplog


def _graph(store, name: URIRef) -> Graph:
    text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name.n3()} {{ ?s ?p ?o }} }}"
    return store.query(text).graph


def _merge(store) -> Graph:
    return store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", infer=False).graph


def _same(memory, remote: RemoteStore, what: str) -> None:
    assert same_graph(_graph(memory, G_INFERRED), _graph(remote, G_INFERRED)), what
    assert same_graph(_merge(memory), _merge(remote)), what
    # the remote merge graph itself (not only what queries see through it)
    own = remote.client.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {G_ASSERTED.n3()} {{ ?s ?p ?o }} }}"
    )
    merge = Graph()
    for triple in remote.skolem.triples(own, back=True):
        merge.add(triple)
    assert same_graph(merge, _merge(memory)), what
    for n in range(1, 8):
        name = URIRef(f"{T}{n}")
        assert same_graph(_graph(memory, name), _graph(remote, name)), (what, name)


def _both(memory, remote: RemoteStore, text: str, what: str) -> None:
    """One update on both stores, then the same graphs on both."""
    memory.update(PREFIXES + text)
    remote.update(PREFIXES + text)
    _same(memory, remote, what)


def test_writes_keep_the_same_graphs_as_the_memory_store(stores, logged):
    memory, remote, _ = stores
    for text, what in WRITES:
        _both(memory, remote, text, what)
    assert "reads the whole store" not in logged.text
    assert "reasoning over the whole merge" not in logged.text
    assert _graph(remote, URIRef(f"{T}6")), "the USING write matched nothing"
    assert len(_graph(remote, URIRef(f"{T}4"))) == 1


def test_using_graph_uri_and_graph_store_writes(stores):
    memory, remote, _ = stores
    text = PREFIXES + "INSERT { GRAPH cjg:t8 { ?x a cajkg:Place } } WHERE { ?x ?p ?o }"
    for store in (memory, remote):
        store.update(text, using_graphs=[URIRef(f"{T}6")])
    _same(memory, remote, "using-graph-uri")
    data = Graph().parse(
        data="@prefix cajkg: <https://w3id.org/cajkg/ontology#> . "
        "@prefix cjr: <https://w3id.org/cajkg/resource/> . "
        "cjr:Kobe cajkg:locatedIn cjr:Japan .",
        format="turtle",
    )
    for store in (memory, remote):
        store.add_to_graph(URIRef(f"{T}1"), data)
    _same(memory, remote, "Graph Store POST")
    for store in (memory, remote):
        store.replace_graph(URIRef(f"{T}2"), data)
    _same(memory, remote, "Graph Store PUT")
    for store in (memory, remote):
        store.drop_graph(URIRef(f"{T}1"))
    _same(memory, remote, "Graph Store DELETE")


def test_a_request_of_several_operations_reads_the_whole_store(stores, logged):
    memory, remote, _ = stores
    text = (
        "INSERT DATA { GRAPH cjg:t3 { cjr:Sakai cajkg:locatedIn cjr:Japan } } ; "
        "DELETE { GRAPH cjg:t3 { ?x cajkg:locatedIn cjr:Japan } } "
        "INSERT { GRAPH cjg:t3 { ?x cajkg:locatedIn cjr:Osaka } } "
        "WHERE { GRAPH cjg:t3 { ?x cajkg:locatedIn cjr:Japan } }"
    )
    _both(memory, remote, text, "a WHERE after another operation")
    assert "reads the whole store" in logged.text


def test_a_write_by_another_process_is_noticed(stores, tmp_path: Path):
    memory, remote, server = stores
    other = open_store("sparql", endpoint=server.query_url, update_endpoint=server.update_url)
    text = PREFIXES + "INSERT DATA { GRAPH cjg:t3 { cjr:Himeji cajkg:locatedIn cjr:Japan } }"
    memory.update(text)
    other.update(text)
    text = "DELETE DATA { GRAPH cjg:t3 { cjr:Sakai cajkg:locatedIn cjr:Osaka } }"
    _both(memory, remote, text, "after another process wrote")
    assert remote.query(PREFIXES + "ASK { cjr:Himeji cajkg:locatedIn cjr:Asia }").askAnswer


def test_a_schema_change_is_reasoned_over_the_whole_merge(stores, logged):
    memory, remote, _ = stores
    schema = (
        "INSERT DATA { GRAPH cjg:t3 { cajkg:twinnedWith a owl:ObjectProperty , "
        "owl:SymmetricProperty } }"
    )
    data = "INSERT DATA { GRAPH cjg:t3 { cjr:Nara cajkg:twinnedWith cjr:Osaka } }"
    for text in (schema, data):
        _both(memory, remote, text, text)
    assert "reasoning over the whole merge" in logged.text
    assert remote.query(PREFIXES + "ASK { cjr:Osaka cajkg:twinnedWith cjr:Nara }").askAnswer
