"""What a page shows, gathered with the SPARQL queries kept in graph/sparql/*.rq.

The queries name the resource `$this` (the SHACL-SPARQL convention for a pre-bound node); it is
replaced by the IRI, checked and written in SPARQL syntax, before the query is parsed. They are
written against the default base; a deployment with another base rewrites their IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources

from rdflib import RDF, BNode, URIRef
from rdflib.query import Result
from rdflib.term import Literal, Node

from cajkg.graph.iris import CAJKG, DEFAULT_BASE, G_INFERRED, G_INFERRED_SCHEMA, Base
from cajkg.graph.store.base import Store

_VARIABLE = re.compile(r"\$([A-Za-z_]\w*)")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
LANGUAGES = ("en", "de", "")


def safe_iri(text: str) -> URIRef | None:
    """The IRI as a term, or None when it holds characters SPARQL cannot write in <...>."""
    if not text or _NOT_IN_IRI.search(text):
        return None
    return URIRef(text)


def query_text(name: str, base: Base, **terms: URIRef) -> str:
    """The text of graph/sparql/<name>.rq with `$name` variables replaced by IRIs."""
    text = (resources.files("cajkg.graph") / "sparql" / f"{name}.rq").read_text(encoding="utf-8")
    if base.iri != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, base.iri)

    def replace(match: re.Match[str]) -> str:
        return terms[match.group(1)].n3() if match.group(1) in terms else match.group(0)

    return _VARIABLE.sub(replace, text)


def run(store: Store, name: str, base: Base, *, infer: bool = True, **terms: URIRef) -> Result:
    """Run one of the page queries."""
    return store.query(store.prepare(query_text(name, base, **terms)), infer=infer)


def rows(result: Result) -> Iterator[dict[str, Node]]:
    """Solutions as dicts of the bound variables."""
    for row in result:
        yield {str(k): v for k, v in row.asdict().items()}  # type: ignore[union-attr]


def pick_label(labels: dict[str, list[str]]) -> str | None:
    """The label to show: English first, then German, then one without a language."""
    for lang in (*LANGUAGES, *sorted(labels)):
        if labels.get(lang):
            return labels[lang][0]
    return None


def highlight(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Split text into (piece, marked) parts; spans are offsets into text and may overlap."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans if s < e):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, at = [], 0
    for start, end in merged:
        if start > at:
            parts.append((text[at:start], False))
        parts.append((text[start:end], True))
        at = end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


@dataclass
class Link:
    """One triple seen from the resource: the predicate, the node at the other end, its graphs."""

    predicate: URIRef
    other: Node
    graphs: list[URIRef] = field(default_factory=list)
    inferred: bool = False


@dataclass
class Source:
    """An asserted graph that states something about the resource, and the sentence behind it."""

    graph: URIRef
    stated: bool
    sentence: URIRef
    position: int
    text: str
    note: str | None
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def parts(self) -> list[tuple[str, bool]]:
        """The sentence with the mentions of the resource marked."""
        return highlight(self.text, self.spans)


@dataclass
class Description:
    """Everything a resource page shows about one IRI."""

    iri: URIRef
    names: dict[Node, dict[str, list[str]]]
    alt_names: dict[str, list[str]]
    outgoing: list[Link]
    incoming: list[Link]
    sources: list[Source]
    contents: list[tuple[Node, Node, Node]]
    graph_size: int
    translations: list[tuple[str, Node]] = field(default_factory=list)

    def label(self, node: Node) -> str | None:
        """The preferred label of any node on the page, if it has one."""
        return pick_label(self.names.get(node, {}))

    @property
    def types(self) -> list[Link]:
        """rdf:type links to named classes, asserted first (restrictions are left out)."""
        return sorted(
            (x for x in self.outgoing if x.predicate == RDF.type and isinstance(x.other, URIRef)),
            key=lambda x: (x.inferred, str(x.other)),
        )

    @property
    def source_graphs(self) -> set[URIRef]:
        """The graphs whose sentences the page quotes."""
        return {s.graph for s in self.sources}

    @property
    def properties(self) -> list[Link]:
        """Outgoing links other than rdf:type."""
        return [x for x in self.outgoing if x.predicate != RDF.type]


def is_known(store: Store, iri: URIRef, base: Base) -> bool:
    """Whether the graph mentions the IRI anywhere."""
    return bool(run(store, "resource-known", base, this=iri).askAnswer)


def _links(store: Store, iri: URIRef, base: Base) -> tuple[list[Link], list[Link]]:
    inferred_graphs = (base.rebase(G_INFERRED), base.rebase(G_INFERRED_SCHEMA))
    found: dict[tuple[str, Node, Node], Link] = {}
    mention_of = base.rebase(CAJKG.mentionOf)
    for row in rows(run(store, "resource-links", base, this=iri)):
        if isinstance(row["other"], BNode):
            continue  # restrictions and lists of the ontology
        if row["p"] == mention_of and str(row["direction"]) == "in":
            continue  # the sources section marks the mentions of the resource in its sentences
        key = (str(row["direction"]), row["p"], row["other"])
        link = found.setdefault(key, Link(row["p"], row["other"]))  # type: ignore[arg-type]
        link.graphs.append(row["g"])  # type: ignore[arg-type]
    for link in found.values():
        link.graphs.sort()
        link.inferred = all(g in inferred_graphs for g in link.graphs)
    order = sorted(
        found.items(), key=lambda kv: (kv[1].inferred, str(kv[1].predicate), str(kv[1].other))
    )
    return ([x for (d, _, _), x in order if d == "out"], [x for (d, _, _), x in order if d == "in"])


def _names(store: Store, iri: URIRef, base: Base) -> tuple[dict, dict[str, list[str]]]:
    names: dict[Node, dict[str, list[str]]] = {}
    alt: dict[str, list[str]] = {}
    for row in rows(run(store, "resource-labels", base, this=iri)):
        label = row["label"]
        assert isinstance(label, Literal)
        target = alt if str(row["property"]).endswith("altLabel") else None
        if target is not None:
            if row["x"] == iri:
                target.setdefault(label.language or "", []).append(str(label))
            continue
        names.setdefault(row["x"], {}).setdefault(label.language or "", []).append(str(label))
    for table in (*names.values(), alt):
        for values in table.values():
            values.sort()
    return names, alt


def _sources(store: Store, iri: URIRef, base: Base) -> list[Source]:
    found: dict[URIRef, Source] = {}
    for row in rows(run(store, "resource-sources", base, this=iri)):
        graph = row["g"]
        assert isinstance(graph, URIRef)
        offset = int(row["sentenceStart"])  # type: ignore[call-overload]
        source = found.setdefault(
            graph,
            Source(
                graph=graph,
                stated=str(row["kind"]).endswith("StatedFactGraph"),
                sentence=row["sentence"],  # type: ignore[arg-type]
                position=int(row["position"]),  # type: ignore[call-overload]
                text=str(row["text"]),
                note=str(row["note"]) if "note" in row else None,
            ),
        )
        if "start" in row and "end" in row:
            span = (int(row["start"]) - offset, int(row["end"]) - offset)  # type: ignore[call-overload]
            if span not in source.spans:
                source.spans.append(span)
    return sorted(found.values(), key=lambda s: (s.position, not s.stated, str(s.graph)))


def describe_resource(store: Store, iri: URIRef, base: Base) -> Description:
    """Run the page queries for one IRI (which the caller has found to be known)."""
    outgoing, incoming = _links(store, iri, base)
    names, alt = _names(store, iri, base)
    contents: dict[tuple[Node, Node, Node], None] = {}
    size = 0
    for row in rows(run(store, "graph-contents", base, this=iri)):
        size = int(row["total"])  # type: ignore[call-overload]
        contents[(row["s"], row["p"], row["o"])] = None
        for term, label in (("s", "sLabel"), ("p", "pLabel"), ("o", "oLabel")):
            known = names.setdefault(row[term], {}).setdefault("en", [])
            if label in row and str(row[label]) not in known:
                known.append(str(row[label]))
    translations = [
        (str(row["text"]), row["translation"])
        for row in rows(run(store, "resource-translation", base, this=iri))
    ]
    return Description(
        iri,
        names,
        alt,
        outgoing,
        incoming,
        _sources(store, iri, base),
        list(contents),
        size,
        translations,
    )
