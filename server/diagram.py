"""An entity's neighbourhood as a node-link diagram, laid out here and drawn as SVG.

Radial layout: the entity in the middle, its neighbours evenly on a circle whose radius grows
with their number, outgoing links first, then incoming, each group sorted by property, so that
links of one kind sit together. Literals are left out (the resource page lists them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template, request
from rdflib import URIRef

from . import rendering
from .config import get_store
from .describe import Description, Link, describe_resource, is_known, safe_iri
from .errors import Problem

bp = Blueprint("diagram", __name__)
bp.record_once(rendering.install)

MAX_NEIGHBOURS = 48
MAX_LABEL = 34
LABEL_ROOM = 270


def short(text: str) -> str:
    """A label cut to fit the drawing."""
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


@dataclass
class Neighbour:
    """A node on the circle: the IRI, its label, the properties that link it, and its place."""

    iri: URIRef
    label: str
    properties: list[str] = field(default_factory=list)
    incoming: bool = False
    inferred: bool = True
    x: float = 0.0
    y: float = 0.0
    anchor: str = "middle"
    label_x: float = 0.0
    label_y: float = 0.0
    edge_x: float = 0.0
    edge_y: float = 0.0
    edge_angle: float = 0.0


@dataclass
class Layout:
    """The drawing: canvas size, the centre and the placed neighbours."""

    width: float
    height: float
    cx: float
    cy: float
    radius: float
    centre: str
    neighbours: list[Neighbour]
    hidden: int


def neighbours(d: Description, infer: bool) -> list[Neighbour]:
    """The IRIs linked to the entity, one node each, outgoing first."""
    found: dict[tuple[bool, URIRef], Neighbour] = {}
    groups: list[tuple[bool, list[Link]]] = [(False, d.outgoing), (True, d.incoming)]
    for incoming, links in groups:
        for link in links:
            if not isinstance(link.other, URIRef) or link.other == d.iri:
                continue
            if link.inferred and not infer:
                continue
            node = found.setdefault(
                (incoming, link.other),
                Neighbour(
                    link.other,
                    short(d.label(link.other) or rendering.curie(link.other)),
                    incoming=incoming,
                ),
            )
            name = d.label(link.predicate) or rendering.curie(link.predicate)
            if name not in node.properties:
                node.properties.append(name)
            node.inferred = node.inferred and link.inferred
    return sorted(found.values(), key=lambda n: (n.incoming, n.properties, n.label.lower()))


def layout(centre: str, nodes: list[Neighbour]) -> Layout:
    """Place the nodes on a circle and their labels outside it."""
    shown, hidden = nodes[:MAX_NEIGHBOURS], max(0, len(nodes) - MAX_NEIGHBOURS)
    radius = max(150.0, len(shown) * 52 / (2 * math.pi))
    width, height = 2 * (radius + LABEL_ROOM), 2 * (radius + 70)
    cx, cy = width / 2, height / 2
    for i, node in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(shown))
        cos, sin = math.cos(angle), math.sin(angle)
        node.x, node.y = cx + radius * cos, cy + radius * sin
        node.label_x, node.label_y = cx + (radius + 14) * cos, cy + (radius + 14) * sin + 4
        node.anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        if node.anchor == "middle":
            node.label_y += 10 if sin > 0 else -8
        node.edge_x, node.edge_y = cx + radius * 0.66 * cos, cy + radius * 0.66 * sin - 3
        degrees = math.degrees(angle)
        node.edge_angle = degrees + 180 if cos < -1e-9 else degrees
    return Layout(width, height, cx, cy, radius, short(centre), shown, hidden)


def _subject() -> tuple[URIRef, Layout, bool]:
    iri = safe_iri(request.args.get("iri", ""))
    if iri is None or not is_known(get_store(), iri, rendering.base()):
        raise Problem(404, "give the IRI of a resource of this graph: /diagram?iri=...")
    infer = request.args.get("infer") == "true"
    d = describe_resource(get_store(), iri, rendering.base())
    return iri, layout(d.label(iri) or rendering.curie(iri), neighbours(d, infer)), infer


@bp.route("/diagram")
def diagram() -> str:
    """The diagram page: the drawing, and the same links as a list for screen readers."""
    iri, drawing, infer = _subject()
    return render_template(
        "diagram.html", title=f"Diagram: {drawing.centre}", iri=iri, layout=drawing, infer=infer
    )


@bp.route("/diagram.svg")
def diagram_svg() -> Response:
    """The drawing alone, as an SVG file."""
    _, drawing, _ = _subject()
    return Response(
        render_template("diagram-svg.html", layout=drawing),
        content_type="image/svg+xml; charset=utf-8",
    )
