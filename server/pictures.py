"""Pictures of the graph, drawn here as SVG from SPARQL queries (graph/sparql/timeline.rq,
chart-amounts.rq, chart-proposals.rq, map-states.rq, map-places.rq), so a write shows up in them
at once: the timeline of dated things, each marked stated or implied, bar charts of the sums and
counts the article names, each with the qualifier the text uses, and a map of the states and
places (country outlines from Natural Earth, see cajkg.graph.geoshapes). Every picture has a
text alternative (its <title> and <desc>, and the same facts as a list or table on its page);
nothing comes from a CDN or a tile server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import Blueprint, Response, render_template, request
from rdflib import URIRef
from rdflib.term import Node

from cajkg.graph import geoshapes

from . import rendering
from .config import get_store
from .describe import rows, run
from .errors import Problem
from .png import png_response

bp = Blueprint("pictures", __name__)
bp.record_once(rendering.install)

MONTHS = (
    "January February March April May June July August September October November December"
).split()
SVG = "image/svg+xml; charset=utf-8"


@dataclass
class Entry:
    """One thing on the timeline."""

    iri: URIRef
    label: str
    when: str  # as the graph states it: "20 December 2025", "May 2026", "before 2005"
    year: int | None
    implied: bool
    place: str | None = None
    sentence: URIRef | None = None
    y: float = 0.0


@dataclass
class Timeline:
    """The timeline's entries in order and the drawing's size."""

    entries: list[Entry]
    width: float = 760
    height: float = 0
    top: float = 56
    step: float = 74


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _iri(node: Node | None) -> URIRef | None:
    return node if isinstance(node, URIRef) else None


def _when(row: dict[str, Node]) -> tuple[str, int | None]:
    how = str(row["how"])
    if how == "undated":
        return "date not given", None
    year = int(row["year"])  # type: ignore[call-overload]
    if how == "before":
        return f"before {year} (more than {Decimal(str(row['ago'])):f} years earlier)", year
    words = str(year)
    if row.get("month") is not None:
        words = f"{MONTHS[int(row['month']) - 1]} {words}"  # type: ignore[call-overload]
        if row.get("day") is not None:
            words = f"{int(row['day'])} {words}"  # type: ignore[call-overload]
    return (f"until {words}" if how == "until" else words), year


def timeline() -> Timeline:
    """The dated things of the graph, earliest first, undated plans last."""
    found: dict[str, Entry] = {}
    for row in rows(run(get_store(), "timeline", rendering.base())):
        iri = str(row["thing"])
        if iri in found:
            continue
        when, year = _when(row)
        found[iri] = Entry(
            URIRef(iri),
            _text(row.get("label")) or rendering.curie(URIRef(iri)),
            when,
            year,
            str(row["implied"]) == "true",
            _text(row.get("place")),
            _iri(row.get("sentence")),
        )
    entries = sorted(found.values(), key=lambda e: (e.year is None, e.year or 0))
    drawing = Timeline(entries)
    for index, entry in enumerate(entries):
        entry.y = drawing.top + index * drawing.step
    drawing.height = drawing.top + max(1, len(entries)) * drawing.step
    return drawing


@dataclass
class Bar:
    """One bar: what it measures, its value, and the words that say how exact it is."""

    iri: URIRef
    label: str
    value: float
    shown: str  # the value in words, with the qualifier: "more than 19 billion"
    qualifier: str | None  # "approximately", "more than", "exactly", or None
    quote: str | None = None  # the article's own words ("über 19 Milliarden US-Dollar")
    sentence: URIRef | None = None
    width: float = 0.0
    y: float = 0.0


@dataclass
class Chart:
    """A horizontal bar chart and its layout."""

    name: str
    title: str
    unit: str
    bars: list[Bar] = field(default_factory=list)
    width: float = 880
    height: float = 0
    left: float = 300  # room for the labels
    room: float = 300  # the longest bar
    top: float = 40
    step: float = 46

    def lay_out(self) -> Chart:
        """Scale the bars to the largest value."""
        largest = max((b.value for b in self.bars), default=1.0) or 1.0
        for index, bar in enumerate(self.bars):
            bar.width = max(2.0, self.room * bar.value / largest)
            bar.y = self.top + index * self.step
        self.height = self.top + max(1, len(self.bars)) * self.step + 10
        return self


_SCALES = (
    (Decimal(10) ** 12, "trillion"),
    (Decimal(10) ** 9, "billion"),
    (Decimal(10) ** 6, "million"),
)


def in_words(value: Decimal) -> str:
    """A number as the article would say it, no more precise than given: 3 trillion, 8.5
    billion, 150."""
    for size, name in _SCALES:
        if abs(value) >= size:
            return f"{(value / size).normalize():f} {name}"
    return f"{value.normalize():f}"


def _currency(node: Node | None) -> str:
    return "" if node is None else str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def amount_charts() -> list[Chart]:
    """Sums by currency (never converted) and counts, each bar with its qualifier."""
    charts: dict[str, Chart] = {}
    seen: set[str] = set()
    for row in rows(run(get_store(), "chart-amounts", rendering.base())):
        iri = str(row["amount"])
        if iri in seen:
            continue
        seen.add(iri)
        value = Decimal(str(row["value"]))
        currency = _currency(row.get("currency"))
        kind = str(row["kind"])
        name = f"sums-{currency.lower()}" if kind == "money" else "counts"
        chart = charts.setdefault(
            name,
            Chart(name, f"Sums in {currency}", currency)
            if kind == "money"
            else Chart(name, "Documents signed", "documents"),
        )
        qualifier = _text(row.get("qualifierLabel"))
        shown = " ".join(x for x in (qualifier, in_words(value), currency) if x)
        of = row.get("of")
        label = _text(row.get("ofLabel")) or rendering.curie(of or URIRef(iri))
        if kind == "money" and of is not None and row.get("ofLabel") is not None:
            label = str(row["ofLabel"])
        chart.bars.append(
            Bar(
                URIRef(str(of or iri)),
                label,
                float(value),
                shown,
                qualifier,
                _text(row.get("quote")),
                _iri(row.get("sentence")),
            )
        )
    order = sorted(charts.values(), key=lambda c: (c.name == "counts", c.name))
    return [chart.lay_out() for chart in order]


def proposal_charts() -> list[Chart]:
    """Proposals per leader and per sector (counts of resources in the graph: exact)."""
    charts = {
        "leader": Chart("proposals-leader", "Proposals per leader", "proposals"),
        "sector": Chart("proposals-sector", "Proposals per sector", "proposals"),
    }
    for row in rows(run(get_store(), "chart-proposals", rendering.base())):
        count = int(row["proposals"])  # type: ignore[call-overload]
        iri = str(row["x"])
        label = _text(row.get("label")) or rendering.curie(URIRef(iri))
        noun = "proposal" if count == 1 else "proposals"
        charts[str(row["group"])].bars.append(
            Bar(URIRef(iri), label, float(count), f"{count} {noun}", None)
        )
    return [chart.lay_out() for chart in charts.values() if chart.bars]


def all_charts() -> list[Chart]:
    """Every chart, sums first."""
    return amount_charts() + proposal_charts()


@bp.route("/timeline")
def timeline_page() -> str:
    """The timeline, and the same entries as a list."""
    return render_template("timeline.html", title="Timeline", timeline=timeline())


@bp.route("/timeline.svg")
def timeline_svg() -> Response:
    """The timeline alone, as an SVG file."""
    return Response(render_template("timeline-svg.html", timeline=timeline()), content_type=SVG)


@bp.route("/timeline.png")
def timeline_png() -> Response:
    """The timeline as a PNG image (for places that take no SVG)."""
    return png_response(render_template("timeline-svg.html", timeline=timeline()))


@bp.route("/charts")
def charts_page() -> str:
    """The charts, each with its table."""
    return render_template("charts.html", title="Sums and counts", charts=all_charts())


def _chart_svg(name: str) -> str:
    chart = next((c for c in all_charts() if c.name == name), None)
    if chart is None:
        names = ", ".join(c.name for c in all_charts())
        raise Problem(404, f"no chart {name!r}; charts: {names}")
    return render_template("chart-svg.html", chart=chart)


@bp.route("/charts/<name>.svg")
def chart_svg(name: str) -> Response:
    """One chart alone, as an SVG file."""
    return Response(_chart_svg(name), content_type=SVG)


@bp.route("/charts/<name>.png")
def chart_png(name: str) -> Response:
    """One chart as a PNG image."""
    return png_response(_chart_svg(name))


@dataclass
class Place:
    """A place on the map (or listed beside it when the graph has no coordinates)."""

    iri: URIRef
    label: str
    kind: str
    within: str | None
    x: float | None = None
    y: float | None = None
    marked: bool = False


@dataclass
class Shape:
    """A country outline; the states of the graph are linked, shaded and counted."""

    country: geoshapes.Country
    iri: URIRef | None = None
    label: str | None = None
    statements: int = 0
    proposals: int = 0
    shade: int = 0  # 0 (none) to len(SHADES) - 1
    label_at: tuple[float, float] = (0.0, 0.0)  # where its name is written
    marked: bool = False


SHADES = ("#eef3f7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


@dataclass
class Map:
    """The map's shapes, places and scale."""

    shapes: list[Shape]
    places: list[Place]
    unplaced: list[Place]
    most: int
    marked: int = 0  # how many of the IRIs asked to be marked are on the map
    width: float = geoshapes.WIDTH
    height: float = geoshapes.HEIGHT
    source: str = geoshapes.SOURCE


