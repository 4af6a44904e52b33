"""The SPARQL Service Description (RDF) that a GET on /sparql without a query returns."""

from __future__ import annotations

from importlib import resources

from rdflib import Graph, Namespace, URIRef

from cajkg.graph import formats

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def describe_service(root: str, federated: bool) -> Graph:
    """The description for a server whose root URL is `root` (ends with '/')."""
    text = resources.files("cajkg.server").joinpath("service-description.ttl").read_text("utf-8")
    ttl = formats.by_name("turtle")
    assert ttl is not None
    graph = formats.parse_graph(text, ttl, base=root)
    if federated:
        graph.add((URIRef(root + "sparql#service"), SD.feature, SD.BasicFederatedQuery))
    return graph
