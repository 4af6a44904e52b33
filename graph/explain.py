"""Why does the graph say that? The proof of a triple, down to the words of the article.

An asserted triple is explained by the graphs that hold it and their provenance: the sentences
(`?g cajkg:derivedFromSentence ?sentence` in cjg:provenance), whether the graph was stated or
implied (with the curator's note), and its mentions (quoted words, offsets). An inferred triple
is explained by one OWL 2 RL rule application, named as in the W3C rule tables (prp-spo2,
cax-sco, ...), with the ontology axioms and the premises it used, each explained in turn.

Proofs come from the reasoner that lives in the store's process (`cajkg.graph.reasoner`): its
rules yield, for every firing, the premises they joined. The search is backward and
well-founded: it collects the one-step derivations of the triple, of their premises, and so on
(at most MAX_SEARCH triples), then ranks every triple by the least fixpoint of
`rank = 0 for an asserted triple, else 1 + min over derivations of max(rank of premises)`.
A shortest proof uses, at each step, a derivation whose premises all have a strictly lower rank,
so it can never be circular; "all proofs" lists every derivation at every step whose premises
are not on the path from the root (so no proof is circular either), up to MAX_NODES nodes, and
marks what it cut. A proof deeper than MAX_DEPTH rule applications is not given. Since the
search reads the current closure under the store's write lock, an explanation always reflects
the latest write: a retracted premise is no longer in the closure, so no proof can cite it.

What one request learns (the derivations and ranks of the backward search, the provenance of
the graphs it read) is remembered for the next ones while the closure stays the same: the memo
is keyed by the materializer's `version`, which every update changes, so a write empties it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any
from weakref import WeakKeyDictionary

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.query import ResultRow
from rdflib.term import Node

from cajkg.graph.inferred import InferredGraphs
from cajkg.graph.iris import CAJKG, DEFAULT_BASE, G_ASSERTED, Base
from cajkg.graph.reasoner import Materializer
from cajkg.graph.reasoner.index import RDFTriple, Triple
from cajkg.graph.store.base import Store

PROV = Namespace("http://www.w3.org/ns/prov#")
RULES = URIRef(
    "https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules"
)

MAX_DEPTH = 32  # rule applications on the longest path from the triple to an asserted fact
MAX_SEARCH = 20_000  # triples the backward search may visit
MAX_NODES = 2_000  # nodes in one proof tree


class NotInDataset(LookupError):
    """The triple is not in the dataset (or not in the graph asked for)."""


class NotExplainable(Exception):
    """The store cannot explain (no reasoner in this process, owlrl fallback, or the limits)."""


@dataclass
class Mention:
    """Quoted words of a sentence: offsets into the sentence's text, and what they name."""

    quote: str
    start: int
    end: int
    entity: Node | None = None
    offset: int = 0  # where the sentence starts in the article (start + offset: the article's)


@dataclass
class Sentence:
    iri: URIRef
    position: int
    text: str
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Source:
    """An asserted graph holding the triple, and where in the article it comes from."""

    graph: URIRef | None
    kind: str | None = None  # 'stated' or 'implied'; None for graphs without a sentence
    note: str | None = None
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Step:
    """One rule application: its W3C name, the axioms and the premises it used."""

    rule: str
    axioms: list[Proof]
    premises: list[Proof]


@dataclass
class Proof:
    """A triple and why it holds: 'asserted' (a fact, with sources), 'axiom' (a schema triple
    of the ontology), 'axiomatic' (the OWL 2 datatype map) or 'inferred' (with steps)."""

    triple: RDFTriple
    kind: str
    depth: int
    sources: list[Source] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    truncated: bool = False

    def walk(self) -> Iterator[Proof]:
        yield self
        for step in self.steps:
            for child in (*step.axioms, *step.premises):
                yield from child.walk()


