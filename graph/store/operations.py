"""What every store checks before an operation reaches an engine.

The engines (pyoxigraph, or a remote server) would follow SERVICE and LOAD on their own, so
cajkg reads each operation first. A query's shape comes from its tokens (sparql_text: no rdflib
parse, no lock) and Oxigraph checks its syntax; an update is parsed with rdflib. SERVICE and
LOAD are refused unless allow-listed, the query form is known before evaluation (406 comes
first), and explicit writes to the graphs a store computes (the inferred graph, the merge of
the asserted graphs) are refused. The update text
builders serialize graphs through the format registry (N-Triples is valid inside INSERT DATA
and DELETE DATA).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Update
from rdflib.term import Identifier

from cajkg.graph import formats

from .base import ForbiddenOperation, QuerySyntaxError
from .parsing import parse_update, walk
from .sparql_text import read_query

_NT = formats.named("ntriples")


@dataclass(frozen=True)
class QueryPlan:
    """A checked query: its form and the graphs its FROM and FROM NAMED clauses name (each
    store applies the dataset itself)."""

    form: str
    from_default: tuple[URIRef, ...]
    from_named: tuple[URIRef, ...]

    def dataset(
        self, default_graphs: Sequence[URIRef], named_graphs: Sequence[URIRef]
    ) -> tuple[tuple[URIRef, ...], tuple[URIRef, ...]]:
        """The graphs to query: the protocol's graph parameters override FROM, as the protocol
        says; both empty means the store's whole dataset."""
        if default_graphs or named_graphs:
            return tuple(default_graphs), tuple(named_graphs)
        return self.from_default, self.from_named


