"""The exact change of a write to the remote store, computed from what the write names.

The sparql store must not read the whole store to learn what one write changes. A write names
what it touches, so cajkg asks the remote store about those things only:

- INSERT DATA, DELETE DATA and the Graph Store's POST name their quads: one query (VALUES)
  says which of them exist; DROP, CLEAR, ADD, MOVE, COPY, CREATE and the Graph Store's PUT and
  DELETE read the graphs they name. Those quads go into a local Oxigraph store and the
  embedded stores' own update machinery (`overlay.changes`) runs on it, so these operations mean
  exactly what they mean on the embedded stores, in any sequence.
- DELETE/INSERT ... WHERE (and DELETE WHERE) is evaluated by the remote store as a SELECT over
  the dataset the embedded stores use (the merge of the asserted graphs, or WITH, USING and
  using-graph-uri), the templates are filled here with each solution (fresh blank nodes per
  solution) and one query says which of the filled quads exist.
- Anything else, detected explicitly, takes the whole-store path (`Plan.full`): a WHERE that
  follows another operation of the same request (it must see that operation's effect), DROP
  or CLEAR of ALL or NAMED, LOAD, a GRAPH variable in DELETE WHERE, DELETE WHERE reading the
  default graph of a store whose default graph is the union of its graphs, and USING a graph
  that is fetched from outside.

`holders` is the one question the write path asks about triples: which graphs hold each of
them (asserted graphs, the merge, the inferred graph). It decides the quads' existence, and
whether a triple removed from one asserted graph leaves the merge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Update
from rdflib.term import Node

from cajkg.graph import formats

from . import operations, updates
from .base import StoreError
from .overlay import changes
from .parsing import walk
from .sparql_text import _lex
from .terms import graph_name, quad_of, rdflib_name, triple_of

log = logging.getLogger(__name__)

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]
Holders = dict[Triple, set[URIRef | None]]

# How many triples one VALUES block carries (a request stays well under servers' size limits).
CHUNK = 500
_DATA_OPS = frozenset({"InsertData", "DeleteData"})
_GRAPH_OPS = frozenset({"Clear", "Drop", "Add", "Move", "Copy", "Create"})
_OPERATION_WORDS = frozenset(
    {"INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}
)


class Solution(dict[Variable, Node]):
    """One solution as rdflib's templates read it: a constant stands for itself."""

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key, default) if isinstance(key, Variable) else key


@dataclass
class Plan:
    """What a write needs from the remote store before its change is known."""

    full: str = ""  # why the whole-store path is needed; empty when it is not
    triples: set[Triple] = field(default_factory=set)  # quads named by DATA operations
    graphs: set[URIRef | None] = field(default_factory=set)  # graphs read whole
    where: CompValue | None = None  # the one DELETE/INSERT WHERE of the request
    where_text: str = ""


def plan(entry: dict[str, Any], parsed: Update | None, fetchable: Sequence[str]) -> Plan:
    """Read a write (a journal entry and its parsed update) for what it touches."""
    name = URIRef(entry["graph"]) if entry.get("graph") else None
    if entry["op"] == "post":
        data = formats.parse_graph(entry["nt"], updates.NT)
        return Plan(triples=set(data))
    if entry["op"] in ("put", "delete"):
        return Plan(graphs={name})
    assert parsed is not None
    found = Plan()
    ops = list(parsed.algebra)
    for index, op in enumerate(ops):
        if op.name in _DATA_OPS:
            found.triples |= set(op.triples or [])
            for quads in (op.quads or {}).values():
                found.triples |= set(quads)
        elif op.name in _GRAPH_OPS:
            named = op.graph if op.name in ("Add", "Move", "Copy") else [op.graphiri]
            if any(g in ("ALL", "NAMED") for g in named):
                return Plan(full=f"{op.name} of {'/'.join(map(str, named))}")
            found.graphs |= {None if g == "DEFAULT" else g for g in named}
        elif op.name in ("Modify", "DeleteWhere") and len(ops) == 1:
            found.where = op
            found.where_text = _where_query(entry["text"], entry.get("base"))
            if op.name == "DeleteWhere" and any(isinstance(g, Variable) for g in op.quads or {}):
                return Plan(full="a GRAPH variable in DELETE WHERE")
            using = [c.default for c in op.using or [] if c.default is not None]
            using += [c.named for c in op.using or [] if c.named is not None]
            using += [URIRef(g) for g in (*entry.get("using", ()), *entry.get("using_named", ()))]
            if any(operations.allowed(g, fetchable) for g in using):
                return Plan(full="USING a graph that may be fetched from outside")
        else:
            return Plan(full=f"{op.name} as operation {index + 1} of {len(ops)}")
    return found


