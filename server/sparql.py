"""The SPARQL Protocol blueprint: /sparql (queries and updates) and /update (updates only).

Glue only: protocol.parse -> store.prepare -> negotiate (406 before evaluating) ->
store.query -> formats.serialize_result. The blueprint works on any Flask app that has a
store (create_app sets one up).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template_string, request

from cajkg.graph import formats

from . import auth, negotiate, protocol, search, why_answers
from .config import get_store, setting
from .errors import no_content
from .service_description import describe_service

bp = Blueprint("sparql", __name__)

QUERY_PAGE = "/query"
FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SPARQL endpoint</title></head>
<body><h1>SPARQL endpoint</h1>
<form method="get" action="{{ action }}">
<p><label for="query">Query</label></p>
<p><textarea id="query" name="query" rows="12" cols="80">{{ example }}</textarea></p>
<p><label><input type="checkbox" name="infer" value="false"> without inferred triples</label></p>
<p><button type="submit">Run</button></p>
</form></body></html>
"""
EXAMPLE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Queries (GET, POST form, POST sparql-query) and updates (POST); GET alone describes."""
    operation = protocol.parse(request, max_length=setting("CAJKG_MAX_QUERY_LENGTH"))
    if operation is None:
        return _describe()
    return _run(operation)


@bp.route("/update", methods=["POST"])
def update() -> Response:
    """Updates only (POST form update= or application/sparql-update)."""
    operation = protocol.parse(request, queries=False, max_length=setting("CAJKG_MAX_QUERY_LENGTH"))
    assert operation is not None
    return _run(operation)


def _run(operation: protocol.Operation) -> Response:
    if operation.kind == "update":
        return _update(operation)
    store = get_store()
    base = setting("CAJKG_BASE") + "resource/"
    text = why_answers.expand_proofs(search.expand_text_query(operation.text, base), base)
    prepared = store.prepare(text, base=base)
    fmt, media_type = negotiate.for_kind(formats.RESULT_KINDS[prepared.form], operation.formats)
    result = store.query(
        prepared,
        default_graphs=operation.graphs,
        named_graphs=operation.named_graphs,
        infer=operation.infer,
        timeout=setting("CAJKG_QUERY_TIMEOUT"),
        max_rows=setting("CAJKG_MAX_ROWS"),
    )
    response = Response(
        formats.serialize_result(result, fmt), content_type=f"{media_type}; charset=utf-8"
    )
    response.vary.add("Accept")
    return response


def _update(operation: protocol.Operation) -> Response:
    auth.require_writer()
    get_store().update(
        operation.text,
        using_graphs=operation.graphs,
        using_named_graphs=operation.named_graphs,
        base=_base(),
        timeout=setting("CAJKG_QUERY_TIMEOUT"),
    )
    return no_content()


def _base() -> str:
    """The endpoint's IRI, against which relative IRIs in updates resolve (Protocol 2.4), so
    stored data never holds relative IRIs. Queries mint nothing: their relative IRIs resolve
    against the resource namespace instead, so that `<Tokyo>` means cjr:Tokyo."""
    return setting("CAJKG_BASE") + request.path.lstrip("/")


def _describe() -> Response:
    """The service description for machines; the query page (or a small form) for browsers."""
    chosen = negotiate.for_kind_or_html(formats.GRAPH)
    if chosen is None:
        if any(rule.rule == QUERY_PAGE for rule in current_app.url_map.iter_rules()):
            return redirect(QUERY_PAGE, code=303)
        response = Response(
            render_template_string(FORM, action=request.path, example=EXAMPLE),
            content_type="text/html; charset=utf-8",
        )
    else:
        fmt, media_type = chosen
        graph = describe_service(request.host_url, federated=bool(setting("CAJKG_ALLOW_SERVICE")))
        response = Response(
            formats.serialize_graph(graph, fmt), content_type=f"{media_type}; charset=utf-8"
        )
    response.vary.add("Accept")
    return response
