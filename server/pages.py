"""Linked-data pages: the path /X stands for the IRI BASE + X.

Cool URIs, the 303 way: the IRI of a thing answers 303 See Other, by content negotiation, to one
of its documents; the documents have suffixes (.html, .ttl, .jsonld, .rdf, .nt) so that people
who cannot set headers can ask for them, and each carries `Link: rel="alternate"` to the others.
An IRI the graph does not know gets a 404 page that suggests IRIs it does know.
"""

from __future__ import annotations

import difflib
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request
from rdflib import Graph, URIRef
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from cajkg.graph import formats
from cajkg.graph.iris import PREFIXES

from . import negotiate, rendering
from .config import get_store
from .describe import describe_resource, is_known, rows, run, safe_iri
from .errors import Problem

bp = Blueprint("pages", __name__)
bp.record_once(rendering.install)

HTML_SUFFIX = "html"
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def _known(path: str) -> URIRef | None:
    """The IRI of `path` if the graph knows it."""
    base = rendering.base()
    iri = safe_iri(base.iri + path)
    return iri if iri is not None and is_known(get_store(), iri, base) else None


def offered() -> list[tuple[str, ...]]:
    """Media types of a resource's documents, HTML first (the default for */*)."""
    return [negotiate.HTML, *(f.media_types for f in rendering.document_formats())]


def suffixes() -> list[str]:
    """The suffixes of a resource's documents, in the order of `offered`."""
    return [HTML_SUFFIX, *(f.extension for f in rendering.document_formats())]


def see_other(path: str) -> Response:
    """303 to the document of `path` that the Accept header prefers (406 if none)."""
    choices = suffixes()
    found = rendering.preferred_group(offered())
    if found is None:
        names = ", ".join(group[0] for group in offered())
        raise Problem(
            406,
            f"no representation of this resource is acceptable; offered: {names}",
            {"Vary": "Accept"},
        )
    response = redirect(f"/{quote(path, safe=_SAFE_PATH)}.{choices[found]}", code=303)
    response.vary.add("Accept")
    return response


def rdf_response(graph: Graph, fmt: formats.Format, stem: str | None) -> Response:
    """An RDF document with the prefixes bound and the alternates of `stem` linked."""
    for prefix, namespace in rendering.COMMON_PREFIXES.items():
        graph.bind(prefix, namespace)
    base = rendering.base()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, base.rebase(URIRef(namespace)))
    response = Response(formats.serialize_graph(graph, fmt), content_type=fmt.content_type)
    if stem is not None:
        _link(response, stem)
    return response


def _link(response: Response, stem: str) -> None:
    links = [a.header() for a in rendering.alternates(stem)]
    links.append(f'<{stem}.{HTML_SUFFIX}>; rel="alternate"; type="text/html"')
    response.headers["Link"] = ", ".join(links)


def _document(iri: URIRef, stem: str, suffix: str) -> Response:
    store, base = get_store(), rendering.base()
    if suffix == HTML_SUFFIX:
        description = describe_resource(store, iri, base)
        html = render_template(
            "resource.html",
            d=description,
            alternates=rendering.alternates(stem),
            title=description.label(iri) or rendering.curie(iri),
        )
        response = Response(html, content_type="text/html; charset=utf-8")
        _link(response, stem)
        return response
    fmt = formats.by_extension(suffix)
    assert fmt is not None
    graph = run(store, "resource-description", base, this=iri).graph
    assert graph is not None
    return rdf_response(graph, fmt, stem)


def close_iris(path: str, known: list[str]) -> list[URIRef]:
    """Known IRIs whose last segment resembles the one asked for (same folder first)."""
    base = rendering.base().iri
    folder, _, name = path.lower().rpartition("/")
    by_name: dict[str, list[str]] = {}
    for iri in known:
        local = iri[len(base) :]
        other_folder, _, other_name = local.lower().rpartition("/")
        by_name.setdefault(other_name, []).append(iri)
        if other_folder == folder:
            by_name[other_name].insert(0, by_name[other_name].pop())
    close = difflib.get_close_matches(name, list(by_name), n=8, cutoff=0.5)
    return [URIRef(iri) for key in close for iri in by_name[key]][:8]


def not_found(path: str) -> Response:
    """404: a page naming the IRI and suggesting close ones (plain text for machines)."""
    base = rendering.base()
    iri = base.iri + path
    if negotiate.accept_media_type(["text/html", "text/plain"]) != "text/html":
        raise Problem(404, f"<{iri}> is not in this knowledge graph")
    suggestions = close_iris(
        path, [str(r["x"]) for r in rows(run(get_store(), "local-subjects", base))]
    )
    html = render_template("not_found.html", title="Not found", iri=iri, suggestions=suggestions)
    return Response(html, status=404, content_type="text/html; charset=utf-8")


def _refuse_other_routes(path: str) -> None:
    """Raise 405 with Allow when a route other than this catch-all owns the path."""
    adapter = current_app.url_map.bind("localhost")
    allowed = set()
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        try:
            endpoint, _ = adapter.match("/" + path, method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            allowed.add(method)
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed | {"OPTIONS"}))


@bp.route("/<path:path>")
def resource(path: str) -> Response:
    """An IRI (303 to a document), a document (IRI plus suffix), or 404.

    A path that another route serves for other methods (GET /update) is a 405, not a 404.
    """
    _refuse_other_routes(path)
    if _known(path) is not None:
        return see_other(path)
    stem, dot, suffix = path.rpartition(".")
    iri = _known(stem) if dot and stem and suffix in suffixes() else None
    if iri is not None:
        return _document(iri, "/" + quote(stem, safe=_SAFE_PATH), suffix)
    return not_found(path)
