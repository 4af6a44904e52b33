"""SPARQL 1.1/1.2 Protocol: an HTTP request becomes one Operation, or a Problem saying why not.

Decision order (after Oxigraph): a GET has no body and takes its parameters from the URL; a
POST needs a Content-Type: a form body (query= or update= must be in the body), or a direct
application/sparql-query / application/sparql-update body (UTF-8 only); anything else is 415.
A parameter in both the URL and the body, a repeated query/update/version, or both a query
and an update are 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Request
from rdflib import URIRef

from cajkg.graph.inferred import Infer, parse_infer

from .errors import Problem

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
VERSIONS = ("1.1", "1.2")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_GRAPH_PARAMS = {
    "query": ("default-graph-uri", "named-graph-uri"),
    "update": ("using-graph-uri", "using-named-graph-uri"),
}


@dataclass(frozen=True)
class Operation:
    """One query or update with its protocol dataset and the client's options."""

    kind: str
    text: str
    graphs: tuple[URIRef, ...]
    named_graphs: tuple[URIRef, ...]
    infer: Infer
    formats: tuple[str, ...]
    version: str | None


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise Problem(400, f"the {where} is not UTF-8 percent-encoded: {error}") from error


def _utf8(request: Request) -> None:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, f"charset={charset} is not supported; send UTF-8")


def _body(request: Request) -> tuple[list[tuple[str, str]], str | None, str | None]:
    """Body parameters, direct text and its kind ('query'/'update') of a POST."""
    mimetype = request.mimetype
    if not mimetype:
        raise Problem(400, f"a POST needs a Content-Type: {FORM}, {QUERY} or {UPDATE}")
    if mimetype not in (FORM, QUERY, UPDATE):
        raise Problem(
            415, f"Content-Type {mimetype} is not supported; use {FORM}, {QUERY} or {UPDATE}"
        )
    _utf8(request)
    data = request.get_data(cache=True)
    if mimetype == FORM:
        return _pairs(data, "form body"), None, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(400, f"the body is not UTF-8: {error}") from error
    version = request.mimetype_params.get("version")
    params = [("version", version)] if version is not None else []
    return params, text, "query" if mimetype == QUERY else "update"


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise Problem(400, f"{name} must be given at most once (got {len(values)})")
    return values[0] if values else None


def iri(value: str, name: str) -> URIRef:
    """A graph IRI from a parameter; 400 unless it is absolute."""
    if not _IRI.match(value):
        raise Problem(400, f"{name}={value!r} is not an absolute IRI")
    return URIRef(value)


def _iris(values: list[str], name: str) -> tuple[URIRef, ...]:
    return tuple(iri(v, name) for v in values)


def parse(
    request: Request, *, queries: bool = True, max_length: int | None = None
) -> Operation | None:
    """The operation of a request; None for a GET that asks nothing (service description)."""
    url = _pairs(request.query_string, "query string")
    body: list[tuple[str, str]] = []
    text: str | None = None
    direct: str | None = None
    if request.method in ("GET", "HEAD"):
        if request.content_length or request.get_data(cache=True):
            raise Problem(400, "a GET request must not have a body")
    else:
        body, text, direct = _body(request)
    both = {k for k, _ in url} & {k for k, _ in body}
    if both:
        raise Problem(400, f"parameter {sorted(both)[0]} appears both in the URL and in the body")
    params = url + body

    def values(name: str) -> list[str]:
        return [v for k, v in params if k == name]

    kind = direct
    if direct is not None:
        if values("query") or values("update"):
            raise Problem(400, f"with a {direct} body, query= and update= must not be given")
    else:
        found = [k for k in ("query", "update") if values(k)]
        if len(found) == 2:
            raise Problem(400, "a request carries either a query or an update, not both")
        kind = found[0] if found else None
        if kind is None:
            if request.method in ("GET", "HEAD"):
                return None
            raise Problem(400, "the form body has neither query= nor update=")
        if request.method in ("GET", "HEAD") and kind == "update":
            raise Problem(400, "an update must be sent with POST")
        if request.method == "POST" and not [v for k, v in body if k == kind]:
            raise Problem(400, f"with a form POST, {kind}= must be in the body, not the URL")
        text = _one(values(kind), kind)
    assert kind is not None and text is not None
    if kind == "query" and not queries:
        raise Problem(400, "this URL takes updates only; send queries to /sparql")
    version = _one(values("version"), "version")
    if version is not None and version not in VERSIONS:
        raise Problem(400, f"version={version} is not supported; use {' or '.join(VERSIONS)}")
    other = "update" if kind == "query" else "query"
    for name in _GRAPH_PARAMS[other]:
        if values(name):
            raise Problem(400, f"{name} applies to a SPARQL {other}, not a {kind}")
    if max_length is not None and len(text) > max_length:
        status = 414 if request.method in ("GET", "HEAD") else 413
        raise Problem(status, f"the {kind} has {len(text)} characters; the limit is {max_length}")
    infer_text = _one(values("infer"), "infer") or "true"
    infer = parse_infer(infer_text)
    if infer is None:
        raise Problem(400, f"infer={infer_text} must be true, false or full")
    default_name, named_name = _GRAPH_PARAMS[kind]
    return Operation(
        kind=kind,
        text=text,
        graphs=_iris(values(default_name), default_name),
        named_graphs=_iris(values(named_name), named_name),
        infer=infer,
        formats=tuple(values("format")),
        version=version,
    )
