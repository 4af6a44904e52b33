"""The W3C SPARQL 1.1 test suites in ../shared/w3c/sparql11: manifests, a cajkg server over HTTP,
and term-exact readers of the expected results.

One real server (werkzeug on a loopback port) per store kind and test module; between tests the
store is emptied with DROP ALL and each test's data loaded through the Graph Store Protocol, as
a client would. Data files are read by Oxigraph in the test (which keeps lexical forms) and sent
as N-Triples; results are read here, not by rdflib, so that a rewritten lexical form
(`1` for `01`, `inf` for `INF`) is a failure rather than silently normalized away.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests
from conftest import TOKEN, _Server, make_app, shared_dir
from oxigraph_server import OxigraphServer
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import OxigraphStore
from cajkg.graph.store.remote import RemoteStore, SparqlClient

SUITES = shared_dir() / "w3c" / "sparql11"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STORE_KINDS = ("memory", "oxigraph", "sparql")

NEGATIVE = {MF.NegativeSyntaxTest11, MF.NegativeUpdateSyntaxTest11}
POSITIVE = {MF.PositiveSyntaxTest11, MF.PositiveUpdateSyntaxTest11}


@dataclass
class Entry:
    """One manifest entry, with its files as paths."""

    suite: str
    name: str
    kind: URIRef
    query: Path | None = None
    data: list[Path] = field(default_factory=list)
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    result: Path | None = None
    result_data: list[Path] = field(default_factory=list)
    result_graph_data: list[tuple[Path, str]] = field(default_factory=list)
    regimes: set[str] = field(default_factory=set)
    profiles: set[str] = field(default_factory=set)
    approved: bool = True

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def negative(self) -> bool:
        return self.kind in NEGATIVE

    @property
    def update(self) -> bool:
        return self.query is not None and self.query.suffix == ".ru"


def _path(node: Node) -> Path:
    return Path(str(node).removeprefix("file://"))


def _list_or_one(graph: Graph, node: Node | None) -> list[Node]:
    if node is None:
        return []
    if (node, RDF.first, None) in graph or node == RDF.nil:
        return list(Collection(graph, node))
    return [node]


def _graph_data(graph: Graph, node: Node, predicate: URIRef) -> list[tuple[Path, str]]:
    found = []
    for item in graph.objects(node, predicate):
        if isinstance(item, URIRef):  # qt:graphData <file>: named by its own IRI
            found.append((_path(item), str(item)))
        else:
            found.append((_path(graph.value(item, UT.graph)), str(graph.value(item, RDFS_LABEL))))
    return found


def load(suite: str) -> list[Entry]:
    """The entries of one suite's manifest, in order (none when ../shared is missing: the
    modules' count checks then fail, instead of the whole collection)."""
    path = SUITES / suite / "manifest.ttl"
    if not path.exists():
        return []
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = []
    for node in Collection(graph, graph.value(manifest, MF.entries)):
        kind = graph.value(node, RDF.type)
        entry = Entry(suite, str(node).rsplit("#", 1)[-1], kind)
        approval = graph.value(node, DAWGT.approval)
        entry.approved = approval is None or approval == DAWGT.Approved
        action = graph.value(node, MF.action)
        if isinstance(action, URIRef):
            entry.query = _path(action)
        elif action is not None:
            query = graph.value(action, QT.query) or graph.value(action, UT.request)
            entry.query = _path(query) if query is not None else None
            entry.data = [_path(d) for p in (QT.data, UT.data) for d in graph.objects(action, p)]
            entry.graph_data = _graph_data(graph, action, QT.graphData) + _graph_data(
                graph, action, UT.graphData
            )
            for predicate in (SD.entailmentRegime,):
                for value in graph.objects(action, predicate):
                    entry.regimes |= {str(v).rsplit("/", 1)[-1] for v in _list_or_one(graph, value)}
            for predicate in (SD.entailmentProfile, SD.EntailmentProfile):
                for value in graph.objects(action, predicate):
                    entry.profiles |= {
                        str(v).rsplit("/", 1)[-1] for v in _list_or_one(graph, value)
                    }
        result = graph.value(node, MF.result)
        if isinstance(result, URIRef):
            entry.result = _path(result)
        elif result is not None:
            entry.result_data = [_path(d) for d in graph.objects(result, UT.data)]
            entry.result_graph_data = _graph_data(graph, result, UT.graphData)
        entries.append(entry)
    return entries