@dataclass
class Explanation:
    triple: RDFTriple
    graph: URIRef | None
    status: str  # 'asserted' or 'inferred'
    proof: Proof
    all_proofs: bool
    lists: dict[Node, list[Node]] = field(default_factory=dict)  # list heads of the axioms


# -- the backward search, on the reasoner's integers ------------------------------------------


_Derivation = tuple[str, tuple[Triple, ...]]


@dataclass
class _Node:
    triple: Triple
    kind: str
    depth: int
    steps: list[tuple[str, list[_Node]]] = field(default_factory=list)
    truncated: bool = False


class Prover:
    """Proofs over one materializer's current closure (hold the store's write lock)."""

    def __init__(self, materializer: Materializer) -> None:
        if materializer.mode != "incremental":
            raise NotExplainable(
                "the reasoner runs owlrl itself for this graph (a construct it does not "
                "compile), which records no derivations"
            )
        self.m = materializer
        self.idx, self.v, self.schema = materializer.idx, materializer.terms, materializer.schema
        self._derivations: dict[Triple, list[_Derivation]] = {}
        self.known = self._derivations  # what it has searched (the memo's size)
        self.rank: dict[Triple, int] = {}
        self._nodes = 0

    def axiomatic(self, t: Triple) -> bool:
        """A subsumption of the OWL 2 datatype map, which owlrl uses without stating it."""
        return (
            t[1] == self.v.SCO
            and t not in self.idx
            and t[2] in self.schema.subsumptions.get(t[0], ())
        )

    def leaf(self, t: Triple) -> str | None:
        if self.m.is_asserted(t):
            return "axiom" if self.schema.is_schema(t) else "asserted"
        return "axiomatic" if self.axiomatic(t) else None

    def derivations(self, x: Triple) -> list[_Derivation]:
        """Every one-step derivation of x in the closure: the rules fired on each triple around
        x's subject (and object), keeping those that conclude x."""
        found = self._derivations.get(x)
        if found is not None:
            return found
        idx, v = self.idx, self.v
        s, p, o = x
        # The rules fire from a premise around the conclusion's subject, or (cls-oo, scm-uni,
        # the inverse and symmetric rules, ...) from one whose subject is the conclusion's
        # object, or (scm-dom2, scm-rng2) from the domain or range of a superproperty.
        triggers = list(idx.around(s))
        if o != s:
            triggers += [(o, q, z) for q, objects in idx.spo.get(o, {}).items() for z in objects]
        if p in (v.DOMAIN, v.RANGE):
            triggers += [(y, p, o) for y in idx.subjects(p, o)]
        if p == v.TYPE and o == v.PROPERTY:  # rdf1: a few of the triples that use s
            triggers += [(a, s, b) for (a, b), _ in zip(idx.pairs(s), range(8), strict=False)]
        seen: set[tuple[str, frozenset[Triple]]] = set()
        found = []
        for trigger in triggers:
            for name, conclusion, premises in self.m.derivations(trigger):
                if conclusion != x or x in premises:
                    continue
                unique = tuple(dict.fromkeys(premises))
                key = (name, frozenset(unique))
                if key in seen:
                    continue
                if all(q in idx or self.axiomatic(q) for q in unique):
                    seen.add(key)
                    found.append((name, unique))
        self._derivations[x] = found
        return found

    def search(self, root: Triple) -> None:
        """Rank every triple the proofs of `root` may use (the least fixpoint)."""
        explored: list[Triple] = []
        queue, known = [root], {root}
        while queue and len(known) < MAX_SEARCH:
            y = queue.pop(0)
            if self.leaf(y) is not None:
                self.rank[y] = 0
                continue
            explored.append(y)
            for _, premises in self.derivations(y):
                for q in premises:
                    if q not in known:
                        known.add(q)
                        queue.append(q)
        changed = True
        while changed:
            changed = False
            for y in explored:
                best = self.rank.get(y)
                for _, premises in self._derivations.get(y, ()):
                    if any(q not in self.rank for q in premises):
                        continue
                    candidate = 1 + max(self.rank[q] for q in premises)
                    if best is None or candidate < best:
                        best = candidate
                if best is not None and best != self.rank.get(y):
                    self.rank[y] = best
                    changed = True

    def shortest(self, t: Triple) -> _Node:
        self._nodes += 1
        kind = self.leaf(t)
        if kind is not None:
            return _Node(t, kind, 0)
        depth = self.rank[t]
        node = _Node(t, "inferred", depth)
        if self._nodes > MAX_NODES:
            node.truncated = True
            return node
        name, premises = min(
            (
                (name, premises)
                for name, premises in self.derivations(t)
                if all(self.rank.get(q, depth) < depth for q in premises)
            ),
            key=lambda d: (max(self.rank[q] for q in d[1]), len(d[1]), d[0], self._spelled(d[1])),
        )
        node.steps.append((name, [self.shortest(q) for q in premises]))
        return node

    def _spelled(self, premises: tuple[Triple, ...]) -> tuple[str, ...]:
        """The premises as text: among equally short derivations the same one is chosen
        whatever order the store's terms were interned in (the rule name decides first)."""
        decode = self.m.terms.decode
        return tuple(" ".join(term.n3() for term in decode(q)) for q in premises)

    def every(self, t: Triple, path: frozenset[Triple]) -> _Node:
        self._nodes += 1
        kind = self.leaf(t)
        if kind is not None:
            return _Node(t, kind, 0)
        node = _Node(t, "inferred", self.rank[t])
        if self._nodes > MAX_NODES or len(path) >= MAX_DEPTH:
            node.truncated = True
            return node
        inside = path | {t}
        for name, premises in self.derivations(t):
            if any(q in inside or q not in self.rank for q in premises):
                continue
            node.steps.append((name, [self.every(q, inside) for q in premises]))
        return node

    def prove(self, t: Triple, all_proofs: bool) -> _Node:
        self._nodes = 0  # MAX_NODES is per tree; the searches' findings are kept for the next
        self.search(t)
        if t not in self.rank:
            raise NotExplainable(
                f"no proof found within the limits (search of {MAX_SEARCH} triples)"
            )
        if self.rank[t] > MAX_DEPTH:
            raise NotExplainable(f"the shortest proof is deeper than {MAX_DEPTH} steps")
        return self.every(t, frozenset()) if all_proofs else self.shortest(t)


