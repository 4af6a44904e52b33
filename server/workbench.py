"""The query workbench: an editor with the named queries as examples; it runs them through
/sparql from a small script (static/workbench.js) and shows the results as a linked table."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import Blueprint, render_template, request

from cajkg.graph import queries as competency
from cajkg.graph.iris import DEFAULT_BASE

from . import rendering
from .describe import query_text

bp = Blueprint("workbench", __name__)
bp.record_once(rendering.install)


@dataclass(frozen=True)
class WorkbenchQuery:
    """A query from queries/*.rq as the workbench shows it: the header's first line is its
    question, the rest a note."""

    name: str
    question: str
    note: str
    text: str


def named_queries() -> list[WorkbenchQuery]:
    """Every packaged named query, by file name, rewritten to this server's base."""
    base = rendering.base().iri
    found = []
    for query in competency.load_all():
        text = query.text.replace(DEFAULT_BASE, base)
        header = competency.header_lines(text) or [query.name]
        found.append(WorkbenchQuery(query.name, header[0], " ".join(header[1:]), text))
    return found


@bp.route("/query")
def query() -> str:
    """The workbench; ?name= preselects a named query, ?query= fills the editor."""
    queries = named_queries()
    chosen = next((q for q in queries if q.name == request.args.get("name")), None)
    example = query_text("workbench-example", rendering.base())
    text = request.args.get("query") or (chosen.text if chosen else example)
    return render_template(
        "workbench.html",
        title="Query workbench",
        queries=queries,
        chosen=chosen,
        text=text,
        base_iri=rendering.base().iri,
        prefixes=rendering.prefixes(),
        queries_data=[asdict(q) for q in queries],
        infer=request.args.get("infer", "true") != "false",
    )
