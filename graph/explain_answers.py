"""Why these answers? For each row of a SELECT query, the triples of the dataset it matched.

The query is parsed with rdflib and its algebra walked into alternatives (`Branch`): the triple
patterns one solution must match, the FILTERs it passed, and the OPTIONAL groups it may have
matched. UNION gives one alternative per side, a fixed-length property path becomes triple
patterns (a sequence gets fresh variables between its steps, `|` gives alternatives, `^` swaps
the ends), VALUES and BIND only bind variables. For each result row, an alternative produced it
when its patterns, instantiated with the row's values, match triples of the dataset (variables
the query does not project are bound to the first match, in a stable order; a projected variable
the row leaves unbound may not be bound) and its FILTERs hold; each matching OPTIONAL group adds
its triples. Every triple found is then explained by `cajkg.graph.explain`: its sentences and
quoted words when asserted, its proof when inferred.

What this cannot explain it says, instead of guessing: aggregates and GROUP BY (a row stands
for many matches), negation (MINUS, FILTER NOT EXISTS / EXISTS), arbitrary-length and negated
paths, subqueries, SERVICE, FROM / FROM NAMED, GRAPH with a variable the row does not bind, and
queries other than SELECT.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyparsing import ParseException
from rdflib import BNode, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evalutils import _ebv
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import FrozenBindings, QueryContext, SPARQLError
from rdflib.term import Node

from .explain import (
    Explanation,
    NotExplainable,
    NotInDataset,
    as_json,
    explain_many,
    term_json,
)
from .inferred import Infer, InferredGraphs, in_default_graph
from .iris import Base
from .reasoner import Materializer
from .store.base import Store

MAX_ROWS = 100  # rows explained per request (the first ones, in the query's order)
MAX_STEPS = 100_000  # candidate triples tried per row
MAX_ALTERNATIVES = 64  # alternatives of one query (UNION and `|` multiply)

Term = Node  # a variable or an RDF term
Pattern = tuple[Term, Term, Term, Term | None]  # s, p, o, and the GRAPH term (None: default)


class CannotExplain(Exception):
    """The query uses constructs whose answers cannot be traced to triples; `reasons` names
    each of them."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class Branch:
    """One alternative of a query: its triple patterns, FILTERs and OPTIONAL groups."""

    patterns: list[Pattern] = field(default_factory=list)
    filters: list[Any] = field(default_factory=list)
    optionals: list[list[Branch]] = field(default_factory=list)

    def join(self, other: Branch) -> Branch:
        return Branch(
            self.patterns + other.patterns,
            self.filters + other.filters,
            self.optionals + other.optionals,
        )


@dataclass
class Plan:
    """A SELECT query ready to be explained row by row."""

    variables: list[str]
    branches: list[Branch]


# -- the query, as alternatives -------------------------------------------------------------------


