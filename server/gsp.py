"""The SPARQL 1.1 Graph Store HTTP Protocol at /store (?graph=IRI or ?default).

GET/HEAD return the graph by negotiation (404 if it does not exist); PUT replaces it, POST
adds to it (201 when the graph is new, else 204); DELETE drops it (204, or 404). Writes need
the bearer token (auth.require_writer); bodies in any RDF format of the registry, else 415.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from rdflib import Graph, URIRef

from cajkg.graph import formats

from . import auth, negotiate
from .config import get_store, setting
from .errors import Problem, no_content
from .protocol import iri

bp = Blueprint("gsp", __name__)


def _target() -> URIRef | None:
    """The graph named by ?graph=, or None for ?default; exactly one of them."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if default == bool(graphs) or len(graphs) > 1:
        raise Problem(400, "name exactly one graph: ?graph=<IRI> or ?default")
    if default:
        return None
    return iri(graphs[0], "graph")


def _body(name: URIRef | None) -> Graph:
    fmt = formats.by_media_type(request.mimetype, formats.GRAPH) if request.mimetype else None
    if fmt is None:
        accepted = ", ".join(f.media_type for f in formats.for_kind(formats.GRAPH))
        raise Problem(
            415,
            f"Content-Type {request.mimetype or '(none)'} is not an RDF format "
            f"this store reads; use one of: {accepted}",
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, f"charset={charset} is not supported; send UTF-8")
    data = request.get_data()
    try:
        return formats.parse_graph(data, fmt, base=str(name or setting("CAJKG_BASE")))
    except Exception as error:
        raise Problem(400, f"the {fmt.label} body does not parse: {error}") from error


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    """One graph of the store, read or written as a whole."""
    name = _target()
    store = get_store()
    if request.method in ("GET", "HEAD"):
        graph = store.graph(name)
        if graph is None:
            raise Problem(404, f"no graph {name} in this store")
        fmt, media_type = negotiate.for_kind(formats.GRAPH, request.args.getlist("format"))
        response = Response(
            formats.serialize_graph(graph, fmt), content_type=f"{media_type}; charset=utf-8"
        )
        response.vary.add("Accept")
        return response
    auth.require_writer()
    if request.method == "DELETE":
        if not store.drop_graph(name):
            raise Problem(404, f"no graph {name} in this store")
        return no_content()
    data = _body(name)
    write = store.replace_graph if request.method == "PUT" else store.add_to_graph
    return no_content(201 if write(name, data) else 204)