_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e){1,2}(?:[/?#]|$)", re.IGNORECASE)


def allowed(iri: Any, prefixes: Sequence[str]) -> bool:
    """True when an operator allow-listed the IRI: it starts with a listed prefix that ends at
    a boundary ('/', '?', '#', or the IRI's end), so `http://ok` does not admit
    `http://ok.evil.example`, and it has no dot segments, which an HTTP client would resolve
    out of the prefix (`http://ok/public/../private`)."""
    if not isinstance(iri, URIRef) or _DOT_SEGMENT.search(str(iri)):
        return False
    text = str(iri)
    return any(
        text.startswith(p) and (len(text) == len(p) or p[-1] in "/?#" or text[len(p)] in "/?#")
        for p in prefixes
        if p
    )


def not_a_graph(iri: URIRef) -> ForbiddenOperation:
    """The refusal of a FROM, USING or protocol graph that the store does not hold."""
    return ForbiddenOperation(
        f"{iri.n3()} is not a graph of this store; FROM, USING and the protocol's graph "
        "parameters select graphs of the store and never fetch anything"
    )


def computed(iri: URIRef) -> str:
    """Why a graph the store computes cannot be written."""
    return f"{iri.n3()} is computed by the store from the asserted graphs and cannot be written"


def _refuse_service(algebra: Any, services: Sequence[str]) -> None:
    for node in walk(algebra):
        if node.name == "ServiceGraphPattern" and not allowed(node.term, services):
            raise ForbiddenOperation(f"SERVICE {node.term.n3()} is not allowed on this endpoint")


def inspect_query(text: str, services: Sequence[str] = (), base: str | None = None) -> QueryPlan:
    """Read a query's form and FROM clauses, and refuse SERVICE unless allow-listed (a variable
    could name any endpoint). `base` is the service's base IRI for relative IRIs."""
    shape = read_query(text, base)
    for target in shape.services:
        if not allowed(target, services):
            raise ForbiddenOperation(f"SERVICE {target.n3()} is not allowed on this endpoint")
    return QueryPlan(shape.form, shape.from_default, shape.from_named)


def _written_graphs(op: CompValue) -> list[Any]:
    """The graphs an update operation names as its target."""
    if op.name in ("InsertData", "DeleteData"):
        return list(op.quads or {})
    if op.name == "Modify":
        targets = [op.withClause]
        for clause in (op.insert, op.delete):
            targets += list((clause and clause.quads) or {})
        return targets
    if op.name in ("Add", "Move", "Copy"):
        return [op.graph[1]]
    if op.name in ("Drop", "Clear", "Create", "Load"):
        return [op.graphiri]
    return []


def inspect_update(
    text: str,
    *,
    base: str | None = None,
    protected: Sequence[URIRef],
    using: bool = False,
    fetchable: Sequence[str] = (),
    services: Sequence[str] = (),
) -> Update:
    """Parse an update and refuse LOAD, SERVICE, writes to the `protected` graphs and doubled
    datasets.

    `using` says whether the request carried using-graph-uri/using-named-graph-uri, which the
    protocol forbids together with USING or WITH in the text. A LOAD SILENT that policy refuses
    is left out of the returned algebra, which every store runs (never the text): SILENT turns
    a failed LOAD into a successful no-op.
    """
    parsed = parse_update(text, base)
    check_update_syntax(parsed)
    kept = []
    for op in parsed.algebra:
        if op.name == "Load" and not allowed(op.iri, fetchable):
            if not op.silent:
                raise ForbiddenOperation(f"LOAD {op.iri.n3()} is not allowed on this endpoint")
            continue  # LOAD SILENT that policy refuses: a failed LOAD, which SILENT makes a no-op
        kept.append(op)
    parsed.algebra = kept
    _refuse_service(parsed.algebra, services)
    for op in parsed.algebra:
        for graph in _written_graphs(op):
            if graph in protected:
                raise ForbiddenOperation(computed(graph))
        if using and (op.using or op.withClause):
            raise ForbiddenOperation(
                "the request names graphs both with using-graph-uri/using-named-graph-uri "
                "and with USING/WITH in the update"
            )
    return parsed


def _terms(node: Any) -> Iterable[Any]:
    """Every RDF term and variable inside an update operation (templates, quads, patterns)."""
    if isinstance(node, (URIRef, BNode, Variable, Literal)):
        yield node
    elif isinstance(node, dict):  # CompValue, and the quads of a template (graph -> triples)
        for key, value in node.items():
            if isinstance(key, Identifier):
                yield key
            yield from _terms(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _terms(item)


def _refuse(message: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"{message} (SPARQL 1.1 Update, section 19.6 of the Query grammar)")


def check_update_syntax(parsed: Update) -> None:
    """The grammar's restrictions that rdflib's parser does not enforce: no variables in INSERT
    DATA or DELETE DATA, no blank nodes in what a DELETE removes (DELETE DATA, DELETE WHERE, a
    DELETE template), and no blank node label in the INSERT DATA of two operations of one
    request (a template's blank nodes are fresh for each solution, so those labels may repeat)."""
    owners: dict[BNode, int] = {}
    for index, op in enumerate(parsed.algebra):
        if op.name in ("InsertData", "DeleteData"):
            keyword = "INSERT DATA" if op.name == "InsertData" else "DELETE DATA"
            for term in _terms([op.triples, op.quads]):
                if isinstance(term, Variable):
                    raise _refuse(f"{keyword} cannot hold a variable ({term.n3()})")
        removed = {"DeleteData": [op.triples, op.quads], "DeleteWhere": [op.triples, op.quads]}
        removed["Modify"] = [op.delete]
        for term in _terms(removed.get(op.name, [])):
            if isinstance(term, BNode):
                raise _refuse("a DELETE cannot hold a blank node: it would match nothing")
        data = [op.triples, op.quads] if op.name == "InsertData" else []
        for term in _terms(data):
            if isinstance(term, BNode) and owners.setdefault(term, index) != index:
                raise _refuse(f"the blank node label {term.n3()} is used by two operations")


def data_block(graph: Graph | Iterable[tuple[Any, Any, Any]]) -> str:
    """Triples as N-Triples lines, the syntax INSERT DATA and DELETE DATA accept."""
    if not isinstance(graph, Graph):
        triples, graph = graph, Graph()
        graph.addN((s, p, o, graph) for s, p, o in triples)
    return formats.serialize_graph(graph, _NT).decode("utf-8")


def _wrap(keyword: str, name: URIRef | None, body: str) -> str:
    if name is None:
        return f"{keyword} {{\n{body}}}"
    return f"{keyword} {{ GRAPH {name.n3()} {{\n{body}}} }}"


def insert_data(name: URIRef | None, graph: Graph | Iterable[tuple[Any, Any, Any]]) -> str:
    """INSERT DATA for a graph (None: the default graph)."""
    return _wrap("INSERT DATA", name, data_block(graph))


def delete_data(name: URIRef | None, graph: Graph | Iterable[tuple[Any, Any, Any]]) -> str:
    """DELETE DATA for a graph without blank nodes (None: the default graph)."""
    return _wrap("DELETE DATA", name, data_block(graph))


def drop(name: URIRef | None) -> str:
    """DROP SILENT of a graph (None: the default graph)."""
    return "DROP SILENT DEFAULT" if name is None else f"DROP SILENT GRAPH {name.n3()}"


def sequence(*operations: str) -> str:
    """Several update operations as one request (one transaction on stores that have them)."""
    return " ;\n".join(op for op in operations if op)