# -- the server ------------------------------------------------------------------------------


class _Fronted(RemoteStore):
    """cajkg's sparql store in front of a real `oxigraph serve` of its own, which it stops."""

    def __init__(self, where: Path, reasoner: Any) -> None:
        self.server = OxigraphServer(where / "serve", union=False)
        client = SparqlClient(self.server.query_url, self.server.update_url)
        super().__init__(client, reasoner=reasoner)

    def is_empty(self) -> bool:
        """Nothing in the remote store: no default-graph triple, no named graph."""
        ask = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        return not self.client.select(ask).askAnswer

    def close(self) -> None:
        super().close()
        self.server.kill()


def new_store(kind: str, where: Path, reasoner: Any = None) -> Any:
    """An empty store of a kind (one query worker: the suites send one request at a time, and
    every write is broadcast to each worker)."""
    if kind == "memory":
        return MemoryStore(reasoner=reasoner, workers=1)
    if kind == "sparql":
        return _Fronted(where, reasoner)
    return OxigraphStore(where, reasoner=reasoner, workers=1)


class Endpoint:
    """A running cajkg server over one store, emptied and loaded through the protocols."""

    def __init__(self, store: MemoryStore | OxigraphStore) -> None:
        self.store = store
        self._server = _Server(make_app(store))
        self.url = self._server.url
        self.session = requests.Session()
        self._loaded: tuple[tuple[Path, str | None], ...] | None = None

    def close(self) -> None:
        self._server.stop()
        self.store.close()

    def update(self, text: str, **params: str) -> requests.Response:
        return self.session.post(
            f"{self.url}/update",
            data=text.encode("utf-8"),
            params=params,
            headers={"Content-Type": "application/sparql-update; charset=utf-8", **AUTH},
            timeout=60,
        )

    def query(self, text: str, accept: str, **params: Any) -> requests.Response:
        return self.session.post(
            f"{self.url}/sparql",
            data=text.encode("utf-8"),
            params=params,
            headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
            timeout=60,
        )

    def reset(self) -> None:
        """An empty store, as each test expects."""
        response = self.update("DROP ALL")
        assert response.status_code == 204, response.text
        assert self.store.is_empty()
        self._loaded = None

    def holding(self, files: list[tuple[Path, str | None]]) -> None:
        """A store holding exactly these files (path, graph; None: the default graph), for
        queries: when the previous test loaded the same files, the store is left as it is."""
        if self._loaded == tuple(files):
            return
        self.reset()
        for path, graph in files:
            self.put(path, graph)
        self._loaded = tuple(files)

    def put(self, path: Path, graph: str | None) -> None:
        """A data file into a graph (None: the default graph) by Graph Store POST."""
        self.put_text(ntriples(path), graph)

    def put_text(self, data: bytes | str, graph: str | None) -> None:
        """N-Triples into a graph (None: the default graph) by Graph Store POST."""
        params = {"graph": graph} if graph is not None else {"default": ""}
        response = self.session.post(
            f"{self.url}/store",
            params=params,
            data=data.encode("utf-8") if isinstance(data, str) else data,
            headers={"Content-Type": "application/n-triples", **AUTH},
            timeout=60,
        )
        assert response.status_code in (201, 204), response.text

    def graph(self, name: str | None) -> Graph | None:
        """A graph of the store by Graph Store GET (None: the default graph)."""
        params = {"graph": name} if name is not None else {"default": ""}
        response = self.session.get(
            f"{self.url}/store",
            params=params,
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return read_graph(response.content, ox.RdfFormat.N_TRIPLES)

    def graph_names(self) -> set[str]:
        """The named graphs of the store, by a query."""
        response = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "application/sparql-results+json"
        )
        assert response.status_code == 200, response.text
        return {b["g"]["value"] for b in response.json()["results"]["bindings"]}

    def snapshot(self) -> dict[str | None, Graph]:
        """The whole dataset: the default graph and every named graph."""
        names = self.graph_names()
        found: dict[str | None, Graph] = {None: self.graph(None) or Graph()}
        for name in names:
            found[name] = self.graph(name) or Graph()
        return found


