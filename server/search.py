"""Search: GET /search?q=… answers JSON to programs and the results page to browsers.

The index (cajkg.graph.search) is built from the app's store on the first search (lazily, so
start-up does not wait for it). It then listens to the store (`store.listeners`, see
graph/store/base.py): every write the store applies notes its subjects before the write is
acknowledged, and the next search re-reads only their names and sentences and patches the index,
so a write is searchable as soon as it is acknowledged. A store without listeners falls back to
a rebuild on the first search after a successful write request (a non-GET answered 201 or 204).
Writes made behind the server's back (another process on a remote store) are seen after a
restart.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from rdflib import URIRef

from cajkg.graph import search, search_sparql
from cajkg.graph.iris import Base
from cajkg.graph.store.base import Store

from . import negotiate, rendering
from .describe import rows
from .errors import Problem

log = logging.getLogger(__name__)
bp = Blueprint("search", __name__)
bp.record_once(rendering.install)

EXTENSION = "cajkg.search"
SEARCH_SECONDS = 2.0  # a search that runs longer is stopped (503)
JSON = "application/json"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_LANG = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*")


def live_index(app: Flask) -> search.LiveIndex:
    """The app's search index (created on first use)."""
    index = app.extensions.get(EXTENSION)
    if index is None:
        store: Store = app.extensions["cajkg.store"]
        base = Base(app.config["CAJKG_BASE"])

        def select(text: str) -> Any:
            return rows(store.query(store.prepare(text), infer=True))

        listeners = getattr(store, "listeners", None)
        index = search.LiveIndex(
            lambda: search.documents(select, base),
            None if listeners is None else lambda iris: search.documents(select, base, iris),
        )
        if listeners is not None:
            listeners.append(index.changed)
        app.extensions[EXTENSION] = index
    return index


def warm(app: Flask) -> threading.Thread:
    """Build the index in the background from the start (`cajkg serve` does this): start-up
    does not wait for it, and at a million triples, where reading the names takes tens of
    seconds, the first search need not either (it waits for this build rather than starting
    another). It waits for the store's warm-up (a query worker loaded, the reasoner seeded or
    resumed): the build and the seeding are both Python in this process, and run one after the
    other they each take their own time, where side by side both took the sum (at a million
    triples the index took 11 s and the seeding 35 s instead of 24: readiness, which writes
    wait for, came that much later)."""
    index = live_index(app)
    store: Store = app.extensions["cajkg.store"]

    def build() -> None:
        while not store.ready():
            time.sleep(0.1)
        started = time.perf_counter()
        try:
            index.current()
            log.info("built the search index in %.1f s", time.perf_counter() - started)
        except Exception:
            log.exception("building the search index failed; the first search tries again")

    thread = threading.Thread(target=build, name="cajkg-search-warm", daemon=True)
    thread.start()
    return thread


def text_namespace() -> str:
    """The namespace of the `text:query` property function on this deployment."""
    return str(Base(current_app.config["CAJKG_BASE"]).rebase(URIRef(search_sparql.NAMESPACE)))


def expand_text_query(text: str, base: str | None = None) -> str:
    """A SPARQL query with its `text:query` patterns replaced by the hits of the search (see
    cajkg.graph.search_sparql); any other query unchanged, at the cost of one substring test."""
    namespace = text_namespace()
    if namespace not in text:
        return text
    index = live_index(current_app).current()
    deadline = time.monotonic() + SEARCH_SECONDS

    def searcher(words: str, lang: str, hits: int) -> list[search.Hit]:
        try:
            found = index.search(words, limit=search.MAX_LIMIT, lang=lang, deadline=deadline)
            return found.hits[:hits]
        except search.SearchTimeout as error:
            raise Problem(503, str(error)) from error

    return search_sparql.rewrite(text, searcher, base, namespace)


def _setup(state: BlueprintSetupState) -> None:
    state.app.after_request(_after_write)


bp.record_once(_setup)


def _after_write(response: Response) -> Response:
    """For a store that tells no listeners: mark the index stale after a write succeeded,
    before the client hears of it."""
    if request.method not in _READS and response.status_code in (201, 204):
        index = current_app.extensions.get(EXTENSION)
        store = current_app.extensions["cajkg.store"]
        if index is not None and getattr(store, "listeners", None) is None:
            index.invalidate()
    return response