# -- the explanation, in RDF terms ---------------------------------------------------------------


def explain(
    store: Store,
    triple: RDFTriple,
    *,
    graph: URIRef | None = None,
    all_proofs: bool = False,
    base: Base | None = None,
) -> Explanation:
    """Explain `triple` (in `graph`, when given). Raises NotInDataset, or NotExplainable.

    The store must keep its reasoner in this process: the embedded stores do
    (`EngineStore.reasoner_held` and `graphs_holding`); the sparql store does not."""
    [found] = explain_many(store, [(triple, graph)], all_proofs=all_proofs, base=base)
    if isinstance(found, NotInDataset):
        raise found
    return found


@dataclass
class _Memo:
    """What explanations learnt about one version of a closure: the backward search's
    derivations and ranks, and the provenance of the graphs read (per deployment base)."""

    version: int
    prover: Prover | None = None
    sources: dict[str, dict[URIRef | None, Source]] = field(default_factory=dict)


_MEMOS: WeakKeyDictionary[Materializer, _Memo] = WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()
MAX_MEMO = 200_000  # derivations remembered per closure version, then forgotten


def _memo(m: Materializer) -> _Memo:
    """The memo of m's current version (a write makes a new one: nothing stale is reused).
    The caller holds the store's write lock; `_MEMOS_LOCK` guards the dictionary shared by
    every store of the process."""
    with _MEMOS_LOCK:
        memo = _MEMOS.get(m)
        if memo is None or memo.version != m.version:
            memo = _MEMOS[m] = _Memo(m.version)
    if memo.prover is not None and len(memo.prover.known) > MAX_MEMO:
        memo.prover = None
    return memo


