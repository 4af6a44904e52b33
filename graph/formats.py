"""The format registry: the only place that knows rdflib's format names.

Each row says which media types name a format, its file extension, the rdflib plugin that
reads or writes it, and which kinds of result it can carry:

- ``bindings``: SELECT solutions; ``boolean``: ASK answers;
- ``graph``: one RDF graph (CONSTRUCT, DESCRIBE, a Graph Store GET);
- ``dataset``: several named graphs (an export of the whole knowledge graph).

Adding a format means adding one row to FORMATS.
"""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from rdflib import Dataset, Graph
from rdflib.query import Result
from rdflib.term import BNode, Literal, Node, URIRef

from . import serializers

BINDINGS = "bindings"
BOOLEAN = "boolean"
GRAPH = "graph"
DATASET = "dataset"

RESULT_KINDS = {"SELECT": BINDINGS, "ASK": BOOLEAN, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}


@dataclass(frozen=True)
class Format:
    """One serialization format; media_types[0] is the one we send."""

    name: str
    label: str
    media_types: tuple[str, ...]
    extension: str
    rdflib_name: str
    kinds: frozenset[str]
    aliases: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        """The media type we label responses with."""
        return self.media_types[0]

    @property
    def content_type(self) -> str:
        """Content-Type header value (all our formats are UTF-8 text)."""
        return f"{self.media_type}; charset=utf-8"


_RESULTS = frozenset({BINDINGS, BOOLEAN})
_GRAPHS = frozenset({GRAPH, DATASET})

