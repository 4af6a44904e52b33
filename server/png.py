"""PNG copies of the SVG pictures, for places that take no SVG (slides, mail, some wikis and
chat tools): the same SVG text, rasterized by CairoSVG (PyPI `cairosvg`, over the Debian
library libcairo2) at twice its size. The renderer fetches nothing: with `unsafe=False`
CairoSVG parses no XML entities and resolves no URL but a data: URL (the pictures use none), so
a PNG never reaches the network or the disk."""

from __future__ import annotations

from flask import Response

from .errors import Problem

PNG = "image/png"
SCALE = 2.0  # pixels per SVG unit: sharp on high-density screens, a few hundred kB at most


def png_response(svg: str) -> Response:
    """The SVG text as a PNG response; 501 with the reason when the renderer is missing."""
    try:
        import cairosvg  # type: ignore[import-untyped]
    except (ImportError, OSError) as error:  # cairocffi raises OSError without libcairo2
        raise Problem(
            501, f"PNG needs cairosvg and the Debian package libcairo2: {error}"
        ) from None
    data = cairosvg.svg2png(
        bytestring=svg.encode("utf-8"), scale=SCALE, unsafe=False, background_color="#ffffff"
    )
    return Response(data, content_type=PNG)