def explain_many(
    store: Store,
    triples: list[tuple[RDFTriple, URIRef | None]],
    *,
    all_proofs: bool = False,
    base: Base | None = None,
) -> list[Explanation | NotInDataset]:
    """Explain each (triple, graph) of `triples` against one state of the closure (one hold of
    the store's write lock), with one backward search and one provenance query for all the
    graphs they cite, both remembered until the next write; NotInDataset, not raised, for a
    triple that is not there."""
    held = getattr(store, "reasoner_held", None)
    graphs_holding = getattr(store, "graphs_holding", None)
    if held is None or graphs_holding is None:
        raise NotExplainable("this store keeps no reasoner in the server's process")
    routes: InferredGraphs = getattr(store, "inferred_graphs", InferredGraphs())
    merged_graph = getattr(store, "merged_graph", G_ASSERTED)
    base = base or Base()
    out: list[Explanation | NotInDataset] = []
    holding: dict[RDFTriple, list[URIRef | None]] = {}
    with held() as reasoner:
        materializer = getattr(reasoner, "materializer", None)
        if not isinstance(materializer, Materializer):
            raise NotExplainable("this store has no incremental reasoner")
        memo = _memo(materializer)
        for triple, graph in triples:
            graphs = graphs_holding(triple)
            t = materializer.terms.find(triple)
            inferred = t is not None and materializer.is_inferred(t)
            if graph in routes.names:  # cjg:inferred, or cjg:inferred-schema (schema level)
                present = inferred and routes.of(triple) == graph
            elif graph == merged_graph:
                present = bool(graphs)
            elif graph is not None:
                present = graph in graphs
            else:
                present = inferred or bool(graphs)
            if not present or t is None:
                where = f" in the graph <{graph}>" if graph is not None else ""
                out.append(NotInDataset(f"the triple is not in the dataset{where}"))
                continue
            if graphs and graph not in routes.names:
                root = _Node(t, "axiom" if materializer.schema.is_schema(t) else "asserted", 0)
            else:
                memo.prover = memo.prover or Prover(materializer)
                root = memo.prover.prove(t, all_proofs)
            proof, lists = _decode(root, materializer)
            for node in proof.walk():
                if not node.steps and node.triple not in holding:
                    holding[node.triple] = (
                        graphs if node.triple == triple else graphs_holding(node.triple)
                    )
            status = "inferred" if proof.kind == "inferred" else "asserted"
            out.append(Explanation(triple, graph, status, proof, all_proofs, lists))
        cache = memo.sources.setdefault(base.iri, {})
        wanted = {g for gs in holding.values() for g in gs} - set(cache)
        _read_sources(store, wanted, base, cache)  # under the lock: the same state
    for found in out:
        if isinstance(found, Explanation):
            _attach_sources(found.proof, holding, cache)
    return out


def _decode(root: _Node, m: Materializer) -> tuple[Proof, dict[Node, list[Node]]]:
    """The proof in RDF terms, and the members of every list its axioms name."""
    lists: dict[Node, list[Node]] = {}
    schema, terms = m.schema, m.terms

    def convert(node: _Node) -> Proof:
        proof = Proof(terms.decode(node.triple), node.kind, node.depth, truncated=node.truncated)
        for name, premises in node.steps:
            axioms = [convert(q) for q in premises if schema.is_schema(q.triple)]
            facts = [convert(q) for q in premises if not schema.is_schema(q.triple)]
            proof.steps.append(Step(name, axioms, facts))
            for q in premises:
                head = q.triple[2]
                if m.idx.objects(head, terms.FIRST):
                    lists[terms.terms[head]] = [terms.terms[x] for x in schema.members(head)]
        return proof

    return convert(root), lists