class _Planner:
    def __init__(self) -> None:
        self.reasons: list[str] = []
        self._fresh = itertools.count()

    def refuse(self, reason: str) -> list[Branch]:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return [Branch()]

    def fresh(self) -> Variable:
        return Variable(f"__path{next(self._fresh)}")

    def walk(self, node: Any, graph: Term | None = None) -> list[Branch]:
        name = getattr(node, "name", None)
        if name in ("Project", "Distinct", "Reduced", "Slice", "OrderBy", "Extend"):
            if name == "Extend":
                self.expression(node.expr)
            return self.walk(node.p, graph)
        if name == "BGP":
            return self.bgp(node.triples, graph)
        if name == "Join":
            return self.product(self.walk(node.p1, graph), self.walk(node.p2, graph))
        if name == "Union":
            return self.cap(self.walk(node.p1, graph) + self.walk(node.p2, graph))
        if name == "Filter":
            self.expression(node.expr)
            branches = self.walk(node.p, graph)
            return [Branch(b.patterns, [*b.filters, node.expr], b.optionals) for b in branches]
        if name == "LeftJoin":
            optional = self.walk(node.p2, graph)
            if node.expr is not None and not _true(node.expr):
                self.expression(node.expr)
                optional = [
                    Branch(b.patterns, [*b.filters, node.expr], b.optionals) for b in optional
                ]
            return [
                Branch(b.patterns, b.filters, [*b.optionals, optional])
                for b in self.walk(node.p1, graph)
            ]
        if name == "ToMultiSet":
            if getattr(node.p, "name", None) == "values":
                return [Branch()]
            return self.refuse("subqueries: a nested SELECT's rows are not traced")
        if name == "values":
            return [Branch()]
        if name == "Graph":
            return self.walk(node.p, node.term)
        if name in ("Group", "AggregateJoin"):
            return self.refuse(
                "aggregates and GROUP BY: one row stands for many matches (over asserted and "
                "inferred triples alike), so no single set of triples explains it"
            )
        if name == "Minus":
            return self.refuse("negation (MINUS): an answer holds because a match is absent")
        if name == "ServiceGraphPattern":
            return self.refuse("SERVICE: the remote endpoint's triples are not in this dataset")
        return self.refuse(f"the construct {name or type(node).__name__}")

    def expression(self, expr: Any) -> None:
        """Refuse EXISTS and NOT EXISTS anywhere in a FILTER or BIND expression."""
        if isinstance(expr, CompValue):
            if expr.name == "Builtin_NOTEXISTS":
                self.refuse(
                    "negation (FILTER NOT EXISTS): an answer holds because a match is absent"
                )
            elif expr.name == "Builtin_EXISTS":
                self.refuse("FILTER EXISTS: the pattern inside is tested, not matched")
            for value in expr.values():
                self.expression(value)
        elif isinstance(expr, list):
            for value in expr:
                self.expression(value)

    def product(self, left: list[Branch], right: list[Branch]) -> list[Branch]:
        return self.cap([a.join(b) for a in left for b in right])

    def cap(self, branches: list[Branch]) -> list[Branch]:
        if len(branches) > MAX_ALTERNATIVES:
            self.refuse(f"more than {MAX_ALTERNATIVES} alternatives (UNION and | multiply)")
            return branches[:1]
        return branches

    def bgp(self, triples: list[tuple[Term, Term, Term]], graph: Term | None) -> list[Branch]:
        branches = [Branch()]
        for s, p, o in triples:
            expanded = [
                Branch([(a, b, c, graph) for a, b, c in alternative])
                for alternative in self.path(s, p, o)
            ]
            branches = self.product(branches, expanded)
        return branches

    def path(self, s: Term, p: Term, o: Term) -> list[list[tuple[Term, Term, Term]]]:
        """The alternatives of triple patterns a (fixed-length) path stands for."""
        if not isinstance(p, Path):
            return [[(s, p, o)]]
        if isinstance(p, InvPath):
            return self.path(o, p.arg, s)
        if isinstance(p, AlternativePath):
            return [alt for arg in p.args for alt in self.path(s, arg, o)]
        if isinstance(p, SequencePath):
            ends = [s, *(self.fresh() for _ in p.args[1:]), o]
            steps = [self.path(ends[i], arg, ends[i + 1]) for i, arg in enumerate(p.args)]
            return [list(itertools.chain(*choice)) for choice in itertools.product(*steps)]
        if isinstance(p, MulPath) and p.mod == "?":
            self.refuse(
                f"zero-or-one paths ({p.n3()}): a zero-length match rests on no triple at all"
            )
        elif isinstance(p, MulPath):
            self.refuse(
                f"arbitrary-length paths ({p.n3()}): an answer may rest on any number of triples"
            )
        elif isinstance(p, NegatedPath):
            self.refuse(f"negated property sets ({p.n3()})")
        else:
            self.refuse(f"the path {p.n3()}")
        return [[]]


def _true(expr: Any) -> bool:
    return getattr(expr, "name", None) == "TrueFilter"


@lru_cache(maxsize=64)
def plan(text: str, base: str | None = None) -> Plan:
    """The alternatives of a SELECT query. Raises CannotExplain naming every construct it
    cannot trace (and ValueError for a query rdflib cannot parse). Remembered for the last 64
    queries: rdflib's parser takes tens of milliseconds, and a plan is only read."""
    try:
        query = translateQuery(parseQuery(text), base=base)
    except (ParseException, SPARQLError, Exception) as error:  # rdflib raises many kinds
        raise CannotExplain([f"the query: rdflib cannot read it ({error})"]) from None
    algebra = query.algebra
    planner = _Planner()
    if algebra.name != "SelectQuery":
        raise CannotExplain(["queries other than SELECT (ASK, CONSTRUCT, DESCRIBE)"])
    if algebra.get("datasetClause"):
        planner.refuse("FROM and FROM NAMED: only the service's dataset is explained")
    branches = planner.walk(algebra.p)
    if planner.reasons:
        raise CannotExplain(planner.reasons)
    return Plan([str(v) for v in algebra.PV], branches)


# -- the rows, as triples -------------------------------------------------------------------------


