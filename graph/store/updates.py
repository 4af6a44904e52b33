"""SPARQL Update and Graph Store writes applied to an rdflib Dataset, with cajkg's dataset rules.

The embedded stores run every write here, against an `Overlay` dataset: rdflib's update
operations, except that Modify and LOAD run in this module so that the store's default graph,
USING and the protocol's using-graph-uri follow cajkg's rules, and no IRI is dereferenced unless
an operator allow-listed it. rdflib's own FROM, USING and LOAD code (which fetches while
SPARQL_LOAD_GRAPHS is on, its default) is never reached, so no process-wide flag needs flipping.
A write is one journal entry (a dict), so that replaying the journal runs the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql import update as rdflib_update
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.evalutils import _fillTemplate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import QueryContext, Update

from cajkg.graph import formats

from . import operations
from .base import ForbiddenOperation, StoreError

Source = Callable[[Dataset, URIRef], Graph]
Parser = Callable[[str, "str | None"], Update]

NT = formats.named("ntriples")
_SIMPLE_UPDATES = {
    "InsertData": rdflib_update.evalInsertData,
    "DeleteData": rdflib_update.evalDeleteData,
    "DeleteWhere": rdflib_update.evalDeleteWhere,
    "Clear": rdflib_update.evalClear,
    "Drop": rdflib_update.evalDrop,
    "Add": rdflib_update.evalAdd,
    "Move": rdflib_update.evalMove,
    "Copy": rdflib_update.evalCopy,
}


def context(dataset: Dataset, name: URIRef | None) -> Graph:
    """A graph of the dataset without registering it."""
    return dataset.get_context(DATASET_DEFAULT_GRAPH_ID if name is None else name)


def fetch(iri: URIRef) -> Graph:
    """Dereference an allow-listed IRI."""
    graph = Graph()
    try:
        graph.parse(str(iri))
    except Exception as error:
        raise StoreError(f"could not fetch {iri.n3()}: {error}") from error
    return graph


def graph_source(dataset: Dataset, iri: URIRef, fetchable: Sequence[str]) -> Graph:
    """A USING graph: one of the dataset, or an IRI the operator allow-listed, fetched; any
    other is refused."""
    graph = context(dataset, iri)
    if len(graph):
        return graph
    if operations.allowed(iri, fetchable):
        return fetch(iri)
    raise operations.not_a_graph(iri)


def apply_entry(dataset: Dataset, entry: dict[str, Any], parse: Parser, source: Source) -> None:
    """Apply one write (an update, or a Graph Store PUT, POST or DELETE) to `dataset`."""
    op = entry["op"]
    name = URIRef(entry["graph"]) if entry.get("graph") else None
    if op == "update":
        run_update(
            dataset,
            parse(entry["text"], entry.get("base")),
            [URIRef(g) for g in entry.get("using", ())],
            [URIRef(g) for g in entry.get("using_named", ())],
            source,
        )
    elif op in ("put", "post"):
        target = dataset.graph(name or DATASET_DEFAULT_GRAPH_ID)
        if op == "put":
            target.remove((None, None, None))
        data = formats.parse_graph(entry["nt"], NT)
        target.addN((s, p, o, target) for s, p, o in data)
    elif op == "delete":
        context(dataset, name).remove((None, None, None))
    else:
        raise StoreError(f"unknown journal operation {op!r}")


def select_graphs(
    dataset: Dataset, defaults: Sequence[URIRef], named: Sequence[URIRef], source: Source
) -> Dataset:
    """A dataset of chosen graphs: the merge of `defaults` as default graph, `named` by name."""
    chosen = Dataset(default_union=False)
    for iri in defaults:
        target = chosen.default_graph
        target.addN((s, p, o, target) for s, p, o in source(dataset, iri))
    for iri in named:
        target = chosen.graph(iri)
        target.addN((s, p, o, target) for s, p, o in source(dataset, iri))
    return chosen


def run_update(
    dataset: Dataset,
    update: Update,
    using: Sequence[URIRef],
    using_named: Sequence[URIRef],
    source: Source,
) -> None:
    """rdflib's update loop, with the store's default graph and dataset rules."""
    for op in update.algebra:
        ctx = QueryContext(dataset, initBindings={})
        ctx.prologue = op.prologue
        try:
            if op.name == "Modify":
                _modify(ctx, dataset, op, using, using_named, source)
            elif op.name == "Load":
                target = dataset.graph(op.graphiri or DATASET_DEFAULT_GRAPH_ID)
                target.addN((s, p, o, target) for s, p, o in fetch(op.iri))
            elif op.name == "Create":
                if len(context(dataset, op.graphiri)):
                    raise ForbiddenOperation(f"graph {op.graphiri.n3()} already exists")
            else:
                _SIMPLE_UPDATES[op.name](ctx.pushGraph(dataset.default_graph), op)
        except ForbiddenOperation:
            if not op.silent:
                raise
        except Exception as error:
            if not op.silent:
                raise StoreError(f"{op.name} failed: {error}") from error


def _modify(
    ctx: QueryContext,
    dataset: Dataset,
    op: CompValue,
    using: Sequence[URIRef],
    using_named: Sequence[URIRef],
    source: Source,
) -> None:
    """DELETE/INSERT ... WHERE: all deletions, then all insertions (SPARQL 1.1 Update 3.1.3)."""
    clauses = op.using or []
    defaults = [c.default for c in clauses if c.default is not None] or list(using)
    named = [c.named for c in clauses if c.named is not None] or list(using_named)
    if defaults or named:
        chosen = select_graphs(dataset, defaults, named, source)
        where = QueryContext(chosen, initBindings={})
        where.graph = chosen
        where.prologue = ctx.prologue
    elif op.withClause:
        where = ctx.pushGraph(context(dataset, op.withClause))
    else:
        where = ctx
        where.graph = dataset
    solutions = list(evalPart(where, op.where))
    target = context(dataset, op.withClause) if op.withClause else dataset.default_graph
    for template, remove in ((op.delete, True), (op.insert, False)):
        if not template:
            continue
        for solution in solutions:
            _apply_template(dataset, target, template, solution, remove)


def _apply_template(
    dataset: Dataset, target: Graph, template: CompValue, solution: Any, remove: bool
) -> None:
    for name, filled in filled_template(template, solution, target.identifier):
        graph = dataset.graph(name) if name != target.identifier else target
        if remove:
            for triple in filled:
                graph.remove(triple)
        else:
            graph.addN((s, p, o, graph) for s, p, o in filled)


def filled_template(
    template: CompValue, solution: Any, target: Any
) -> Iterator[tuple[Any, list[tuple[Any, Any, Any]]]]:
    """A DELETE or INSERT template filled with one solution, per graph: `target` for its
    triples, then each GRAPH block whose name is an IRI. Each block gets fresh blank nodes, and
    a triple with an unbound variable is left out (rdflib's `_fillTemplate`)."""
    yield target, list(_fillTemplate(template.triples or [], solution))
    for name, quads in (template.quads or {}).items():
        bound = solution.get(name)
        if isinstance(bound, URIRef):
            yield bound, list(_fillTemplate(quads, solution))