def _attach_sources(
    proof: Proof,
    holding: dict[RDFTriple, list[URIRef | None]],
    cache: dict[URIRef | None, Source],
) -> None:
    for node in proof.walk():
        if node.kind in ("asserted", "axiom"):
            node.sources = [_about(cache[g], node.triple) for g in holding.get(node.triple, [])]


def _about(source: Source, triple: RDFTriple) -> Source:
    """The source with only the mentions of the triple's subject or object, when the curator
    recorded any (else all the graph's mentions)."""
    ends = {triple[0], triple[2]}
    sentences = []
    for sentence in source.sentences:
        mentions = [m for m in sentence.mentions if m.entity in ends] or sentence.mentions
        sentences.append(replace(sentence, mentions=mentions))
    return replace(source, sentences=sentences)


def _read_sources(
    store: Store,
    graphs: set[URIRef | None],
    base: Base,
    cache: dict[URIRef | None, Source],
) -> None:
    """The provenance of each of `graphs`, in one query, into `cache`."""
    named = sorted((g for g in graphs if g is not None), key=str)
    for graph in graphs:
        cache[graph] = Source(graph)
    if not named:
        return
    text = (resources.files("cajkg.graph") / "sparql" / "explain-sources.rq").read_text("utf-8")
    if base.iri != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, base.iri)
    text = text.replace(
        "VALUES $this { }", "VALUES $this { " + " ".join(g.n3() for g in named) + " }"
    )
    sentences: dict[tuple[URIRef, URIRef], Sentence] = {}
    # With inference on, no named graph has to be hidden from the query (it reads two named
    # graphs by name): hiding means listing every other graph, 0.5 s at 16,000 graphs.
    for row in store.query(store.prepare(text), infer=True):
        assert isinstance(row, ResultRow)
        values = row.asdict()
        named_graph, iri = values["this"], values["sentence"]
        assert isinstance(named_graph, URIRef) and isinstance(iri, URIRef)
        source = cache[named_graph]
        kind = values.get("kind")
        if kind is not None:
            source.kind = "stated" if str(kind).endswith("StatedFactGraph") else "implied"
        if values.get("note") is not None:
            source.note = str(values["note"])
        key = (named_graph, iri)
        sentence = sentences.get(key)
        if sentence is None:
            sentence = sentences[key] = Sentence(iri, int(values["position"]), str(values["text"]))
            source.sentences.append(sentence)
        if values.get("quote") is not None:
            offset = int(values["sentenceStart"])
            mention = Mention(
                str(values["quote"]),
                int(values["start"]) - offset,
                int(values["end"]) - offset,
                values.get("entity"),
                offset,
            )
            if mention not in sentence.mentions:
                sentence.mentions.append(mention)
    for graph in named:
        cache[graph].sentences.sort(key=lambda s: s.position)


# -- serializations (no web layer: the server and the CLI call these) ----------------------------


