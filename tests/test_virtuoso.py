"""The sparql store on OpenLink Virtuoso (Debian `virtuoso-opensource`): a fresh database in a
temporary directory on loopback ports, the SPARQL user granted SPARQL_UPDATE, then push, the
contract queries, an update with its inferences, and pull. Skipped where the package is not
installed (`make debian` installs it).

A new Virtuoso database holds system graphs next to ours; with the Conductor package (a Debian
Recommends, so `apt-get install virtuoso-opensource` brings it and `--no-install-recommends` does
not) one of them is the OWL vocabulary, which the reasoner must never read as asserted data. The
fixture adds that graph's telling triples when the Conductor did not, so the test is the same
on every machine."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from oxigraph_server import free_port
from rdflib import URIRef
from rdflib.compare import isomorphic
from test_stores import PREFIXES, QUERIES, answer, ask, fixture_config

from cajkg.graph.build import assemble
from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.store.factory import open_store
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.remote import SparqlClient
from cajkg.graph.transfer import pull, push

INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
SERVER = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
# Virtuoso keeps system graphs (virtrdf#, DAV, ...) next to ours, so queries that list every
# graph differ from the other stores by design; see docs/scale-out.md.
LISTING = {"graphs", "sizes"}

# What Virtuoso's Conductor loads into <http://www.w3.org/2002/07/owl#> that the reasoner would
# act on: vocabulary axioms (cajkg's classes would become rdfs:Class) and a blank-node list.
OWL_GRAPH = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { GRAPH <http://www.w3.org/2002/07/owl#> {
  owl:Class rdfs:subClassOf rdfs:Class .
  owl:ObjectProperty rdfs:subClassOf rdf:Property .
  <http://www.w3.org/2000/01/rdf-schema> a owl:Ontology .
  owl:Thing owl:unionOf ( owl:Nothing [ owl:complementOf owl:Nothing ] ) .
} } WHERE {}"""

pytestmark = pytest.mark.skipif(
    not (SERVER and ISQL and INI.is_file()), reason="virtuoso-opensource is not installed"
)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso server on free loopback ports; yields its /sparql URL."""
    directory = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = INI.read_text()
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db", str(directory))
    ini = re.sub(r"(?m)^ServerPort(\s*)= 1111$", rf"ServerPort\g<1>= 127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort(\s*)= 8890$", rf"ServerPort\g<1>= 127.0.0.1:{http_port}", ini)
    (directory / "virtuoso.ini").write_text(ini)
    process = subprocess.Popen(
        [SERVER, "+foreground", "+configfile", "virtuoso.ini"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url, params={"query": "ASK {}"}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, "virtuoso-t exited"
            assert time.monotonic() < deadline, "virtuoso did not start within 60 s"
            time.sleep(0.2)
        subprocess.run(
            [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True,
            capture_output=True,
            timeout=30,
        )
        SparqlClient(url).update(OWL_GRAPH)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return assemble(fixture_config(tmp_path_factory.mktemp("build")))


@pytest.fixture(scope="module")
def store(virtuoso, dataset):
    store = open_store("sparql", endpoint=virtuoso)
    first = push(dataset, store.client, batch_size=100)
    assert push(dataset, store.client, batch_size=100) == first
    return store


@pytest.mark.parametrize("infer_on", [True, False], ids=["infer", "noinfer"])
@pytest.mark.parametrize("name", [name for name in QUERIES if name not in LISTING])
def test_same_answers_as_the_memory_store(store, dataset, name, infer_on):
    reference = MemoryStore(dataset, reasoner=infer_with_owlrl)
    text = PREFIXES + QUERIES[name]
    expected = answer(reference.query(text, infer=infer_on))
    actual = answer(store.query(text, infer=infer_on))
    if name == "construct":
        assert isomorphic(actual, expected)
    else:
        assert (
            sorted(actual[1]) == sorted(expected[1])
            if expected[0] == "bindings"
            else actual == expected
        )


def test_update_keeps_inferences_current_and_pull_round_trips(store, dataset, tmp_path):
    insert = PREFIXES + "INSERT DATA { GRAPH cjg:s99 { cjr:Asia cajkg:locatedIn cjr:Earth } }"
    store.update(insert)
    assert ask(store, "GRAPH cjg:inferred { cjr:Tokyo cajkg:locatedIn cjr:Earth }")
    assert not ask(store, "cjr:Tokyo cajkg:locatedIn cjr:Earth", infer=False)
    store.update(insert.replace("INSERT DATA", "DELETE DATA"))
    assert not ask(store, "cjr:Tokyo cajkg:locatedIn cjr:Earth")
    pulled = pull(store.client, tmp_path / "virtuoso.trig")
    assert set(pulled.quads()) == set(dataset.quads())


def test_the_system_graphs_are_not_the_stores_data(store):
    """They are there, but cajkg lists only its own graphs (and reasons over nothing else)."""
    everything = store.client.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert URIRef("http://www.w3.org/2002/07/owl#") in {row[0] for row in everything}
    assert store.graph_names()
    assert all(str(g).startswith("https://w3id.org/cajkg/graph/") for g in store.graph_names())
