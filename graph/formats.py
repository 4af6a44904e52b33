"""The format registry: the only place that knows rdflib's format names.

Each row says which media types name a format, its file extension, the rdflib plugin that
reads or writes it, and which kinds of result it can carry:

- ``bindings``: SELECT solutions; ``boolean``: ASK answers;
- ``graph``: one RDF graph (CONSTRUCT, DESCRIBE, a Graph Store GET);
- ``dataset``: several named graphs (an export of the whole knowledge graph).

Adding a format means adding one row to ALL_FORMATS: its names, media types, kinds, writer and
(where it has one) parser.
"""

from __future__ import annotations

import decimal
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from rdflib import Dataset, Graph
from rdflib.query import Result
from rdflib.term import BNode, Literal, Node, URIRef, Variable

from . import serializers

BINDINGS = "bindings"
BOOLEAN = "boolean"
GRAPH = "graph"
DATASET = "dataset"

RESULT_KINDS = {"SELECT": BINDINGS, "ASK": BOOLEAN, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}


@dataclass(frozen=True)
class Format:
    """One serialization format; media_types[0] is the one we send.

    write turns a value of one of the row's kinds into bytes (an rdflib Result for bindings and
    boolean, a Graph or Dataset for graph and dataset); read, where the format has a parser,
    parses bytes or text into a target (a Graph or Dataset for RDF formats; for result formats
    it is None and parse_result reads them with rdflib). negotiable=False keeps a format out of
    HTTP content negotiation (the CLI's text table).
    """

    name: str
    label: str
    media_types: tuple[str, ...]
    extension: str
    rdflib_name: str
    kinds: frozenset[str]
    write: Callable[[Any], bytes]
    aliases: tuple[str, ...] = ()
    read: Callable[[Graph, bytes | str, str | None], None] | None = None
    negotiable: bool = True

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


def _rdflib_result_writer(rdflib_format: str) -> Callable[[Result], bytes]:
    """A writer for a result format rdflib writes correctly."""

    def write(result: Result) -> bytes:
        return result.serialize(format=rdflib_format, encoding="utf-8") or b""

    return write


def _graph_writer(rdflib_format: str, quads: bool = False) -> Callable[[Graph], bytes]:
    """A writer for an RDF format; quads: a plain graph goes out as a dataset's default graph."""

    def write(graph: Graph) -> bytes:
        if quads and not isinstance(graph, Dataset):
            dataset = Dataset()
            dataset.default_graph.addN((s, p, o, dataset.default_graph) for s, p, o in graph)
            dataset.namespace_manager = graph.namespace_manager
            graph = dataset
        return graph.serialize(format=rdflib_format, encoding="utf-8")

    return write


def _graph_reader(rdflib_format: str) -> Callable[[Graph, bytes | str, str | None], None]:
    """A parser for an RDF format rdflib reads without network access."""

    def read(target: Graph, data: bytes | str, base: str | None) -> None:
        target.parse(data=data, format=rdflib_format, publicID=base)

    return read


def _write_jsonld(graph: Graph) -> bytes:
    return serializers.jsonld(graph)


def _read_jsonld(target: Graph, data: bytes | str, base: str | None) -> None:
    """rdflib's JSON-LD parser dereferences remote contexts, so a document that names one is
    refused: a request must never make the server fetch anything."""
    remote = _remote_context(json.loads(data))
    if remote is not None:
        raise ValueError(f"remote JSON-LD contexts are not fetched ({remote}); inline it")
    target.parse(data=data, format="json-ld", publicID=base)


