"""Explanations inside SPARQL: the property function `explain:proof`, for tools that only speak
SPARQL (after GraphDB's `proof:explain`; rewritten into VALUES by `property_functions`, like
`text:query`).

    PREFIX explain: <https://w3id.org/cajkg/explain#>
    SELECT * WHERE {
      (?s ?p ?o ?kind ?rule ?sentence ?node ?parent ?depth)
          explain:proof (cjr:Kassym-Jomart-Tokayev cajkg:leaderOf cjr:Kazakhstan)
    }

The object is the triple to explain, three constant terms. The subject is a variable or a
list of up to nine, bound by position; each row is one statement of the shortest proof tree
(`cajkg.graph.explain`), in the tree's pre-order, and for an asserted statement one row per
sentence it derives from. The columns, in order: the statement's subject, predicate and
object; its kind ("inferred", "asserted", "axiom", "axiomatic"); the OWL 2 RL rule that
derived it (unbound for a leaf); the sentence (unbound where none); its place in the tree
("1", "1.2", ...) and its parent's (unbound for the root); its depth (rule applications below
it). A blank node of the ontology (a restriction) is unbound too: VALUES cannot hold one. A
triple not in the dataset has no proof, so no rows.

The pattern is evaluated before the query goes to the store, as a VALUES block, so the rest of
the query joins with it (the sentence's text, a label) like with any other VALUES.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from rdflib import RDF, XSD, Literal, URIRef
from rdflib.term import Node

from . import property_functions
from .explain import Explanation, Proof
from .property_functions import Site, unquote, values

NAMESPACE = "https://w3id.org/cajkg/explain#"
COLUMNS = ("s", "p", "o", "kind", "rule", "sentence", "node", "parent", "depth")

Explainer = Callable[[tuple[Node, Node, Node]], Explanation | None]  # None: not in the dataset


def rows(explanation: Explanation) -> Iterator[tuple[Node | None, ...]]:
    """The proof tree, one row per statement and sentence, in the order of COLUMNS."""

    def walk(proof: Proof, node: str, parent: str | None) -> Iterator[tuple[Node | None, ...]]:
        s, p, o = proof.triple
        rule = Literal(proof.steps[0].rule) if proof.steps else None
        place = Literal(node), None if parent is None else Literal(parent)
        depth = Literal(proof.depth, datatype=XSD.integer)
        sentences = [x.iri for source in proof.sources for x in source.sentences]
        for sentence in dict.fromkeys(sentences) or [None]:
            yield (s, p, o, Literal(proof.kind), rule, sentence, *place, depth)
        for step in proof.steps[:1]:
            for number, child in enumerate((*step.axioms, *step.premises), start=1):
                yield from walk(child, f"{node}.{number}", node)

    yield from walk(explanation.proof, "1", None)


def rewrite(
    text: str, explainer: Explainer, base: str | None = None, namespace: str = NAMESPACE
) -> str:
    """The query with every `explain:proof` pattern replaced by the VALUES of its proof; the
    text unchanged when it does not use the property function."""
    return property_functions.rewrite(
        text, namespace, "proof", "explain:proof", lambda site: _pattern(site, explainer), base
    )


_TRIPLE = "takes a triple of constant terms: (subject predicate object)"


def _term(site: Site, at: int) -> tuple[Node, int]:
    """One constant term of the object list, and the index after it."""
    tokens, reader = site.tokens, site.reader
    kind = tokens[at][0]
    word = site.source(tokens[at])
    if kind in ("pname", "iri"):
        return URIRef(reader.iri(tokens[at])), at + 1
    if kind == "a":
        return RDF.type, at + 1
    if kind == "number":
        value: object = (
            int(word)
            if word.lstrip("+-").isdigit()
            else Decimal(word)
            if "e" not in word.lower()
            else float(word)
        )
        return Literal(value), at + 1
    if kind == "string":
        lexical = unquote(word)
        following = site.token(at + 1)
        if following is not None and following[0] == "langtag":
            return Literal(lexical, lang=site.source(following)[1:]), at + 2
        if following is not None and following[0] == "^^" and at + 2 < len(tokens):
            return Literal(lexical, datatype=URIRef(reader.iri(tokens[at + 2]))), at + 3
        return Literal(lexical), at + 1
    raise site.fail(_TRIPLE, tokens[at])


def _pattern(site: Site, explainer: Explainer) -> tuple[int, int, str]:
    start, names = site.subject(len(COLUMNS), str(len(COLUMNS)))
    tokens = site.tokens
    at = site.index + 1
    if at >= len(tokens) or not tokens[at][0].startswith("("):
        raise site.fail(_TRIPLE)
    at += 1
    terms: list[Node] = []
    while at < len(tokens) and tokens[at][0] != ")" and len(terms) < 3:
        term, at = _term(site, at)
        terms.append(term)
    if len(terms) != 3 or at >= len(tokens) or tokens[at][0] != ")":
        raise site.fail(_TRIPLE)
    explanation = explainer((terms[0], terms[1], terms[2]))
    found = [] if explanation is None else [row[: len(names)] for row in rows(explanation)]
    return start, tokens[at][2], values(names, found)
