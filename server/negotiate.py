"""Content negotiation: the only module that reads Accept (and the format= parameter).

Rules (RFC 9110 §12.5.1): each media type takes the q of the most specific range that
matches it (exact type, then type/*, then */*); q=0 excludes it even when a wildcard would
allow it; a range asking for a charset other than UTF-8 matches nothing; unparsable ranges
are ignored. Among acceptable types the highest q wins, then the more specific match, then
the client's order, then ours. No Accept header (or an empty one) means our default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import request

from cajkg.graph import formats
from cajkg.graph.formats import Format

from .errors import Problem


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    q: float
    position: int

    def specificity(self, media_type: str) -> int:
        """How closely this range names media_type: 2 exact, 1 type/*, 0 */*, -1 no match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The usable ranges of an Accept header, in the client's order."""
    ranges = []
    for position, item in enumerate(header.split(",")):
        name, *params = (part.strip() for part in item.split(";"))
        main, slash, sub = name.lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        usable = True
        for param in params:
            key, _, value = (x.strip().lower() for x in param.partition("="))
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    usable = False
                usable = usable and 0.0 <= q <= 1.0
            elif key == "charset":
                usable = usable and value.strip('"') in ("utf-8", "utf8")
        if usable:
            ranges.append(MediaRange(main, sub, q, position))
    return ranges


def _closest(ranges: Sequence[MediaRange], aliases: Sequence[str]) -> tuple[int, MediaRange, str]:
    """The most specific (range, alias) match of one format's media types; specificity -1: none."""
    found: tuple[int, MediaRange, str] = (-1, MediaRange("", "", 0.0, 0), aliases[0])
    for alias in aliases:
        for r in ranges:
            s = r.specificity(alias)
            if (s, r.q, -r.position) > (found[0], found[1].q, -found[1].position):
                found = (s, r, alias)
    return found


def choose_media_type(
    accept: str | None, offered: Sequence[Sequence[str]]
) -> tuple[int, str] | None:
    """The best of `offered` (groups of aliases, our order of preference), or None.

    Returns the index of the group and the media type to label the response with.
    """
    ranges = parse_accept(accept or "")
    if not ranges:
        return (0, offered[0][0]) if offered else None
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for ours, aliases in enumerate(offered):
        specificity, match, label = _closest(ranges, aliases)
        if specificity < 0 or match.q <= 0:
            continue
        key = (match.q, specificity, -match.position, -ours)
        if best is None or key > best:
            best, chosen = key, (ours, label)
    return chosen


def choose_format(
    accept: str | None, candidates: Sequence[Format], what: str
) -> tuple[Format, str]:
    """The best format among candidates and its label, or 406 naming acceptable media types."""
    found = choose_media_type(accept, [f.media_types for f in candidates])
    if found is None:
        names = ", ".join(f.media_type for f in candidates)
        raise Problem(406, f"none of the formats in Accept can carry {what}; acceptable: {names}")
    return candidates[found[0]], found[1]


def for_kind(kind: str, format_names: Sequence[str] = ()) -> tuple[Format, str]:
    """The format for a result of this kind: ?format= first (by name or media type), else Accept.

    Several format= values may come (SPARQLWrapper sends a name and a media type); the first
    that can carry the result wins.
    """
    candidates = formats.for_kind(kind)
    what = f"a {kind} result"
    if format_names:
        for name in format_names:
            fmt = formats.by_name(name, kind)
            if fmt is not None:
                return fmt, fmt.media_type
        names = ", ".join(f.name for f in candidates)
        raise Problem(406, f"format={format_names[0]} cannot carry {what}; use one of: {names}")
    return choose_format(request.headers.get("Accept"), candidates, what)


def accept_media_type(offered: Sequence[str]) -> str | None:
    """The best of `offered` (single media types) for the current request's Accept, or None."""
    found = choose_media_type(request.headers.get("Accept"), [(m,) for m in offered])
    return None if found is None else found[1]


HTML = ("text/html", "application/xhtml+xml")


def for_kind_or_html(kind: str, format_names: Sequence[str] = ()) -> tuple[Format, str] | None:
    """Like for_kind, but None when the client (a browser) prefers HTML to every format."""
    if format_names:
        return None if "html" in format_names else for_kind(kind, format_names)
    candidates = formats.for_kind(kind)
    found = choose_media_type(
        request.headers.get("Accept"), [f.media_types for f in candidates] + [HTML]
    )
    if found is None:
        return for_kind(kind)
    if found[0] == len(candidates):
        return None
    return candidates[found[0]], found[1]