def _where_query(text: str, base: str | None) -> str:
    """The WHERE clause of a request's one operation as a SELECT, with the request's prologue
    (read from the tokens, so strings and comments cannot confuse it)."""
    tokens = _lex(text)
    start = next(i for i, t in enumerate(tokens) if t[3] == 0 and t[0] in _OPERATION_WORDS)
    where = next(i for i, t in enumerate(tokens) if t[3] == 0 and t[0] == "WHERE" and i > start)
    opening = tokens[where + 1]
    closing = next(t for t in tokens[where + 2 :] if t[3] == 0 and t[0] == "}")
    prologue = text[: tokens[start][1]]
    group = text[opening[1] : closing[2]]
    first = f"BASE <{base}>\n" if base else ""
    return f"{first}{prologue}\nSELECT * WHERE {group}"


def _values_row(terms: Iterable[Node]) -> str:
    return "(" + " ".join(term.n3() for term in terms) + ")"


def holders_query(triples: Sequence[Triple], merged: URIRef, own_default: bool) -> str:
    """Which graphs hold each triple; an unbound ?g is the store's own default graph (on a
    store whose default graph is the union of its graphs: what no named graph holds)."""
    rows = "\n".join(_values_row(t) for t in triples)
    default = "?s ?p ?o"
    if not own_default:
        default += f" FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != {merged.n3()}) }}"
    return (
        "SELECT ?s ?p ?o ?g WHERE {\n"
        f"VALUES (?s ?p ?o) {{\n{rows}\n}}\n"
        f"{{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ {default} }}\n}}"
    )


def holders(
    select: Callable[[str], Any], triples: Iterable[Triple], merged: URIRef, own_default: bool
) -> Holders:
    """Every graph holding each of `triples` (terms as the remote store spells them)."""
    wanted = sorted(set(triples), key=lambda t: tuple(map(str, t)))
    found: Holders = {t: set() for t in wanted}
    for start in range(0, len(wanted), CHUNK):
        result = select(holders_query(wanted[start : start + CHUNK], merged, own_default))
        for row in result.bindings:
            triple = (row[Variable("s")], row[Variable("p")], row[Variable("o")])
            if triple in found:
                found[triple].add(row.get(Variable("g")))
    return found


def local_change(
    entry: dict[str, Any],
    parsed: Update | None,
    quads: Iterable[Quad],
    parse: updates.Parser,
    source: updates.Source,
) -> tuple[set[Quad], set[Quad]]:
    """The quads a write of DATA and graph operations adds and removes, computed by the embedded
    stores' machinery over the quads it touches (`quads`: every one that exists)."""
    local = ox.Store()
    local.extend(quad_of((s, p, o), graph_name(g)) for s, p, o, g in quads)
    reader = parse if parsed is None else (lambda _text, _base: parsed)
    added, removed = changes(local, frozenset(), entry, reader, source)
    return {as_quad(q) for q in added}, {as_quad(q) for q in removed}


def filled(op: CompValue, solutions: Iterable[Solution]) -> tuple[set[Quad], set[Quad]]:
    """The quads a DELETE/INSERT template names over all solutions: (deleted, inserted). A
    quad that is no RDF (a literal as subject, say) fails the write, as on the embedded stores."""
    target = op.withClause or None
    if op.name == "DeleteWhere":
        templates = [(CompValue("DeleteClause", triples=op.triples, quads=op.quads), True)]
    else:
        templates = [(op.delete, True), (op.insert, False)]
    deleted: set[Quad] = set()
    inserted: set[Quad] = set()
    for solution in solutions:
        for template, remove in templates:
            if not template:
                continue
            for name, triples in updates.filled_template(template, solution, target):
                for s, p, o in triples:
                    quad = (s, p, o, name)
                    try:
                        quad_of((s, p, o), graph_name(name))
                    except (TypeError, ValueError) as error:
                        raise StoreError(f"{op.name} failed: {error}") from error
                    (deleted if remove else inserted).add(quad)
    return deleted, inserted


