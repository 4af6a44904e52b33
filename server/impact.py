"""/explain/impact: what depends on this? The consequences of retracting an asserted triple, a
sentence or an ontology axiom (`cajkg.graph.impact`), by content negotiation (HTML, JSON).

    GET /explain/impact?s=IRI&p=IRI&o=TERM[&g=IRI]   an asserted triple (from g, or every graph)
    GET /explain/impact?sentence=IRI                  the facts drawn from one sentence alone
    GET /explain/impact?axiom=IRI[&p=IRI][&o=TERM]    the ontology's axioms about a class/property

`answers=0` leaves out the competency answers (faster). Terms are written as for /explain.
404 when the triple, sentence or axiom is not in the dataset; 422 for an inferred triple (it
cannot be retracted); 400 naming a malformed or missing parameter; 501 when the store keeps no
reasoner in this process (the sparql store). Nothing is retracted.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from rdflib import Literal, URIRef
from rdflib.term import Node

from cajkg.graph import impact
from cajkg.graph.explain import NotExplainable, NotInDataset

from . import negotiate, rendering
from .config import get_store
from .errors import Problem
from .why import _iri, _object, _parameter, why_url

bp = Blueprint("impact", __name__)
bp.record_once(rendering.install)

JSON = ("application/json",)
_FORMS = "/explain/impact?s=…&p=…&o=…[&g=…], ?sentence=…, or ?axiom=…[&p=…][&o=…]"


def impact_url(s: Node, p: Node, o: Node) -> str:
    """The /explain/impact link for an asserted triple (next to it on resource pages)."""
    value = o.n3() if isinstance(o, Literal) else str(o)
    return "/explain/impact?" + urlencode({"s": str(s), "p": str(p), "o": value})


def impact_page_url(iri: Node, types: list[Node]) -> str | None:
    """The /explain/impact link of a page: a sentence's (the facts drawn from it), or None."""
    if any(str(t).endswith("ontology#Sentence") for t in types):
        return "/explain/impact?" + urlencode({"sentence": str(iri)})
    return None


def axiom_url(iri: Node) -> str:
    """The /explain/impact link of an ontology term (its axioms)."""
    return "/explain/impact?" + urlencode({"axiom": str(iri)})


bp.record_once(
    lambda state: state.app.jinja_env.globals.update(
        impact_url=impact_url, impact_page_url=impact_page_url, axiom_url=axiom_url
    )
)


def _single(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise Problem(400, f"parameter {name} is given {len(values)} times")
    return values[0] if values and values[0] else None


def _compute(answers: bool) -> impact.Impact:
    sentence, axiom = _single("sentence"), _single("axiom")
    forms = [name for name in ("s", "sentence", "axiom") if _single(name) is not None]
    if len(forms) != 1:
        given = ", ".join(forms) or "none"
        raise Problem(
            400, f"parameters: give exactly one of s, sentence, axiom (given: {given}): {_FORMS}"
        )
    store = get_store()
    if sentence is not None:
        for name in ("p", "o", "g"):
            if _single(name) is not None:
                raise Problem(400, f"parameter {name} does not go with sentence")
        return impact.of_sentence(
            store, _iri("sentence", sentence), base=rendering.base(), answers=answers
        )
    if axiom is not None:
        if _single("g") is not None:
            raise Problem(
                400, "parameter g does not go with axiom (axioms are in the ontology graph)"
            )
        p, o = _single("p"), _single("o")
        return impact.of_axiom(
            store,
            _iri("axiom", axiom),
            predicate=None if p is None else _iri("p", p),
            obj=None if o is None else _object(o),
            base=rendering.base(),
            answers=answers,
        )
    triple = (_iri("s", _parameter("s")), _iri("p", _parameter("p")), _object(_parameter("o")))
    g = _single("g")
    return impact.of_triple(
        store,
        triple,
        graph=None if g is None else _iri("g", g),
        base=rendering.base(),
        answers=answers,
    )


@bp.get("/explain/impact")
def what_depends() -> Response:
    """What would change if this were retracted."""
    answers = (_single("answers") or "1").lower()
    if answers not in ("0", "1", "true", "false"):
        raise Problem(400, f"parameter answers: use 1 or 0, not {answers!r}")
    offered = [negotiate.HTML, JSON]
    choice = rendering.preferred_group(offered)
    if choice is None:
        raise Problem(
            406,
            "no representation of an impact is acceptable; offered: text/html, application/json",
        )
    try:
        found = _compute(answers in ("1", "true"))
    except NotInDataset as error:
        raise Problem(404, str(error)) from None
    except impact.NotAsserted as error:
        raise Problem(422, str(error)) from None
    except NotExplainable as error:
        raise Problem(501, f"cannot compute the impact: {error}") from None
    if choice == 1:
        body = json.dumps(impact.as_json(found), ensure_ascii=False)
        response = Response(body, content_type="application/json")
    else:
        html = render_template(
            "impact.html",
            i=found,
            r=found.retraction,
            ordered=impact.ordered,
            why_url=why_url,
            subject=URIRef(found.target["subject"]) if found.kind == "axiom" else None,
            title="What depends on this?",
        )
        response = Response(html, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response