# -- terms, exactly as written ---------------------------------------------------------------


def term(value: Any) -> Node:
    """A pyoxigraph term as an rdflib term with its lexical form untouched."""
    if isinstance(value, ox.NamedNode):
        return URIRef(value.value)
    if isinstance(value, ox.BlankNode):
        return BNode(value.value)
    if value.language:
        return Literal(value.value, lang=value.language, normalize=False)
    return literal(value.value, value.datatype.value)


def literal(lexical: str, datatype: str | None = None, lang: str | None = None) -> Literal:
    """A literal kept as written (an xsd:string literal is a simple literal, as in RDF 1.1)."""
    if lang:
        return Literal(lexical, lang=lang, normalize=False)
    if datatype is None or datatype == str(XSD.string):
        return Literal(lexical, normalize=False)
    return Literal(lexical, datatype=datatype, normalize=False)


def ntriples(path: Path) -> bytes:
    """A data file as N-Triples, parsed by Oxigraph with the file's IRI as base."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    quads = ox.parse(path=str(path), format=fmt, base_iri=path.as_uri())
    return ox.serialize(
        (ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES
    )


def read_graph(data: bytes, fmt: Any, base: str | None = None) -> Graph:
    """RDF bytes as an rdflib graph with lexical forms kept."""
    graph = Graph()
    for quad in ox.parse(data, format=fmt, base_iri=base):
        graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return graph


def read_file_graph(path: Path) -> Graph:
    return read_graph(
        path.read_bytes(), ox.RdfFormat.from_extension(path.suffix.lstrip(".")), path.as_uri()
    )


# -- results ---------------------------------------------------------------------------------

Row = dict[str, Node]


@dataclass
class Answer:
    """A query's answer: variables and rows, a boolean, or a graph."""

    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


_SRX = "{http://www.w3.org/2005/sparql-results#}"


def read_srx(data: bytes) -> Answer:
    root = ET.fromstring(data)
    answer = Answer([v.get("name", "") for v in root.iter(f"{_SRX}variable")])
    boolean = root.find(f"{_SRX}boolean")
    if boolean is not None:
        answer.boolean = (boolean.text or "").strip() == "true"
        return answer
    for result in root.iter(f"{_SRX}result"):
        row: Row = {}
        for binding in result.findall(f"{_SRX}binding"):
            value = binding[0]
            text = value.text or ""
            if value.tag == f"{_SRX}uri":
                row[binding.get("name", "")] = URIRef(text)
            elif value.tag == f"{_SRX}bnode":
                row[binding.get("name", "")] = BNode(text)
            else:
                lang = value.get("{http://www.w3.org/XML/1998/namespace}lang")
                row[binding.get("name", "")] = literal(text, value.get("datatype"), lang)
        answer.rows.append(row)
    return answer


def read_srj(data: bytes) -> Answer:
    document = json.loads(data)
    answer = Answer(list(document.get("head", {}).get("vars", [])))
    if "boolean" in document:
        answer.boolean = bool(document["boolean"])
        return answer
    for binding in document["results"]["bindings"]:
        row: Row = {}
        for name, value in binding.items():
            if value["type"] == "uri":
                row[name] = URIRef(value["value"])
            elif value["type"] == "bnode":
                row[name] = BNode(value["value"])
            else:
                row[name] = literal(value["value"], value.get("datatype"), value.get("xml:lang"))
        answer.rows.append(row)
    return answer