def where_dataset(
    op: CompValue,
    entry: dict[str, Any],
    merged: URIRef,
    named: Callable[[], list[URIRef]],
) -> tuple[list[URIRef], list[URIRef]] | None:
    """The dataset the WHERE clause reads, as the embedded stores compose it: USING (or the
    request's using-graph-uri), else WITH's graph, else the merge; named graphs: USING NAMED,
    else every asserted graph (asked for only when the clause has a GRAPH pattern). None: the
    store's own default graph (DELETE WHERE's triples outside GRAPH)."""
    if op.name == "DeleteWhere":
        return None if op.triples else ([merged], list(op.quads or {}))
    clauses = op.using or []
    defaults = [c.default for c in clauses if c.default is not None]
    named_graphs = [c.named for c in clauses if c.named is not None]
    defaults = defaults or [URIRef(g) for g in entry.get("using", ())]
    named_graphs = named_graphs or [URIRef(g) for g in entry.get("using_named", ())]
    if defaults or named_graphs:
        return defaults, named_graphs
    graph_patterns = any(node.name == "Graph" for node in walk(op.where))
    return [op.withClause or merged], (named() if graph_patterns else [])


def exact(
    deleted: set[Quad], inserted: set[Quad], existing: Callable[[Quad], bool]
) -> tuple[set[Quad], set[Quad]]:
    """(added, removed) of deleting, then inserting, the quads: SPARQL 1.1 Update 3.1.3."""
    removed = {q for q in deleted - inserted if existing(q)}
    added = {q for q in inserted if not existing(q)}
    return added, removed


def as_quad(quad: Any) -> Quad:
    """An rdflib quad of a pyoxigraph quad (None for the default graph)."""
    triple = triple_of(quad)
    return (triple[0], triple[1], triple[2], rdflib_name(quad.graph_name))


def _graphs_values(graphs: Sequence[URIRef]) -> str:
    """?g limited to `graphs`, as a FILTER: Oxigraph joins a VALUES ?g block with the rest of
    the pattern several times slower."""
    return "FILTER(?g IN (" + ", ".join(g.n3() for g in graphs) + "))"


def _rows(pairs: Iterable[tuple[Node, ...]]) -> str:
    return " ".join("(" + " ".join(term.n3() for term in pair) + ")" for pair in pairs)


def around_query(
    graphs: Sequence[URIRef],
    outgoing: Sequence[tuple[Node, Node | None]],
    incoming: Sequence[tuple[Node | None, Node]],
) -> str:
    """The triples of `graphs` with these subjects (and predicates) or objects (and predicates);
    None stands for any predicate. One VALUES block per shape of lookup, which stores answer
    from their indexes (a UNION of one pattern per lookup is several times slower)."""
    blocks = []
    shapes = (
        ("?s ?p", [(s, p) for s, p in outgoing if p is not None]),
        ("?s", [(s,) for s, p in outgoing if p is None]),
        ("?p ?o", [(p, o) for p, o in incoming if p is not None]),
        ("?o", [(o,) for p, o in incoming if p is None]),
    )
    for variables, rows in shapes:
        if rows:
            blocks.append(f"{{ VALUES ({variables}) {{ {_rows(rows)} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    body = " UNION ".join(blocks)
    return f"SELECT ?s ?p ?o ?g WHERE {{ {body} {_graphs_values(graphs)} }}"


def predicate_query(graphs: Sequence[URIRef], predicate: Node, limit: int) -> str:
    """At most `limit` triples of one predicate in `graphs`."""
    return (
        f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s {predicate.n3()} ?o }} "
        f"{_graphs_values(graphs)} BIND({predicate.n3()} AS ?p) }} LIMIT {limit}"
    )


def uses_query(graphs: Sequence[URIRef], predicates: Sequence[Node]) -> str:
    """Which of the predicates some triple of `graphs` has."""
    values = " ".join(p.n3() for p in predicates)
    return (
        f"SELECT ?p WHERE {{ VALUES ?p {{ {values} }} "
        f"FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} {_graphs_values(graphs)} }} }}"
    )


def schema_query(merged: URIRef, predicates: Sequence[Node], classes: Sequence[Node]) -> str:
    """The merge's triples with these predicates, and its `x rdf:type C` for these classes."""
    p_values = " ".join(p.n3() for p in predicates)
    c_values = " ".join(c.n3() for c in classes)
    return (
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH " + merged.n3() + " { "
        f"{{ VALUES ?p {{ {p_values} }} ?s ?p ?o }} UNION "
        f"{{ VALUES ?o {{ {c_values} }} ?s a ?o BIND({RDF.type.n3()} AS ?p) }} }} }}"
    )


def holding_query(graphs: Sequence[URIRef]) -> str:
    """Which of the graphs hold at least one triple."""
    values = " ".join(g.n3() for g in graphs)
    exists = "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } }"
    return f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} {exists} }}"
