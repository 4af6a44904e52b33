"""What depends on this? The consequences of retracting an asserted triple, a sentence or an
ontology axiom: the inferred triples that would disappear and the competency answers that would
change. Nothing is retracted: the live store and its reasoner are only read.

- **A triple** (in one graph, or in every asserted graph that holds it): its assertions.
- **A sentence**: the facts drawn from it, that is every triple of each fact graph whose
  provenance cites that sentence alone (`cajkg:derivedFromSentence` in cjg:provenance). A graph
  that cites other sentences too is kept, and listed as such: another sentence still supports
  it. The article's text and the provenance records stay.
- **An axiom**: the triples of the ontology graph with the given subject (and predicate, and
  object, when given), each with the blank-node structure its object names (the list of a
  property chain, a restriction), as OWL 2 writes one axiom in several triples.

The inferred triples come from `cajkg.graph.reasoner.whatif.retraction`, exact (delete and
re-derive on the side: a triple still derivable another way stays). The answers: every named
query of queries/ runs, with inference, on an in-memory copy of the store (`snapshot`, taken
under the store's write lock with the reasoner's state), before and after the change is applied
to the copy, with the dataset the store gives its queries (the merge of the asserted graphs and
the inferred graph as default graph, the named graphs); each answer that differs is reported
with the rows it would lose and gain, and whether the query's expected answer (`.srj`) holds
before and after.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.paths import NegatedPath, Path
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import ResultRow
from rdflib.term import Node

from cajkg.graph import queries as named_queries
from cajkg.graph.explain import NotExplainable, NotInDataset, term_json
from cajkg.graph.inferred import InferredGraphs
from cajkg.graph.iris import DEFAULT_BASE, G_INFERRED, G_ONTOLOGY, Base
from cajkg.graph.reasoner import Materializer
from cajkg.graph.reasoner.index import RDFTriple
from cajkg.graph.reasoner.whatif import Retraction, retraction
from cajkg.graph.store.base import Store
from cajkg.graph.store.engine import result_of
from cajkg.graph.store.terms import OWN_DEFAULT, graph_name, quad_of, to_ox
from cajkg.graph.store.worker import Replica, answer


class NotAsserted(ValueError):
    """The triple is in the dataset, but only inferred: it cannot be retracted."""


@dataclass
class Assertion:
    """A triple and the asserted graphs it would be retracted from (None: the default graph)."""

    triple: RDFTriple
    graphs: list[URIRef | None]


@dataclass
class AnswerChange:
    """A competency query whose answer would change."""

    name: str
    question: str
    lost: list[dict[str, Any]]  # rows (SPARQL JSON bindings) it would no longer give
    gained: list[dict[str, Any]]
    expected_before: bool  # whether its expected answer (.srj) holds now
    expected_after: bool


@dataclass
class Impact:
    """What retracting `assertions` would change."""

    kind: str  # 'triple', 'sentence' or 'axiom'
    target: dict[str, Any]  # what was asked about, as JSON
    assertions: list[Assertion]
    retraction: Retraction
    kept_graphs: list[URIRef] = field(default_factory=list)  # a sentence's shared graphs
    answers: list[AnswerChange] = field(default_factory=list)
    queries_checked: int = 0


# -- what is retracted -----------------------------------------------------------------------


def _requirements(store: Store) -> tuple[Callable[..., Any], Callable[..., Any]]:
    held = getattr(store, "reasoner_held", None)
    holding = getattr(store, "graphs_holding", None)
    if held is None or holding is None or getattr(store, "snapshot", None) is None:
        raise NotExplainable("this store keeps no reasoner in the server's process")
    return held, holding


def of_triple(
    store: Store,
    triple: RDFTriple,
    *,
    graph: URIRef | None = None,
    base: Base | None = None,
    answers: bool = True,
) -> Impact:
    """Retracting `triple` from `graph` (default: from every asserted graph that holds it).
    Raises NotInDataset, NotAsserted (an inferred triple), or NotExplainable."""
    held, holding = _requirements(store)
    graphs: list[URIRef | None] = holding(triple)
    inferred_graphs = getattr(store, "inferred_graphs", InferredGraphs()).names
    if graph is not None and graph not in (*inferred_graphs, getattr(store, "merged_graph", None)):
        if graph not in graphs:
            raise NotInDataset(f"the triple is not in the dataset in the graph <{graph}>")
        graphs = [graph]
    if not graphs or graph in inferred_graphs:
        with held() as reasoner:
            m = _materializer(reasoner)
            t = m.terms.find(triple)
            inferred = t is not None and m.is_inferred(t)
        if inferred:
            raise NotAsserted(
                "the triple is inferred, not asserted: it cannot be retracted; "
                "retract one of the premises its explanation names"
            )
        raise NotInDataset("the triple is not in the dataset")
    target = {"triple": _triple_json(triple), "graph": None if graph is None else str(graph)}
    assertions = [Assertion(triple, graphs)]
    return _impact(store, "triple", target, assertions, base=base, answers=answers)


def of_sentence(
    store: Store, sentence: URIRef, *, base: Base | None = None, answers: bool = True
) -> Impact:
    """Retracting the facts drawn from `sentence` alone. Raises NotInDataset when it is no
    sentence of the article, or NotExplainable."""
    _requirements(store)
    base = base or Base()
    text = _query("impact-sentence.rq", base).replace("$this", sentence.n3())
    position: int | None = None
    retracted: list[URIRef] = []
    kept: list[URIRef] = []
    for row in store.query(store.prepare(text), infer=False):
        assert isinstance(row, ResultRow)
        position = int(row.position)
        if isinstance(row.graph, URIRef):
            (retracted if int(row.sentences) == 1 else kept).append(row.graph)
    if position is None:
        raise NotInDataset(f"<{sentence}> is not a sentence of the article")
    by_triple: dict[RDFTriple, list[URIRef | None]] = {}
    for name in retracted:
        for t in store.graph(name) or ():
            by_triple.setdefault(t, []).append(name)
    target = {"sentence": str(sentence), "position": position}
    assertions = [Assertion(t, graphs) for t, graphs in by_triple.items()]
    found = _impact(store, "sentence", target, assertions, base=base, answers=answers)
    found.kept_graphs = kept
    target["graphs"] = [str(g) for g in retracted]
    return found


def of_axiom(
    store: Store,
    subject: URIRef,
    *,
    predicate: URIRef | None = None,
    obj: Node | None = None,
    base: Base | None = None,
    answers: bool = True,
) -> Impact:
    """Retracting the ontology's axioms about `subject` (with `predicate`, `obj` when given).
    Raises NotInDataset when the ontology has none, or NotExplainable."""
    _requirements(store)
    base = base or Base()
    ontology = base.rebase(G_ONTOLOGY)
    graph = store.graph(ontology) or Graph()
    chosen: list[RDFTriple] = []
    for s, p, o in graph.triples((subject, predicate, obj)):
        chosen.append((s, p, o))
        chosen += _structure(graph, o)
    if not chosen:
        about = " ".join(t.n3() for t in (subject, predicate, obj) if t is not None)
        raise NotInDataset(f"the ontology has no axiom about {about}")
    target: dict[str, Any] = {"subject": str(subject), "graph": str(ontology)}
    if predicate is not None:
        target["predicate"] = str(predicate)
    if obj is not None:
        target["object"] = term_json(obj)
    assertions = [Assertion(t, [ontology]) for t in dict.fromkeys(chosen)]
    return _impact(store, "axiom", target, assertions, base=base, answers=answers)


def _structure(graph: Graph, node: Node, seen: set[Node] | None = None) -> list[RDFTriple]:
    """The triples under a blank node (a list, a restriction), recursively."""
    seen = set() if seen is None else seen
    if not isinstance(node, BNode) or node in seen:
        return []
    seen.add(node)
    out: list[RDFTriple] = []
    for s, p, o in graph.triples((node, None, None)):
        out.append((s, p, o))
        out += _structure(graph, o, seen)
    return out


def _query(name: str, base: Base) -> str:
    text = (resources.files("cajkg.graph") / "sparql" / name).read_text("utf-8")
    return text if base.iri == DEFAULT_BASE else text.replace(DEFAULT_BASE, base.iri)


def _materializer(reasoner: object) -> Materializer:
    found = getattr(reasoner, "materializer", None)
    if not isinstance(found, Materializer):
        raise NotExplainable("this store has no incremental reasoner")
    return found


# -- the consequences --------------------------------------------------------------------------


def _impact(
    store: Store,
    kind: str,
    target: dict[str, Any],
    assertions: list[Assertion],
    *,
    base: Base | None,
    answers: bool,
) -> Impact:
    held, _ = _requirements(store)
    every = _competency((base or Base()).iri)
    retracted = [a.triple for a in assertions for _ in a.graphs]
    scratch = None
    with held() as reasoner:  # one state: the closure and the copy of the store agree
        result = retraction(_materializer(reasoner), retracted)
        affected = _affected(every, assertions, result) if answers else []
        if affected:
            scratch = store.snapshot()  # type: ignore[attr-defined]
    found = Impact(kind, target, assertions, result)
    if answers:
        found.queries_checked = len(every)
    if scratch is not None:
        found.answers = _answers(store, scratch, affected, assertions, result)
    return found


def _dataset(store: Store) -> dict[str, Any]:
    """The dataset of a query with inference, as `EngineStore.query` builds it."""
    inferred = graph_name(getattr(store, "inferred_graph", G_INFERRED))
    return {"default": [ox.DefaultGraph(), inferred], "hide": {OWN_DEFAULT}}


def _run(replica: Replica, dataset: dict[str, Any], text: str) -> dict[str, Any]:
    reply = answer(replica, text, {}, dataset, None)
    form = {"ASK": "ASK", "SELECT": "SELECT"}.get(reply[0], "CONSTRUCT")
    return named_queries.as_json(result_of(form, reply, None))


def _apply(store: Store, scratch: ox.Store, assertions: list[Assertion], r: Retraction) -> None:
    """The retraction, on the copy: the assertions, the merge, the inferred graph."""
    for a in assertions:
        for g in a.graphs:
            scratch.remove(quad_of(a.triple, graph_name(g)))
    for t in r.gone:
        scratch.remove(quad_of(t, ox.DefaultGraph()))
    for s, p, o in r.removed:  # from whichever computed graph holds it
        for quad in list(scratch.quads_for_pattern(to_ox(s), to_ox(p), to_ox(o), None)):
            scratch.remove(quad)
    routes: InferredGraphs = getattr(store, "inferred_graphs", InferredGraphs())
    for t in r.now_inferred:
        scratch.add(quad_of(t, graph_name(routes.of(t))))


Competency = tuple[tuple[named_queries.CompetencyQuery, frozenset[Node] | None], ...]


@lru_cache(maxsize=2)
def _competency(base: str) -> Competency:
    """The named queries (rewritten to the deployment's base, as the workbench does), each with
    the predicates its patterns can match (None: any)."""
    out = []
    for q in named_queries.load_all():
        if base != DEFAULT_BASE:
            q = replace(q, text=q.text.replace(DEFAULT_BASE, base))
        out.append((q, _predicates(q.text)))
    return tuple(out)


def _predicates(text: str) -> frozenset[Node] | None:
    """The IRIs in the predicate position of a query's patterns and paths; None when a
    pattern has a variable predicate or a negated property set (it can match any triple)."""
    found: set[Node] = set()

    def path(p: object) -> bool:
        if isinstance(p, URIRef):
            found.add(p)
            return True
        if isinstance(p, NegatedPath) or not isinstance(p, Path):
            return False
        parts = getattr(p, "args", None) or [getattr(p, "arg", None) or getattr(p, "path", None)]
        return all(path(part) for part in parts)

    def visit(node: object) -> bool:
        if isinstance(node, CompValue):
            triples = node.get("triples")
            for triple in triples if isinstance(triples, list) else ():
                if isinstance(triple, tuple) and len(triple) == 3 and not path(triple[1]):
                    return False
            return all(visit(value) for value in node.values())
        if isinstance(node, list | tuple):
            return all(visit(value) for value in node)
        return True

    return frozenset(found) if visit(prepareQuery(text).algebra) else None


def _affected(
    every: Competency, assertions: list[Assertion], r: Retraction
) -> list[named_queries.CompetencyQuery]:
    """The named queries that can match a changed triple: a query whose patterns name none of
    the changed predicates gives the same answer before and after."""
    changed = {t[1] for t in (*r.removed, *r.now_inferred)}
    changed.update(a.triple[1] for a in assertions)
    return [q for q, ps in every if ps is None or ps & changed]


def _answers(
    store: Store,
    scratch: ox.Store,
    affected: list[named_queries.CompetencyQuery],
    assertions: list[Assertion],
    r: Retraction,
) -> list[AnswerChange]:
    """Run the affected queries on the copy, before and after the change."""
    dataset, replica = _dataset(store), Replica(scratch)
    before = [_run(replica, dataset, q.text) for q in affected]
    _apply(store, scratch, assertions, r)
    replica = Replica(scratch)
    changes = []
    for named, old in zip(affected, before, strict=True):
        new = _run(replica, dataset, named.text)
        if named_queries.same_answer(new, old, named.ordered):
            continue
        changes.append(
            AnswerChange(
                named.name,
                named.question,
                _rows_minus(old, new),
                _rows_minus(new, old),
                named_queries.same_answer(old, named.expected, named.ordered),
                named_queries.same_answer(new, named.expected, named.ordered),
            )
        )
    return changes


def _rows_minus(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of answer `a` that answer `b` lacks (as multisets); an ASK answer as one row."""
    if "boolean" in a:
        return [] if a.get("boolean") == b.get("boolean") else [{"boolean": a["boolean"]}]
    rows = a["results"]["bindings"]
    keys = named_queries.normalise(a)[1]
    missing = Counter(keys) - Counter(named_queries.normalise(b)[1])
    out = []
    for key, row in zip(keys, rows, strict=True):
        if missing[key]:
            missing[key] -= 1
            out.append(row)
    return out


# -- serializations ----------------------------------------------------------------------------


def _triple_json(t: RDFTriple) -> dict[str, dict[str, str]]:
    return {"s": term_json(t[0]), "p": term_json(t[1]), "o": term_json(t[2])}


def _sorted(triples: frozenset[RDFTriple]) -> list[RDFTriple]:
    return sorted(triples, key=lambda t: tuple(x.n3() for x in t))


def as_json(impact: Impact) -> dict[str, Any]:
    """The impact as a JSON document (documented in docs/explain.md)."""
    r = impact.retraction
    return {
        "kind": impact.kind,
        "target": impact.target,
        "method": "full re-materialization" if r.recomputed else "delete and re-derive",
        "retracted": [
            {
                "triple": _triple_json(a.triple),
                "graphs": [None if g is None else str(g) for g in a.graphs],
            }
            for a in sorted(impact.assertions, key=lambda a: tuple(x.n3() for x in a.triple))
        ],
        "keptGraphs": [str(g) for g in impact.kept_graphs],
        "noLongerAsserted": [_triple_json(t) for t in _sorted(r.gone - r.now_inferred)],
        "stillAsserted": [_triple_json(t) for t in _sorted(r.still_asserted)],
        "becomeInferred": [_triple_json(t) for t in _sorted(r.now_inferred)],
        "inferredDisappear": [_triple_json(t) for t in _sorted(r.removed)],
        "queriesChecked": impact.queries_checked,
        "answersChange": [
            {
                "query": change.name,
                "question": change.question,
                "lost": change.lost,
                "gained": change.gained,
                "expectedHolds": {
                    "before": change.expected_before,
                    "after": change.expected_after,
                },
            }
            for change in impact.answers
        ],
    }


def ordered(triples: frozenset[RDFTriple]) -> list[RDFTriple]:
    """Triples in a stable order (for pages)."""
    return _sorted(triples)


def lines(impact: Impact, short: Callable[[Node], str] = lambda t: t.n3()) -> list[str]:
    """The impact as terminal lines (`cajkg impact`)."""
    r = impact.retraction

    def row(t: RDFTriple) -> str:
        return " ".join(short(x) for x in t)

    out = [f"RETRACT {len(impact.assertions)} asserted triple(s) ({impact.kind})"]
    for a in sorted(impact.assertions, key=lambda a: row(a.triple)):
        where = ", ".join("the default graph" if g is None else short(g) for g in a.graphs)
        out.append(f"  {row(a.triple)}  from {where}")
    for g in impact.kept_graphs:
        out.append(f"  kept: {short(g)} (also derived from other sentences)")
    for title, group in (
        ("STILL ASSERTED (in another graph)", r.still_asserted),
        ("BECOME INFERRED (still derivable)", r.now_inferred),
        ("INFERRED, WOULD DISAPPEAR", r.removed),
    ):
        out.append(f"{title}: {len(group)}")
        out += [f"  {row(t)}" for t in _sorted(group)]
    method = "full re-materialization" if r.recomputed else "delete and re-derive"
    out.append(f"({method}; exact: a triple still derivable another way is not listed)")
    if impact.queries_checked:
        out.append(
            f"COMPETENCY ANSWERS THAT CHANGE: {len(impact.answers)} of {impact.queries_checked}"
        )
        for change in impact.answers:
            held = "holds" if change.expected_after else "no longer holds"
            out.append(
                f"  {change.name}: {len(change.lost)} row(s) lost, {len(change.gained)} gained;"
                f" its expected answer {held}"
            )
            for binding in change.lost:
                out.append("    - " + _binding_text(binding))
            for binding in change.gained:
                out.append("    + " + _binding_text(binding))
    return out


def _binding_text(binding: dict[str, Any]) -> str:
    if "boolean" in binding:
        return str(binding["boolean"]).lower()
    return " ".join(f"?{var}={value['value']}" for var, value in sorted(binding.items()))