def the_map(marks: frozenset[str] = frozenset()) -> Map:
    """The states shaded by the statements made on their behalf, and the named places; the
    states and places among `marks` (IRIs) are marked."""
    store, base = get_store(), rendering.base()
    states: dict[str, dict[str, Node]] = {}
    for row in rows(run(store, "map-states", base)):
        if row.get("label") is not None:
            states[str(row["label"])] = row
    most = max((int(r["statements"]) for r in states.values()), default=0)  # type: ignore[call-overload]
    shapes = []
    for country in geoshapes.countries():
        shape = Shape(country)
        state = states.get(country.name)
        if state is not None:
            shape.iri = URIRef(str(state["state"]))
            shape.label = country.name
            shape.statements = int(state["statements"])  # type: ignore[call-overload]
            shape.proposals = int(state["proposals"])  # type: ignore[call-overload]
            steps = len(SHADES) - 1
            shape.shade = 1 + round((steps - 1) * shape.statements / most) if most else 1
        shapes.append(shape)
    shapes.sort(key=lambda s: s.iri is not None)  # the states last, on top
    places: dict[str, Place] = {}
    for row in rows(run(store, "map-places", base)):
        iri = str(row["place"])
        if iri in places:
            continue  # the first row has the lowest rank: a capital is not shown as a city
        place = Place(
            URIRef(iri),
            _text(row.get("label")) or rendering.curie(URIRef(iri)),
            _text(row.get("kind")) or "place",
            _text(row.get("within")),
        )
        if row.get("lat") is not None and row.get("long") is not None:
            lon, lat = float(row["long"]), float(row["lat"])  # type: ignore[arg-type]
            if geoshapes.inside(lon, lat):
                place.x, place.y = geoshapes.project(lon, lat)
        places[iri] = place
    shown = [p for p in places.values() if p.x is not None]
    unplaced = [p for p in places.values() if p.x is None]
    for shape in shapes:
        if shape.iri is not None:
            shape.label_at = _clear_of(shape, shown)
            shape.marked = str(shape.iri) in marks
    for place in shown:
        place.marked = str(place.iri) in marks
    marked = sum(s.marked for s in shapes) + sum(p.marked for p in shown)
    return Map(shapes, shown, unplaced, most, marked)