class _Matcher:
    """Matches patterns against the reasoner's closure (hold the store's write lock)."""

    def __init__(self, store: Store, m: Materializer, infer: Infer) -> None:
        self.store, self.m, self.infer = store, m, infer
        self.holding = getattr(store, "graphs_holding")  # noqa: B009 (not in the protocol)
        self.routes = getattr(store, "inferred_graphs", InferredGraphs())
        self.steps = 0

    def present(self, t: tuple[int, int, int], graph: Node | None) -> bool:
        m = self.m
        if graph is None:
            if m.is_asserted(t):
                return True
            return m.is_inferred(t) and in_default_graph(m.terms.decode(t), self.infer)
        if graph in self.routes.names:
            return (
                bool(self.infer) and m.is_inferred(t) and self.routes.of(m.terms.decode(t)) == graph
            )
        return graph in self.holding(m.terms.decode(t))

    def candidates(
        self, s: int | None, p: int | None, o: int | None
    ) -> Iterator[tuple[int, int, int]]:
        idx = self.m.idx
        if s is not None and p is not None:
            found: Any = ((s, p, x) for x in idx.objects(s, p))
        elif p is not None and o is not None:
            found = ((x, p, o) for x in idx.subjects(p, o))
        elif s is not None:
            found = ((s, q, x) for q, xs in idx.spo.get(s, {}).items() for x in xs)
        elif o is not None:
            found = ((x, q, o) for x, qs in idx.osp.get(o, {}).items() for q in qs)
        elif p is not None:
            found = ((a, p, b) for a, b in idx.pairs(p))
        else:
            found = iter(idx)
        terms = self.m.terms.terms
        fits = [t for t in found if o is None or t[2] == o]  # s and p bound: check o
        return iter(sorted(fits, key=lambda t: tuple(terms[x].n3() for x in t)))

    def solve(
        self,
        patterns: list[Pattern],
        filters: list[Any],
        binding: dict[Variable, Node],
        forbidden: set[Variable],
    ) -> tuple[dict[Variable, Node], list[tuple[tuple[Node, Node, Node], Node | None]]] | None:
        """The first extension of `binding` under which every pattern is in the dataset and
        every filter holds, with the triples matched, in the order of `patterns` (they are
        matched most selective first); None when there is none."""
        found = self._solve(patterns, filters, binding, forbidden)
        if found is None:
            return None
        place = {id(q): n for n, q in enumerate(patterns)}
        matched = sorted(found[1], key=lambda pair: place[id(pair[0])])
        return found[0], [match for _, match in matched]

    def _solve(
        self,
        patterns: list[Pattern],
        filters: list[Any],
        binding: dict[Variable, Node],
        forbidden: set[Variable],
    ) -> (
        tuple[
            dict[Variable, Node], list[tuple[Pattern, tuple[tuple[Node, Node, Node], Node | None]]]
        ]
        | None
    ):
        if not patterns:
            return (binding, []) if all(self.holds(f, binding) for f in filters) else None
        pattern = min(patterns, key=lambda q: self.estimate(q, binding))
        rest = [q for q in patterns if q is not pattern]
        s, p, o = (self.value(x, binding) for x in pattern[:3])
        graph = self.value(pattern[3], binding) if pattern[3] is not None else None
        if isinstance(graph, Variable):
            raise CannotExplain([f"GRAPH ?{graph}: the row does not bind the graph"])
        ids = self.m.terms.ids
        wanted: list[int | None] = []
        for term in (s, p, o):
            if isinstance(term, Variable):
                if term in forbidden:
                    return None
                wanted.append(None)
            elif term in ids:
                wanted.append(ids[term])
            else:
                return None
        for t in self.candidates(*wanted):
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise NotExplainable(f"the search for the row's triples passed {MAX_STEPS} steps")
            if not self.present(t, graph):
                continue
            extended = dict(binding)
            if not self.bind(extended, (s, p, o), self.m.terms.decode(t)):
                continue
            found = self._solve(rest, filters, extended, forbidden)
            if found is not None:
                triple = self.m.terms.decode(t)
                return found[0], [(pattern, (triple, graph)), *found[1]]
        return None

    def estimate(self, pattern: Pattern, binding: dict[Variable, Node]) -> tuple[int, int]:
        """How many triples the pattern can match now (from the index's sizes), then how many
        of its terms are unbound: the most selective pattern is matched first."""
        ids, idx = self.m.terms.ids, self.m.idx
        wanted: list[int | None] = []
        for x in pattern[:3]:
            term = self.value(x, binding)
            if isinstance(term, Variable):
                wanted.append(None)
            elif term in ids:
                wanted.append(ids[term])
            else:
                return (0, 0)  # a term the closure never saw: no match, fail at once
        s, p, o = wanted
        if s is not None and p is not None:
            size = 1 if o is not None else len(idx.objects(s, p))
        elif p is not None and o is not None:
            size = len(idx.subjects(p, o))
        elif s is not None:
            size = len(idx.spo.get(s, ()))
        elif o is not None:
            size = len(idx.osp.get(o, ()))
        elif p is not None:
            size = len(idx.pos.get(p, ()))
        else:
            size = idx.size
        return (size, wanted.count(None))

    @staticmethod
    def value(term: Term, binding: dict[Variable, Node]) -> Term:
        return binding.get(term, term) if isinstance(term, Variable) else term

    @staticmethod
    def bind(
        binding: dict[Variable, Node], pattern: tuple[Term, ...], triple: tuple[Node, ...]
    ) -> bool:
        for term, value in zip(pattern, triple, strict=True):
            if isinstance(term, Variable):
                if binding.setdefault(term, value) != value:
                    return False
        return True

    @staticmethod
    def holds(expr: Any, binding: dict[Variable, Node]) -> bool:
        try:
            return bool(_ebv(expr, FrozenBindings(QueryContext(), binding)))
        except SPARQLError:
            return False


