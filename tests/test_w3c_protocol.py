"""The W3C SPARQL Protocol test suite (48 tests, SPARQL 1.1 and the 1.2 additions) against /sparql,
on each store kind: memory, oxigraph (embedded, on disk) and sparql (cajkg fronting a real
`oxigraph serve`).

Each test gets a fresh server with an empty store; its data files are loaded through the
Graph Store Protocol at /store first, then its requests are sent in order. Every request
carries the bearer token, since the suite expects updates to succeed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, make_app, shared_dir
from oxigraph_server import OxigraphServer
from rdflib import RDF, RDFS, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.query import Result
from rdflib.term import Node

from cajkg.graph import formats
from cajkg.graph.store.factory import KINDS, open_store
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import OxigraphStore

MANIFEST = shared_dir() / "w3c" / "sparql-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS_CLASSES = {
    HT.StatusCode2xx: "2",
    HT.StatusCode3xx: "3",
    HT.StatusCode4xx: "4",
    HT.StatusCode5xx: "5",
}
FORMAT_KINDS = {"boolean": {formats.BOOLEAN}, "tabular": {formats.BINDINGS}, "RDF": {formats.GRAPH}}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    boolean: bool | None = None
    kinds: set[str] = field(default_factory=set)
    content_types: set[str] = field(default_factory=set)


@dataclass
class Case:
    name: str
    data: list[tuple[Path, str]]
    exchanges: list[Exchange]


def _items(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _exchange(graph: Graph, request: Node) -> Exchange:
    headers = {
        str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
        for h in _items(graph, graph.value(request, HT.headers))
    }
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
    response = graph.value(request, HT.resp)
    statuses = {STATUS_CLASSES[s] for s in graph.objects(response, MF.expectedStatus)}
    statuses |= {str(v)[0] for v in graph.objects(response, HT.statusCodeValue)}
    exchange = Exchange(
        str(graph.value(request, HT.methodName)),
        str(graph.value(request, HT.absolutePath)),
        headers,
        body,
        statuses,
    )
    expected = graph.value(response, MF.expectedBoolean)
    response_body = graph.value(response, HT.body)
    if response_body is not None:
        expected = graph.value(response_body, CNT.chars)
    if isinstance(expected, Literal):
        exchange.boolean = bool(expected.toPython())
    fmt = graph.value(response, MF.expectedFormat)
    if fmt is not None:
        exchange.kinds = FORMAT_KINDS[str(fmt)]
    for header in _items(graph, graph.value(response, HT.headers)):
        for element in _items(graph, graph.value(header, HT.headerElements)):
            exchange.content_types.add(str(graph.value(element, HT.elementName)))
    return exchange


def load_cases() -> list[Case]:
    """The manifest's entries, in order."""
    graph = Graph()
    graph.parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for entry in _items(graph, graph.value(manifest, MF.entries)):
        data = [
            (
                Path(str(graph.value(d, UT.graph)).removeprefix("file://")),
                str(graph.value(d, RDFS.label)),
            )
            for d in graph.objects(entry, UT.graphData)
        ]
        action = graph.value(entry, MF.action)
        exchanges = [_exchange(graph, r) for r in _items(graph, graph.value(action, HT.requests))]
        cases.append(Case(str(entry).rsplit("#", 1)[1], data, exchanges))
    return cases


CASES = load_cases() if MANIFEST.exists() else []


def test_the_whole_suite_is_collected():
    assert len(CASES) == 48, f"{MANIFEST} should hold 48 tests"


def _path(absolute_path: str) -> str:
    """The manifest's /sparql/ prefix mapped to our /sparql."""
    for prefix in ("/sparql/", "/sparql"):
        if absolute_path.startswith(prefix):
            return "/sparql" + absolute_path[len(prefix) :]
    raise AssertionError(absolute_path)


def _check(exchange: Exchange, response: requests.Response) -> None:
    assert str(response.status_code)[0] in exchange.statuses, response.text
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if exchange.content_types:
        assert media_type in exchange.content_types
    if not (exchange.kinds or exchange.boolean is not None):
        return
    fmt = formats.by_media_type(media_type)
    assert fmt is not None, media_type
    if exchange.kinds:
        assert exchange.kinds & fmt.kinds, (media_type, exchange.kinds)
    if formats.GRAPH in exchange.kinds:
        formats.parse_graph(response.content, fmt)
    elif exchange.boolean is not None:
        result = Result.parse(io.BytesIO(response.content), format=fmt.rdflib_name)
        assert result.askAnswer is exchange.boolean


@pytest.fixture(params=KINDS)
def empty_store(request, tmp_path):
    """An empty store of each kind."""
    if request.param == "memory":
        store, server = MemoryStore(), None
    elif request.param == "oxigraph":
        store, server = OxigraphStore(tmp_path / "store"), None
    else:
        server = OxigraphServer(tmp_path / "serve")
        store = open_store("sparql", endpoint=server.query_url, update_endpoint=server.update_url)
    yield store
    store.close()
    if server is not None:
        server.kill()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(serve, empty_store, case: Case):
    url = serve(make_app(empty_store))
    for path, label in case.data:
        loaded = requests.put(
            f"{url}/store",
            params={"graph": label},
            data=path.read_bytes(),
            headers={"Content-Type": "application/n-triples", **AUTH},
            timeout=30,
        )
        assert loaded.status_code in (201, 204), loaded.text
    for exchange in case.exchanges:
        response = requests.request(
            exchange.method,
            url + _path(exchange.path),
            headers={**exchange.headers, **AUTH},
            data=exchange.body,
            timeout=30,
            allow_redirects=False,
        )
        _check(exchange, response)
