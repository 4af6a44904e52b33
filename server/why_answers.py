"""/explain/answers: why these answers? The triples each row of a SELECT query matched, with
their sentences and, for inferred ones, their proofs (`cajkg.graph.explain_answers`).

The request is a SPARQL Protocol query request (GET ?query=, POST form or
application/sparql-query, with `infer=false` to leave the inferred triples out); the answer is
JSON. 400 for a malformed query (the parser's message), 422 with `{"error", "cannot": [...]}`
when the query uses a construct whose answers cannot be traced (each one named), 501 when the
store keeps no reasoner in the server's process.

`expand_proofs` evaluates the `explain:proof` property function of /sparql queries
(`cajkg.graph.explain_sparql`), as `search.expand_text_query` does for `text:query`.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request
from rdflib import URIRef
from rdflib.term import Node

from cajkg.graph import explain_sparql
from cajkg.graph.explain import Explanation, NotExplainable, NotInDataset, explain
from cajkg.graph.explain_answers import CannotExplain, as_answers_json, explain_rows, plan
from cajkg.graph.iris import Base

from . import protocol, rendering, search
from .config import get_store, setting
from .describe import rows
from .errors import Problem

bp = Blueprint("why_answers", __name__)


def _json(document: object, status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False)  # no indent: the C encoder, many times faster
    return Response(body, status=status, content_type="application/json")


@bp.route("/explain/answers", methods=["GET", "POST"])
def explain_answers() -> Response:
    """Run a SELECT query and explain each of its rows."""
    operation = protocol.parse(request, max_length=setting("CAJKG_MAX_QUERY_LENGTH"))
    if operation is None:
        raise Problem(400, "parameter query is missing: /explain/answers?query=SELECT ...")
    store = get_store()
    base = setting("CAJKG_BASE") + "resource/"
    text = search.expand_text_query(operation.text, base)
    prepared = store.prepare(text, base=base)  # a malformed query is a 400 with the message
    reasons = []
    if operation.graphs or operation.named_graphs:
        reasons.append("default-graph-uri and named-graph-uri: only the service's dataset")
    try:
        query = plan(text, base)
    except CannotExplain as error:
        reasons += error.reasons
    if reasons:
        return _json({"error": "cannot explain the answers of this query", "cannot": reasons}, 422)
    result = store.query(
        prepared,
        infer=operation.infer,
        timeout=setting("CAJKG_QUERY_TIMEOUT"),
        max_rows=setting("CAJKG_MAX_ROWS"),
    )
    try:
        answers = explain_rows(
            store, query, list(rows(result)), infer=operation.infer, base=rendering.base()
        )
    except CannotExplain as error:
        return _json(
            {"error": "cannot explain the answers of this query", "cannot": error.reasons}, 422
        )
    except NotExplainable as error:
        raise Problem(501, f"cannot explain: {error}") from None
    return _json(as_answers_json(answers))


def expand_proofs(text: str, base: str | None = None) -> str:
    """A SPARQL query with its `explain:proof` patterns replaced by the VALUES of the proofs;
    any other query unchanged, at the cost of one substring test."""
    namespace = str(Base(current_app.config["CAJKG_BASE"]).rebase(URIRef(explain_sparql.NAMESPACE)))
    if namespace not in text:
        return text
    store, iris = get_store(), rendering.base()

    def explainer(triple: tuple[Node, Node, Node]) -> Explanation | None:
        try:
            return explain(store, triple, base=iris)
        except NotInDataset:
            return None
        except NotExplainable as error:
            raise Problem(501, f"cannot explain: {error}") from None

    return explain_sparql.rewrite(text, explainer, base, namespace)