def _clear_of(shape: Shape, places: list[Place]) -> tuple[float, float]:
    """Where the state's name goes: at its shape's inner point, moved down (then up) out of
    the way of the places' dots and names."""
    x, y = shape.country.label_at
    half = 3.8 * len(shape.label or "")

    def hits(top: float) -> bool:
        for p in places:
            assert p.x is not None and p.y is not None
            left, right = p.x - 6, p.x + 10 + 6.5 * len(p.label)
            if left < x + half and right > x - half and p.y - 11 < top + 3 and p.y + 6 > top - 12:
                return True
        return False

    for shift in (0, 16, -16, 30, -30):
        if not hits(y + shift):
            return x, y + shift
    return x, y


@bp.route("/map")
def map_page() -> str:
    """The map, and the same facts as lists."""
    return render_template("map.html", title="Map", map=the_map(), shades=SHADES)


MAX_MARKS = 100


def _map_svg() -> str:
    marks = request.args.getlist("mark")
    if len(marks) > MAX_MARKS:
        raise Problem(400, f"at most {MAX_MARKS} mark= parameters")
    drawing = the_map(frozenset(marks))
    return render_template("map-svg.html", map=drawing, shades=SHADES)


@bp.route("/map.svg")
def map_svg() -> Response:
    """The map alone, as an SVG file; ?mark=IRI (repeated, at most 100) marks those states and
    places (the workbench shows a query's results so)."""
    return Response(_map_svg(), content_type=SVG)


@bp.route("/map.png")
def map_png() -> Response:
    """The map as a PNG image; ?mark= as for /map.svg."""
    return png_response(_map_svg())