def term_json(term: Node) -> dict[str, str]:
    """A term as in the SPARQL 1.1 JSON results format."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _triple_json(t: RDFTriple) -> dict[str, dict[str, str]]:
    return {"s": term_json(t[0]), "p": term_json(t[1]), "o": term_json(t[2])}


def _proof_json(proof: Proof) -> dict[str, Any]:
    out: dict[str, Any] = {"triple": _triple_json(proof.triple), "kind": proof.kind}
    out["depth"] = proof.depth
    if proof.sources:
        out["sources"] = [
            {
                "graph": None if s.graph is None else str(s.graph),
                "kind": s.kind,
                "note": s.note,
                "sentences": [
                    {
                        "iri": str(x.iri),
                        "position": x.position,
                        "text": x.text,
                        "mentions": [
                            {
                                "quote": m.quote,
                                "start": m.start,
                                "end": m.end,
                                "articleStart": m.start + m.offset,
                                "articleEnd": m.end + m.offset,
                                "entity": None if m.entity is None else str(m.entity),
                            }
                            for m in x.mentions
                        ],
                    }
                    for x in s.sentences
                ],
            }
            for s in proof.sources
        ]
    if proof.steps:
        out["derivations"] = [
            {
                "rule": step.rule,
                "axioms": [_proof_json(a) for a in step.axioms],
                "premises": [_proof_json(p) for p in step.premises],
            }
            for step in proof.steps
        ]
    if proof.truncated:
        out["truncated"] = True
    return out


def limits() -> dict[str, int]:
    return {"maxDepth": MAX_DEPTH, "maxSearch": MAX_SEARCH, "maxNodes": MAX_NODES}


def as_json(explanation: Explanation) -> dict[str, Any]:
    """The explanation as a JSON document (documented in README-reasoner.md)."""
    return {
        "triple": _triple_json(explanation.triple),
        "graph": None if explanation.graph is None else str(explanation.graph),
        "status": explanation.status,
        "proofs": "all" if explanation.all_proofs else "shortest",
        "limits": limits(),
        "rules": str(RULES),
        "proof": _proof_json(explanation.proof),
    }


def as_rdf(explanation: Explanation, base: Base | None = None) -> Graph:
    """The explanation in PROV-O, with the cajkg terms of `explain-vocabulary.ttl`."""
    cajkg = Namespace(str((base or Base()).rebase(URIRef(str(CAJKG)))))
    graph = Graph()
    graph.bind("prov", PROV)
    root = BNode()
    graph.add((root, RDF.type, cajkg.Explanation))
    graph.add((root, cajkg.proofs, Literal("all" if explanation.all_proofs else "shortest")))
    graph.add((root, cajkg.maxDepth, Literal(MAX_DEPTH, datatype=XSD.integer)))
    graph.add((root, cajkg.maxNodes, Literal(MAX_NODES, datatype=XSD.integer)))
    graph.add((root, cajkg.explains, _statement(graph, explanation.proof, cajkg)))
    return graph


def _statement(graph: Graph, proof: Proof, cajkg: Namespace) -> BNode:
    node = BNode()
    s, p, o = proof.triple
    graph.add((node, RDF.type, RDF.Statement))
    graph.add((node, RDF.subject, s))
    graph.add((node, RDF.predicate, p))
    graph.add((node, RDF.object, o))
    graph.add((node, cajkg.proofKind, Literal(proof.kind)))
    graph.add((node, cajkg.proofDepth, Literal(proof.depth, datatype=XSD.integer)))
    if proof.truncated:
        graph.add((node, cajkg.truncated, Literal(True)))
    for source in proof.sources:
        if source.graph is not None:
            graph.add((node, cajkg.assertedIn, source.graph))
        for sentence in source.sentences:
            graph.add((node, PROV.wasDerivedFrom, sentence.iri))
            for mention in sentence.mentions:
                quoted = BNode()
                graph.add((node, PROV.wasQuotedFrom, quoted))
                graph.add((quoted, cajkg.quote, Literal(mention.quote)))
                graph.add((quoted, cajkg.inSentence, sentence.iri))
                start, end = mention.start + mention.offset, mention.end + mention.offset
                graph.add((quoted, cajkg.startOffset, Literal(start, datatype=XSD.integer)))
                graph.add((quoted, cajkg.endOffset, Literal(end, datatype=XSD.integer)))
        if source.graph is not None and source.note:
            graph.add((source.graph, cajkg.curatorNote, Literal(source.note)))
    for step in proof.steps:
        activity = BNode()
        graph.add((node, PROV.wasGeneratedBy, activity))
        graph.add((activity, RDF.type, PROV.Activity))
        graph.add((activity, RDF.type, cajkg.RuleApplication))
        graph.add((activity, cajkg.ruleName, Literal(step.rule)))
        graph.add((activity, RDFS.seeAlso, RULES))
        for axiom in step.axioms:
            graph.add((activity, cajkg.usedAxiom, _statement(graph, axiom, cajkg)))
        for premise in step.premises:
            graph.add((activity, PROV.used, _statement(graph, premise, cajkg)))
    return node
