"""Real clients against a real server: SPARQLWrapper in every return format, rdflib's
SPARQLStore and SPARQLUpdateStore."""

from __future__ import annotations

import pytest
from conftest import TOKEN, make_app
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

SUMMIT = "https://w3id.org/cajkg/resource/first-summit"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT = f"SELECT ?label WHERE {{ <{SUMMIT}> <{LABEL}> ?label }}"
ASK = f"ASK {{ <{SUMMIT}> a <http://example.org/test#Meeting> }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{SUMMIT}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{SUMMIT}>"


def wrapper(url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(live_server, fmt, method):
    result = wrapper(live_server, SELECT, fmt, method).query()
    converted = result.convert()
    if fmt == JSON:
        labels = {b["label"]["value"] for b in converted["results"]["bindings"]}
        assert "First Central Asia + Japan summit" in labels
    elif fmt == XML:
        labels = {n.firstChild.data for n in converted.getElementsByTagName("literal")}
        assert "First Central Asia + Japan summit" in labels
    elif fmt == CSV:
        assert "First Central Asia + Japan summit" in converted.decode("utf-8").splitlines()
    else:
        assert '"First Central Asia + Japan summit"@en' in converted.decode("utf-8").splitlines()


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(live_server, fmt):
    converted = wrapper(live_server, ASK, fmt).query().convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_sparqlwrapper_graphs(live_server, query, fmt):
    graph = wrapper(live_server, query, fmt).query().convert()
    if not isinstance(graph, Graph):
        graph = Graph().parse(data=graph, format="json-ld" if fmt == JSONLD else "turtle")
    assert (URIRef(SUMMIT), None, Literal("First Central Asia + Japan summit", lang="en")) in graph


def test_sparqlwrapper_update_with_token(serve):
    url = serve(make_app())
    sparql = SPARQLWrapper(f"{url}/sparql", updateEndpoint=f"{url}/update")
    sparql.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sparql.setMethod(POST)
    sparql.setQuery(
        "INSERT DATA { GRAPH <http://example.org/new> "
        "{ <http://example.org/x> a <http://example.org/test#Summit> } }"
    )
    assert sparql.query().response.status == 204
    check = wrapper(url, "ASK { <http://example.org/x> a <http://example.org/test#Meeting> }", JSON)
    assert check.query().convert()["boolean"] is True


def test_rdflib_sparqlstore_reads(live_server):
    graph = Graph(store=SPARQLStore(f"{live_server}/sparql"))
    labels = {str(o) for o in graph.objects(URIRef(SUMMIT), URIRef(LABEL))}
    assert "First Central Asia + Japan summit" in labels
    assert graph.query(ASK).askAnswer is True


def test_rdflib_sparqlupdatestore_writes(serve):
    url = serve(make_app())
    store = SPARQLUpdateStore(
        f"{url}/sparql",
        f"{url}/update",
        method="POST",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    graph = Graph(store=store, identifier=URIRef("http://example.org/written"))
    kept = (URIRef("http://example.org/a"), URIRef("http://example.org/b"), Literal("kept"))
    triple = (URIRef("http://example.org/a"), URIRef("http://example.org/b"), Literal("c"))
    graph.add(kept)
    graph.add(triple)
    assert triple in graph
    graph.remove(triple)
    # a graph that no longer exists cannot be named in default-graph-uri (400), so keep one
    assert triple not in graph and kept in graph