def read_csv(data: bytes) -> Answer:
    """CSV keeps only strings: IRIs, blank nodes (`_:x`) and lexical forms."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    header = next(reader)
    answer = Answer(header)
    for cells in reader:
        row: Row = {}
        for name, cell in zip(header, cells, strict=True):
            if cell == "":
                continue
            row[name] = BNode(cell[2:]) if cell.startswith("_:") else Literal(cell, normalize=False)
        answer.rows.append(row)
    return answer


_TSV_TERM = re.compile(
    r'^(?:<(?P<iri>[^>]*)>|_:(?P<bnode>\S+)|"(?P<lex>(?:[^"\\]|\\.)*)"'
    r"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^<(?P<dt>[^>]*)>)?|(?P<bare>\S+))$"
)
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def _bare(text: str) -> Literal:
    if text in ("true", "false"):
        return literal(text, str(XSD.boolean))
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return literal(text, str(XSD.integer))
    if re.fullmatch(r"[+-]?[0-9]*\.[0-9]+", text):
        return literal(text, str(XSD.decimal))
    return literal(text, str(XSD.double))


def read_tsv(data: bytes) -> Answer:
    lines = data.decode("utf-8").split("\n")
    header = [v.lstrip("?$") for v in lines[0].rstrip("\r").split("\t")]
    answer = Answer(header if header != [""] else [])
    body = lines[1:]
    if body and body[-1] == "":
        body = body[:-1]
    for line in body:
        line = line.rstrip("\r")
        row: Row = {}
        for name, cell in zip(header, line.split("\t"), strict=True):
            cell = cell.strip()
            if not cell:
                continue
            match = _TSV_TERM.match(cell)
            assert match, cell
            if match["iri"] is not None:
                row[name] = URIRef(match["iri"])
            elif match["bnode"] is not None:
                row[name] = BNode(match["bnode"])
            elif match["lex"] is not None:
                row[name] = literal(_unescape(match["lex"]), match["dt"], match["lang"])
            else:
                row[name] = _bare(match["bare"])
        answer.rows.append(row)
    return answer


RESULT_READERS = {
    ".srx": ("application/sparql-results+xml", read_srx),
    ".srj": ("application/sparql-results+json", read_srj),
    ".csv": ("text/csv", read_csv),
    ".tsv": ("text/tab-separated-values", read_tsv),
}


def _bnode_free(row: Row) -> tuple[tuple[str, Node], ...]:
    return tuple(sorted((k, v) for k, v in row.items() if not isinstance(v, BNode)))


def same_rows(got: list[Row], expected: list[Row]) -> bool:
    """Equal as multisets of solutions, blank nodes matched by a consistent renaming."""
    if len(got) != len(expected):
        return False
    if Counter(_bnode_free(r) for r in got) != Counter(_bnode_free(r) for r in expected):
        return False
    if not any(isinstance(v, BNode) for r in expected for v in r.values()):
        return Counter(tuple(sorted(r.items())) for r in got) == Counter(
            tuple(sorted(r.items())) for r in expected
        )
    return _match(list(got), list(expected), {}, {})


def _match(got: list[Row], expected: list[Row], forward: dict, backward: dict) -> bool:
    if not expected:
        return True
    want = expected[0]
    for i, row in enumerate(got):
        if row.keys() != want.keys():
            continue
        f, b = dict(forward), dict(backward)
        if all(_term_fits(row[k], want[k], f, b) for k in want):
            if _match(got[:i] + got[i + 1 :], expected[1:], f, b):
                return True
    return False


def _term_fits(a: Node, b: Node, forward: dict, backward: dict) -> bool:
    if isinstance(a, BNode) and isinstance(b, BNode):
        if forward.setdefault(a, b) != b or backward.setdefault(b, a) != a:
            return False
        return True
    return a == b and type(a) is type(b)


RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")


def read_result_set(graph: Graph) -> Answer | None:
    """A result set written in RDF (the DAWG rs: vocabulary), or None for a plain graph."""
    result_set = next(graph.subjects(RDF.type, RS.ResultSet), None)
    if result_set is None:
        return None
    answer = Answer(sorted(str(v) for v in graph.objects(result_set, RS.resultVariable)))
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        answer.boolean = str(boolean) == "true"
        return answer
    for solution in graph.objects(result_set, RS.solution):
        row: Row = {}
        for binding in graph.objects(solution, RS.binding):
            row[str(graph.value(binding, RS.variable))] = graph.value(binding, RS.value)
        answer.rows.append(row)
    return answer