def _limit() -> int:
    text = request.args.get("limit", "10")
    try:
        value = int(text)
    except ValueError:
        raise Problem(400, f"limit={text!r} is not a whole number") from None
    if not 1 <= value <= search.MAX_LIMIT:
        raise Problem(400, f"limit must be between 1 and {search.MAX_LIMIT}")
    return value


def _lang() -> str:
    lang = request.args.get("lang", "").lower()
    if lang and not _LANG.fullmatch(lang):
        raise Problem(400, f"lang={lang!r} is not a language tag such as de or en")
    return lang


def run_search(query: str, limit: int, lang: str = "") -> tuple[search.Results, float]:
    """The results of a search and the milliseconds it took (bad input: Problem 400)."""
    started = time.perf_counter()
    index = live_index(current_app).current()
    deadline = time.monotonic() + SEARCH_SECONDS
    try:
        results = index.search(query, limit=limit, lang=lang, deadline=deadline)
    except search.SearchError as error:
        raise Problem(400, f"cannot search for this: {error}") from error
    except search.SearchTimeout as error:
        raise Problem(503, str(error)) from error
    return results, (time.perf_counter() - started) * 1000


def as_json(results: search.Results, millis: float) -> dict[str, Any]:
    """The JSON answer: the hits by kind (best kind first) with links and highlight offsets,
    and the index's size and the seconds its last full build took."""
    index = live_index(current_app)
    return {
        "query": results.query,
        "words": results.words,
        "corrections": results.corrections,
        "total": results.total,
        "milliseconds": round(millis, 2),
        "index": {
            "documents": results.indexed,
            "build_seconds": round(index.build_seconds, 3),
        },
        "groups": [
            {
                "kind": kind,
                "hits": [
                    {**hit.as_json(), "href": rendering.href(URIRef(hit.iri))} for hit in hits
                ],
            }
            for kind, hits in results.groups()
        ],
    }


def _wants_json() -> bool:
    chosen = request.args.get("format")
    if chosen:
        if chosen not in ("json", "html"):
            raise Problem(400, f"format={chosen!r}: use json or html")
        return chosen == "json"
    return negotiate.accept_media_type([JSON, "text/html"]) != "text/html"


@bp.route("/search")
def search_page() -> Response:
    """Search names and sentences; ?q= the words, ?limit= hits per kind (1 to 50), ?lang= only
    texts in that language."""
    query = request.args.get("q", "")
    limit, lang = _limit(), _lang()
    if _wants_json():
        if not query.strip():
            raise Problem(400, "give the words to search for as ?q=")
        results, millis = run_search(query, limit, lang)
        response = jsonify(as_json(results, millis))
    else:
        results, millis, error = None, 0.0, None
        if query.strip():
            try:
                results, millis = run_search(query, limit, lang)
            except Problem as problem:
                if problem.status != 400:
                    raise
                error = problem.message
        html = render_template(
            "search.html",
            title=f"Search: {query}" if query else "Search",
            query=query,
            results=results,
            error=error,
            millis=millis,
            snippet=snippet,
            link=lambda iri: rendering.href(URIRef(iri)),
            text_namespace=text_namespace(),
        )
        response = Response(
            html, status=400 if error else 200, content_type="text/html; charset=utf-8"
        )
    response.vary.add("Accept")
    return response


def snippet(hit: search.Hit, width: int = 220) -> list[tuple[str, bool]]:
    """The hit's text as (piece, highlighted) parts, cut to a window around the first match."""
    text, spans = hit.text, list(hit.spans)
    start = 0
    if len(text) > width and spans:
        start = max(0, min(spans[0][0] - 40, len(text) - width))
    end = min(len(text), start + width)
    parts: list[tuple[str, bool]] = []
    if start:
        parts.append(("…", False))
    at = start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        if a > at:
            parts.append((text[at:a], False))
        parts.append((text[a:b], True))
        at = b
    if at < end:
        parts.append((text[at:end], False))
    if end < len(text):
        parts.append(("…", False))
    return parts