FORMATS: tuple[Format, ...] = (
    Format(
        "sparql-json",
        "SPARQL JSON",
        ("application/sparql-results+json", "application/json"),
        "srj",
        "json",
        _RESULTS,
        ("json",),
    ),
    Format(
        "sparql-xml",
        "SPARQL XML",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        "srx",
        "xml",
        _RESULTS,
        ("xml",),
    ),
    Format("csv", "CSV", ("text/csv",), "csv", "csv", frozenset({BINDINGS}), ()),
    Format("tsv", "TSV", ("text/tab-separated-values",), "tsv", "tsv", frozenset({BINDINGS}), ()),
    Format(
        "turtle",
        "Turtle",
        ("text/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
        "ttl",
        "turtle",
        frozenset({GRAPH}),
        ("ttl", "n3"),
    ),
    Format(
        "ntriples",
        "N-Triples",
        ("application/n-triples", "text/plain"),
        "nt",
        "nt11",
        frozenset({GRAPH}),
        ("nt", "n-triples"),
    ),
    # rdflib's "pretty-xml" drops triples on some list shapes; the plain writer is lossless.
    Format(
        "rdfxml",
        "RDF/XML",
        ("application/rdf+xml",),
        "rdf",
        "xml",
        frozenset({GRAPH}),
        ("rdf", "rdf+xml", "xml"),
    ),
    Format(
        "jsonld",
        "JSON-LD",
        ("application/ld+json",),
        "jsonld",
        "json-ld",
        _GRAPHS,
        ("json-ld", "json"),
    ),
    Format("trig", "TriG", ("application/trig",), "trig", "trig", _GRAPHS, ()),
    Format("nquads", "N-Quads", ("application/n-quads",), "nq", "nquads", _GRAPHS, ("nq",)),
)

_QUAD_ONLY = frozenset({"trig", "nquads"})
_PARSERS = {"nt11": "nt"}
# Writers that keep literals' lexical forms (graph/serializers.py).
_SERIALIZERS = {"turtle": "cajkg-turtle", "trig": "cajkg-trig"}


def for_kind(kind: str) -> list[Format]:
    """The formats that can carry a result of this kind, preferred first."""
    return [f for f in FORMATS if kind in f.kinds]


def by_name(name: str, kind: str | None = None) -> Format | None:
    """Look a format up by name, alias, extension or media type (as in ?format=)."""
    key = name.strip().lower()
    for f in FORMATS if kind is None else for_kind(kind):
        if key in (f.name, f.extension, *f.aliases, *f.media_types):
            return f
    return None


def named(name: str) -> Format:
    """A format the code itself names (a KeyError, a programming error, if there is none)."""
    found = by_name(name)
    if found is None:
        raise KeyError(name)
    return found


def by_media_type(media_type: str, kind: str | None = None) -> Format | None:
    """The format a Content-Type names (parameters ignored)."""
    key = media_type.split(";")[0].strip().lower()
    candidates = FORMATS if kind is None else for_kind(kind)
    return next((f for f in candidates if key in f.media_types), None)


def by_extension(extension: str) -> Format | None:
    """The format a file extension names ('ttl', '.trig')."""
    key = extension.lstrip(".").lower()
    return next((f for f in FORMATS if f.extension == key), None)


def result_kind(result: Result) -> str:
    """BINDINGS, BOOLEAN or GRAPH for an rdflib query result."""
    return RESULT_KINDS[result.type]


def serialize_result(result: Result, fmt: Format) -> bytes:
    """Serialize a query result (any kind) in a format that can carry it."""
    kind = result_kind(result)
    if kind not in fmt.kinds:
        raise ValueError(f"{fmt.label} cannot carry a {kind} result")
    if kind == GRAPH:
        assert result.graph is not None
        return serialize_graph(result.graph, fmt)
    if fmt.name == "tsv":
        return _tsv(result)
    if fmt.name == "sparql-xml":
        return _sparql_xml(result)
    return result.serialize(format=fmt.rdflib_name, encoding="utf-8") or b""


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """Serialize a graph or a dataset; a dataset needs a format of kind DATASET."""
    if isinstance(graph, Dataset) and DATASET not in fmt.kinds:
        raise ValueError(f"{fmt.label} cannot carry several named graphs")
    if fmt.name in _QUAD_ONLY and not isinstance(graph, Dataset):
        dataset = Dataset()
        dataset.default_graph.addN((s, p, o, dataset.default_graph) for s, p, o in graph)
        dataset.namespace_manager = graph.namespace_manager
        graph = dataset
    with decimal.localcontext() as context:
        # rdflib's writers sort terms by value, and an xsd:decimal compared with a NaN double
        # raises InvalidOperation under the default (trapping) context; this one is thread-local
        context.traps[decimal.InvalidOperation] = False
        if fmt.name == "jsonld":
            return serializers.jsonld(graph)
        name = _SERIALIZERS.get(fmt.rdflib_name, fmt.rdflib_name)
        return graph.serialize(format=name, encoding="utf-8")


def _remote_context(node: Any) -> str | None:
    """The first context IRI in a JSON-LD document (a string @context or @import), if any."""
    if isinstance(node, list):
        return next((found for item in node if (found := _remote_context(item))), None)
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if key in ("@context", "@import") and isinstance(value, str):
            return value
        if key == "@context" and isinstance(value, list) and any(isinstance(v, str) for v in value):
            return next(v for v in value if isinstance(v, str))
        if (found := _remote_context(value)) is not None:
            return found
    return None


def parse_graph(data: bytes | str, fmt: Format, base: str | None = None) -> Graph:
    """Parse a request body in an RDF format into a fresh graph.

    rdflib's JSON-LD parser dereferences remote contexts, so a document that names one is refused:
    a request must never make the server fetch anything.
    """
    if fmt.name == "jsonld":
        remote = _remote_context(json.loads(data))
        if remote is not None:
            raise ValueError(f"remote JSON-LD contexts are not fetched ({remote}); inline it")
    graph = Graph()
    graph.parse(data=data, format=_PARSERS.get(fmt.rdflib_name, fmt.rdflib_name), publicID=base)
    return graph


def _tsv_term(term: Node | None) -> str:
    """A term in the Turtle-style syntax of SPARQL 1.1 TSV (tabs and newlines escaped)."""
    if term is None:
        return ""
    if isinstance(term, (URIRef, Literal, BNode)):
        return term.n3().replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(term)


def _tsv(result: Result) -> bytes:
    """SPARQL 1.1 TSV, which rdflib cannot write."""
    variables = result.vars or []
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in result.bindings:
        lines.append("\t".join(_tsv_term(row.get(v)) for v in variables))
    return ("\n".join(lines) + "\n").encode("utf-8")


def escape(text: str) -> str:
    """XML character data (a carriage return kept, which XML would read as a line feed)."""
    return _escape(text, {"\r": "&#13;"})


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(term)}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(term)}</bnode>"
    assert isinstance(term, Literal)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term)}</literal>"
    if term.datatype:
        return f"<literal datatype={quoteattr(term.datatype)}>{escape(term)}</literal>"
    return f"<literal>{escape(term)}</literal>"


def _sparql_xml(result: Result) -> bytes:
    """SPARQL Query Results XML. rdflib's writer drops every literal whose value is falsy (0,
    false, 0.0, PT0S: its XML generator skips "empty" text), and SPARQLWrapper reads XML by
    default, so cajkg writes it itself."""
    ns = "http://www.w3.org/2005/sparql-results#"
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n', f'<sparql xmlns="{ns}">\n<head>']
    if result.type == "ASK":
        parts.append("</head>\n")
        parts.append(f"<boolean>{'true' if result.askAnswer else 'false'}</boolean>\n")
    else:
        variables = result.vars or []
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head>\n<results>\n")
        for row in result.bindings:
            parts.append("<result>")
            for name, value in row.items():
                if value is not None:
                    parts.append(f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>")
            parts.append("</result>\n")
        parts.append("</results>\n")
    parts.append("</sparql>\n")
    return "".join(parts).encode("utf-8")
