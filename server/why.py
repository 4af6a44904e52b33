"""/explain: why the graph says that, by content negotiation (HTML proof tree, JSON, RDF).

`GET /explain?s=IRI&p=IRI&o=TERM[&g=IRI][&all=1]`. s, p and g are IRIs (bare, or in <...>);
o is an IRI or an N-Triples literal ("text"@en, "5"^^<http://www.w3.org/2001/XMLSchema#integer>).
The proof comes from `cajkg.graph.explain`; this module only reads the parameters and renders.
404 when the triple is not in the dataset (or not in g), 400 naming a malformed parameter,
501 when the store keeps no incremental reasoner in this process (the sparql store).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from rdflib import RDF, Literal, URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from cajkg.graph import formats
from cajkg.graph.explain import NotExplainable, NotInDataset, as_json, as_rdf, explain, limits

from . import negotiate, rendering
from .config import get_store
from .describe import highlight, safe_iri
from .errors import Problem
from .pages import rdf_response

bp = Blueprint("why", __name__)
bp.record_once(rendering.install)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# An N-Triples literal: a quoted string, then a language tag or a datatype IRI.
_LITERAL = re.compile(
    r'^"(?:[^"\\\n\r]|\\.)*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^<[^<>"{}|^`\\\s]+>)?$'
)
JSON = ("application/json",)


def why_url(s: Node, p: Node, o: Node) -> str:
    """The /explain link for a triple (the "why?" next to an inferred fact)."""
    value = o.n3() if isinstance(o, Literal) else str(o)
    return "/explain?" + urlencode({"s": str(s), "p": str(p), "o": value})


def _install(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["why_url"] = why_url


bp.record_once(_install)


def _iri(name: str, text: str) -> URIRef:
    inner = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    iri = safe_iri(inner)
    if iri is None or not _SCHEME.match(inner):
        raise Problem(400, f"parameter {name}: not an absolute IRI: {text!r}")
    return iri


def _object(text: str) -> Node:
    if not text.startswith('"'):
        return _iri("o", text)
    if not _LITERAL.match(text):
        raise Problem(400, f"parameter o: not an N-Triples literal: {text!r}")
    term = from_n3(text)
    assert isinstance(term, Literal)
    return term


def _parameter(name: str) -> str:
    values = request.args.getlist(name)
    if not values or not values[0]:
        raise Problem(400, f"parameter {name} is missing: /explain?s=IRI&p=IRI&o=IRI-or-literal")
    if len(values) > 1:
        raise Problem(400, f"parameter {name} is given {len(values)} times")
    return values[0]


def _with(**changes: str) -> str:
    """This request's URL with some parameters replaced."""
    params = {key: request.args[key] for key in ("s", "p", "o", "g", "all") if key in request.args}
    return "/explain?" + urlencode({**params, **changes})


@bp.get("/explain")
def explain_triple() -> Response:
    """Explain one triple of the dataset."""
    s = _iri("s", _parameter("s"))
    p = _iri("p", _parameter("p"))
    o = _object(_parameter("o"))
    g = _iri("g", request.args["g"]) if request.args.get("g") else None
    every = request.args.get("all", "").lower()
    if every not in ("", "0", "1", "true", "false"):
        raise Problem(400, f"parameter all: use 1 or 0, not {every!r}")
    offered = [negotiate.HTML, JSON, *(f.media_types for f in rendering.document_formats())]
    choice = rendering.preferred_group(offered)
    if choice is None:
        names = ", ".join(group[0] for group in offered)
        raise Problem(406, f"no representation of an explanation is acceptable; offered: {names}")
    base = rendering.base()
    try:
        explanation = explain(
            get_store(), (s, p, o), graph=g, all_proofs=every in ("1", "true"), base=base
        )
    except NotInDataset as error:
        raise Problem(404, str(error)) from None
    except NotExplainable as error:
        raise Problem(501, f"cannot explain: {error}") from None
    if choice == 0:
        html = render_template(
            "explain.html",
            e=explanation,
            limits=limits(),
            parts=lambda sentence: highlight(
                sentence.text, [(m.start, m.end) for m in sentence.mentions]
            ),
            hidden={RDF.first, RDF.rest},
            other=_with(all="0" if explanation.all_proofs else "1"),
            title="Why? " + " ".join(rendering.curie(t) for t in (s, p, o)),
        )
        response = Response(html, content_type="text/html; charset=utf-8")
    elif choice == 1:
        body = json.dumps(as_json(explanation), ensure_ascii=False)  # no indent: C encoder
        response = Response(body, content_type="application/json")
    else:
        fmt = formats.by_media_type(offered[choice][0])
        assert fmt is not None
        response = rdf_response(as_rdf(explanation, base), fmt, None)
    response.vary.add("Accept")
    current_app.logger.debug("explained %s %s %s", s, p, o)
    return response
