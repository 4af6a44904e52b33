"""Home, the article with its facts, the downloads and the dataset description (VoID, DCAT).

Downloads are the dumps `cajkg build` wrote to the build directory (CAJKG_BUILD_DIR, or the
app setting of that name). Only files whose names the listing shows can be fetched, so no path
from the request ever reaches the file system.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, send_file
from rdflib import URIRef
from rdflib.term import Node

from cajkg.graph import formats
from cajkg.graph.export import DUMPS, dump_format
from cajkg.graph.iris import ARTICLE, G_INFERRED, G_INFERRED_SCHEMA, G_ONTOLOGY
from cajkg.graph.sources import default_sources

from . import negotiate, pages, rendering
from .config import get_store
from .describe import rows, run
from .dumps import wait as wait_for_dumps
from .errors import Problem
from .workbench import named_queries

bp = Blueprint("home", __name__)
bp.record_once(rendering.install)

VOID_FILE = "void.ttl"


@dataclass(frozen=True)
class Dump:
    """A file of the build directory offered for download."""

    name: str
    media_type: str
    size: int


def build_dir() -> Path:
    """Where `cajkg build` wrote its dumps."""
    configured = current_app.config.get("CAJKG_BUILD_DIR")
    return Path(configured or os.environ.get("CAJKG_BUILD_DIR", "build"))


def dumps() -> list[Dump]:
    """The dumps present in the build directory, in the order of the export table."""
    wait_for_dumps()
    folder = build_dir()
    found = []
    for name in (*(n for n, _ in DUMPS), VOID_FILE):
        path = folder / name
        if path.is_file():
            found.append(Dump(name, dump_format(name).media_type, path.stat().st_size))
    return found


def graph_sizes() -> dict[str, int]:
    """Triples in the asserted graphs, the two inferred graphs and the ontology graph."""
    base = rendering.base()
    sizes = {"asserted": 0, "inferred": 0, "inferred_schema": 0, "ontology": 0, "graphs": 0}
    for row in rows(run(get_store(), "graph-sizes", base)):
        count = int(row["triples"])  # type: ignore[call-overload]
        if row["g"] == base.rebase(G_INFERRED):
            sizes["inferred"] += count
        elif row["g"] == base.rebase(G_INFERRED_SCHEMA):
            sizes["inferred_schema"] += count
        elif row["g"] == base.rebase(G_ONTOLOGY):
            sizes["ontology"] += count
        else:
            sizes["asserted"] += count
            sizes["graphs"] += 1
    return sizes


@bp.route("/")
def index() -> str:
    """What the dataset is, how big it is, what to ask and what to download."""
    groups: dict[str, dict[Node, str]] = {}
    for row in rows(run(get_store(), "home-overview", rendering.base())):
        members = groups.setdefault(str(row["group"]), {})
        if row["x"] not in members or "label" in row:
            members[row["x"]] = str(row.get("label") or rendering.curie(row["x"]))
    return render_template(
        "home.html",
        title="Home",
        sizes=graph_sizes(),
        groups=groups,
        queries=named_queries(),
        dumps=dumps(),
        article=rendering.base().rebase(ARTICLE),
    )


@dataclass
class SentenceView:
    """A sentence of the article, its fact graphs, and its text split at entity mentions."""

    iri: URIRef
    position: int
    start: int
    text: str
    graphs: dict[URIRef, bool]
    mentions: list[tuple[int, int, URIRef]]
    paragraph_start: bool = False
    english: str | None = None

    @property
    def parts(self) -> list[tuple[str, URIRef | None]]:
        """Pieces of text, each with the entity it names (None for plain text)."""
        parts: list[tuple[str, URIRef | None]] = []
        at = 0
        for start, end, entity in sorted(self.mentions, key=lambda m: (m[0], m[0] - m[1])):
            begin, stop = start - self.start, end - self.start
            if begin < at or stop > len(self.text):
                continue
            if begin > at:
                parts.append((self.text[at:begin], None))
            parts.append((self.text[begin:stop], entity))
            at = stop
        if at < len(self.text):
            parts.append((self.text[at:], None))
        return parts


def sentences() -> list[SentenceView]:
    """The article's sentences with their graphs and mentions.

    Paragraph breaks are not in the graph; they are read from the article file the build used.
    """
    store, base = get_store(), rendering.base()
    article = default_sources().article.read_text(encoding="utf-8")
    found: dict[Node, SentenceView] = {}
    for row in rows(run(store, "article-sentences", base)):
        text, start = str(row["text"]), int(row["start"])  # type: ignore[call-overload]
        found[row["sentence"]] = SentenceView(
            row["sentence"],
            int(row["position"]),
            start,
            text,
            {},
            [],  # type: ignore[arg-type, call-overload]
            paragraph_start=start == 0 or article[start - 1 : start] == "\n",
            english=str(row["english"]) if "english" in row else None,
        )
    for row in rows(run(store, "article-provenance", base)):
        sentence = found.get(row["sentence"])
        if sentence is None:
            continue
        sentence.graphs[row["g"]] = str(row["kind"]).endswith("StatedFactGraph")  # type: ignore[index]
        if "entity" in row:
            mention = (int(row["start"]), int(row["end"]), row["entity"])  # type: ignore[call-overload]
            if mention not in sentence.mentions:
                sentence.mentions.append(mention)  # type: ignore[arg-type]
    return sorted(found.values(), key=lambda s: s.position)


@bp.route("/article")
def article() -> str:
    """The article, each sentence linked to its facts and each mention to its entity."""
    return render_template(
        "article.html",
        title="The article",
        sentences=sentences(),
        article=rendering.base().rebase(ARTICLE),
    )


@bp.route("/download/")
def downloads() -> str:
    """Every dump of the build, with its media type."""
    return render_template(
        "downloads.html", title="Downloads", dumps=dumps(), folder=str(build_dir())
    )


@bp.route("/download/<name>")
def download(name: str) -> Response:
    """One dump; names not in the listing are 404 whatever they contain."""
    listed = {d.name: d for d in dumps()}
    if name not in listed:
        raise Problem(404, f"no download called {name!r}; see /download/")
    response = send_file(
        (build_dir() / name).resolve(), mimetype=listed[name].media_type, conditional=True
    )
    response.headers["Content-Type"] = f"{listed[name].media_type}; charset=utf-8"
    return response


@bp.route("/.well-known/void")
def void() -> Response:
    """The VoID and DCAT description of the dataset, in the format the client asks for."""
    wait_for_dumps()
    path = build_dir() / VOID_FILE
    if not path.is_file():
        raise Problem(404, "no dataset description yet: run `cajkg build`")
    graph = formats.parse_graph(
        path.read_bytes(), formats.named("turtle"), base=path.absolute().as_uri()
    )
    offered = [f.media_types for f in rendering.document_formats()]
    found = rendering.preferred_group([offered[0], negotiate.HTML, *offered[1:]])
    if found is None:
        raise Problem(
            406,
            "the dataset description is offered as Turtle, HTML, JSON-LD, RDF/XML and N-Triples",
        )
    if found == 1:
        html = render_template(
            "triples.html",
            title="Dataset description (VoID, DCAT)",
            triples=sorted(graph),
            alternates=[],
        )
        response = Response(html, content_type=f"{negotiate.HTML[0]}; charset=utf-8")
    else:
        fmt = rendering.document_formats()[max(0, found - 1)]
        response = pages.rdf_response(graph, fmt, None)
    response.vary.add("Accept")
    return response


@bp.route("/dataset")
def dataset() -> Response:
    """The dataset IRI of the VoID description: see the description."""
    return redirect("/.well-known/void", code=303)