@dataclass
class RowExplanation:
    bindings: dict[str, Node]
    matches: list[tuple[int, list[int]]]  # (alternative, indices into the explained triples)
    problem: str | None = None


@dataclass
class Answers:
    variables: list[str]
    rows: list[RowExplanation]
    triples: list[dict[str, Any]]  # as_json of each triple's explanation, in order of use
    total_rows: int


def explain_rows(
    store: Store,
    query: Plan,
    rows: list[dict[str, Node]],
    *,
    infer: Infer = True,
    base: Base | None = None,
) -> Answers:
    """Explain each of `rows` (the query's solutions, as dicts of the bound variables)."""
    held = getattr(store, "reasoner_held", None)
    if held is None or getattr(store, "graphs_holding", None) is None:
        raise NotExplainable("this store keeps no reasoner in the server's process")
    projected = {Variable(v) for v in query.variables}
    found: list[
        tuple[dict[str, Node], list[tuple[int, list[tuple[Any, Node | None]]]], str | None]
    ] = []
    with held() as reasoner:
        materializer = getattr(reasoner, "materializer", None)
        if not isinstance(materializer, Materializer):
            raise NotExplainable("this store has no incremental reasoner")
        for row in rows[:MAX_ROWS]:
            binding = {Variable(k): v for k, v in row.items()}
            if any(isinstance(v, BNode) for v in row.values()):
                found.append(
                    (row, [], "the row binds a blank node, which names no node of the store")
                )
                continue
            forbidden = projected - set(binding)
            matcher = _Matcher(store, materializer, infer)
            matches = []
            try:
                for number, branch in enumerate(query.branches):
                    solved = matcher.solve(branch.patterns, branch.filters, binding, forbidden)
                    if solved is None:
                        continue
                    extended, triples = solved
                    for group in branch.optionals:
                        for option in group:
                            more = matcher.solve(
                                option.patterns, option.filters, extended, forbidden
                            )
                            if more is not None:
                                extended, triples = more[0], triples + more[1]
                                break
                    matches.append((number, triples))
            except NotExplainable as error:
                found.append((row, [], str(error)))
                continue
            problem = None if matches else "no alternative of the query matches the row"
            found.append((row, matches, problem))
    keys = list(
        dict.fromkeys(
            (triple, graph if isinstance(graph, URIRef) else None)
            for _, matches, _ in found
            for _, triples in matches
            for triple, graph in triples
        )
    )
    explained = explain_many(store, keys, base=base)  # one state, one provenance query
    if any(isinstance(e, NotInDataset) for e in explained):
        raise NotExplainable("the dataset changed while the answers were explained; ask again")
    index = {key: number for number, key in enumerate(keys)}
    documents = [as_json(e) for e in explained if isinstance(e, Explanation)]
    out = []
    for row, matches, problem in found:
        listed = []
        for number, triples in matches:
            indices = [
                index[(triple, graph if isinstance(graph, URIRef) else None)]
                for triple, graph in triples
            ]
            listed.append((number, list(dict.fromkeys(indices))))
        out.append(RowExplanation(row, listed, problem))
    return Answers(query.variables, out, documents, len(rows))


def as_answers_json(answers: Answers) -> dict[str, Any]:
    """The explanation of the answers as JSON (documented in README-explain2.md)."""
    return {
        "variables": answers.variables,
        "rows": [
            {
                "bindings": {k: term_json(v) for k, v in row.bindings.items()},
                "matches": [{"alternative": n, "triples": t} for n, t in row.matches],
                **({"unexplained": row.problem} if row.problem else {}),
            }
            for row in answers.rows
        ],
        "triples": answers.triples,
        "explainedRows": len(answers.rows),
        "totalRows": answers.total_rows,
        "limits": {"maxRows": MAX_ROWS, "maxSteps": MAX_STEPS, "maxAlternatives": MAX_ALTERNATIVES},
    }