def _write_table(result: Result) -> bytes:
    """A SELECT result as an aligned text table, ASK as yes/no (cajkg query's default)."""
    if result.type == "ASK":
        return ("yes\n" if result.askAnswer else "no\n").encode("utf-8")
    variables = [str(v) for v in result.vars or []]
    rows = [
        ["" if (term := row.get(Variable(v))) is None else term.n3() for v in variables]
        for row in result.bindings
    ]
    widths = [max([len(v), *(len(r[i]) for r in rows)]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return ("\n".join(lines) + f"\n({len(rows)} rows)\n").encode("utf-8")


ALL_FORMATS: tuple[Format, ...] = (
    Format(
        "sparql-json",
        "SPARQL JSON",
        ("application/sparql-results+json", "application/json"),
        "srj",
        "json",
        _RESULTS,
        _rdflib_result_writer("json"),
        ("json",),
    ),
    Format(
        "sparql-xml",
        "SPARQL XML",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        "srx",
        "xml",
        _RESULTS,
        lambda result: _sparql_xml(result),
        ("xml",),
    ),
    Format(
        "csv",
        "CSV",
        ("text/csv",),
        "csv",
        "csv",
        frozenset({BINDINGS}),
        _rdflib_result_writer("csv"),
    ),
    Format(
        "tsv",
        "TSV",
        ("text/tab-separated-values",),
        "tsv",
        "tsv",
        frozenset({BINDINGS}),
        lambda result: _tsv(result),
    ),
    # Writers that keep literals' lexical forms (graph/serializers.py) for Turtle and TriG.
    Format(
        "turtle",
        "Turtle",
        ("text/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
        "ttl",
        "turtle",
        frozenset({GRAPH}),
        _graph_writer("cajkg-turtle"),
        ("ttl", "n3"),
        _graph_reader("turtle"),
    ),
    Format(
        "ntriples",
        "N-Triples",
        ("application/n-triples", "text/plain"),
        "nt",
        "nt11",
        frozenset({GRAPH}),
        _graph_writer("nt11"),
        ("nt", "n-triples"),
        _graph_reader("nt"),
    ),
    # rdflib's "pretty-xml" drops triples on some list shapes; the plain writer is lossless.
    Format(
        "rdfxml",
        "RDF/XML",
        ("application/rdf+xml",),
        "rdf",
        "xml",
        frozenset({GRAPH}),
        _graph_writer("xml"),
        ("rdf", "rdf+xml", "xml"),
        _graph_reader("xml"),
    ),
    Format(
        "jsonld",
        "JSON-LD",
        ("application/ld+json",),
        "jsonld",
        "json-ld",
        _GRAPHS,
        _write_jsonld,
        ("json-ld", "json"),
        _read_jsonld,
    ),
    Format(
        "trig",
        "TriG",
        ("application/trig",),
        "trig",
        "trig",
        _GRAPHS,
        _graph_writer("cajkg-trig", quads=True),
        (),
        _graph_reader("trig"),
    ),
    Format(
        "nquads",
        "N-Quads",
        ("application/n-quads",),
        "nq",
        "nquads",
        _GRAPHS,
        _graph_writer("nquads", quads=True),
        ("nq",),
        _graph_reader("nquads"),
    ),
    # Only for people at a terminal (cajkg query); HTTP clients are never offered it.
    Format(
        "table",
        "text table",
        ("text/x-cajkg-table",),
        "txt",
        "",
        _RESULTS,
        _write_table,
        (),
        None,
        False,
    ),
)
# The formats HTTP content negotiation and ?format= offer.
FORMATS: tuple[Format, ...] = tuple(f for f in ALL_FORMATS if f.negotiable)


def for_kind(kind: str, negotiable_only: bool = True) -> list[Format]:
    """The formats that can carry a result of this kind, preferred first."""
    return [f for f in (FORMATS if negotiable_only else ALL_FORMATS) if kind in f.kinds]


def by_name(name: str, kind: str | None = None, negotiable_only: bool = True) -> Format | None:
    """Look a format up by name, alias, extension or media type (as in ?format=)."""
    key = name.strip().lower()
    everything = FORMATS if negotiable_only else ALL_FORMATS
    for f in everything if kind is None else for_kind(kind, negotiable_only):
        if key in (f.name, f.extension, *f.aliases, *f.media_types):
            return f
    return None


def named(name: str) -> Format:
    """A format the code itself names (a KeyError, a programming error, if there is none)."""
    found = by_name(name, negotiable_only=False)
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
    return fmt.write(result)


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """Serialize a graph or a dataset; a dataset needs a format of kind DATASET."""
    if isinstance(graph, Dataset) and DATASET not in fmt.kinds:
        raise ValueError(f"{fmt.label} cannot carry several named graphs")
    if GRAPH not in fmt.kinds and DATASET not in fmt.kinds:
        raise ValueError(f"{fmt.label} cannot carry a graph")
    with decimal.localcontext() as context:
        # rdflib's writers sort terms by value, and an xsd:decimal compared with a NaN double
        # raises InvalidOperation under the default (trapping) context; this one is thread-local
        context.traps[decimal.InvalidOperation] = False
        return fmt.write(graph)


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


def parse_into(target: Graph, data: bytes | str, fmt: Format, base: str | None = None) -> None:
    """Parse data in an RDF format into target (a Graph, or a Dataset for quad formats)."""
    if fmt.read is None:
        raise ValueError(f"{fmt.label} is not an RDF format cajkg parses")
    fmt.read(target, data, base)


def parse_graph(data: bytes | str, fmt: Format, base: str | None = None) -> Graph:
    """Parse a request body in an RDF format into a fresh graph."""
    graph = Graph()
    parse_into(graph, data, fmt, base)
    return graph


def parse_dataset(data: bytes | str, fmt: Format, base: str | None = None) -> Dataset:
    """Parse data in a quad format (TriG, N-Quads) into a fresh dataset."""
    dataset = Dataset()
    parse_into(dataset, data, fmt, base)
    return dataset


def parse_result(data: bytes, fmt: Format) -> Result:
    """Parse a SELECT or ASK result in a result format rdflib reads (SPARQL JSON, XML, ...)."""
    if not fmt.kinds & _RESULTS or not fmt.negotiable:
        raise ValueError(f"{fmt.label} is not a result format cajkg parses")
    return Result.parse(io.BytesIO(data), format=fmt.rdflib_name)


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
