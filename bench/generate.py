"""Scale the seed graph to K articles' worth of facts, the way a growing news graph grows.

Article k (k = 0 is the seed article itself) gets its own copy of every article-local resource:
sentences, fact graphs, provenance records and mentions, statements and proposals, initiatives,
events, amounts, quantities and time specifications, each IRI suffixed with `-a{k}`. The shared
world stays shared: states, leaders, offices, organisations and companies, places, sectors,
currencies and the ontology are never copied, so every new article adds joins on the same hubs
(more statements by Tokayev, more investments in Central Asia, more events in Tokyo) exactly as
real follow-up articles would. Amounts and years vary per article so literals differ too.

Run `python -P -m bench.generate K OUT.nq` to write one scaled dataset as N-Quads.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, SKOS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from cajkg.graph.article import split_sentences
from cajkg.graph.build import BuildConfig
from cajkg.graph.iris import CAJKG, DEFAULT_BASE, G_INFERRED, G_INFERRED_SCHEMA, G_ONTOLOGY
from cajkg.graph.load import load_dataset
from cajkg.graph.provenance import anchor_mentions

# Kinds of things that exist once in the world, whatever the number of articles about them.
SHARED_CLASSES = frozenset(
    {
        CAJKG.Agent,
        CAJKG.Person,
        CAJKG.Leader,
        CAJKG.HeadOfState,
        CAJKG.HeadOfGovernment,
        CAJKG.Organisation,
        CAJKG.Company,
        CAJKG.Government,
        CAJKG.GovernmentService,
        CAJKG.InternationalOrganisation,
        CAJKG.ResearchInstitution,
        CAJKG.TechnologyPark,
        CAJKG.Website,
        CAJKG.Place,
        CAJKG.Region,
        CAJKG.State,
        CAJKG.City,
        CAJKG.CapitalCity,
        CAJKG.Seaport,
        CAJKG.Office,
        CAJKG.HeadOfStateOffice,
        CAJKG.HeadOfGovernmentOffice,
        CAJKG.PresidentOffice,
        CAJKG.PrimeMinisterOffice,
        CAJKG.Currency,
        CAJKG.Qualifier,
        CAJKG.DatePrecision,
        CAJKG.EventStatus,
        CAJKG.PriorityArea,
        SKOS.Concept,
    }
)
_LOCAL_PREFIXES = tuple(
    DEFAULT_BASE + part for part in ("resource/", "sentence/", "graph/", "article/", "mention/")
)
_GRAPH_NAMES = ("entities", "ontology")


def seed_dataset() -> Dataset:
    """The asserted seed graph (sources loaded and anchored; no validation, no closure)."""
    config = BuildConfig.from_env()
    dataset = load_dataset(config.sources, config.base)
    article = config.sources.article.read_text(encoding="utf-8")
    anchor_mentions(dataset, split_sentences(article), config.base)
    return dataset


def shared_terms(seed: Dataset) -> frozenset[Node]:
    """IRIs that every article shares: instances of SHARED_CLASSES and the shared graphs."""
    shared = {s for s, o in seed.subject_objects(RDF.type) if o in SHARED_CLASSES}
    shared.update(URIRef(DEFAULT_BASE + "graph/" + name) for name in _GRAPH_NAMES)
    return frozenset(shared)


def _graph_name(graph: Graph | Node) -> Node:
    return graph.identifier if isinstance(graph, Graph) else graph


class _Copier:
    """Renames the article-local terms of one article."""

    def __init__(self, k: int, shared: frozenset[Node]) -> None:
        self.k = k
        self.shared = shared
        self.bnodes: dict[BNode, BNode] = {}

    def term(self, node: Node) -> Node:
        if isinstance(node, BNode):
            return self.bnodes.setdefault(node, BNode()) if self.k else node
        if isinstance(node, URIRef):
            if self.k and node not in self.shared and str(node).startswith(_LOCAL_PREFIXES):
                return URIRef(f"{node}-a{self.k}")
            return node
        if isinstance(node, Literal) and self.k:
            return self._vary(node)
        return node

    def _vary(self, literal: Literal) -> Literal:
        """Different amounts and years per article, so literals do not just repeat."""
        if literal.datatype == XSD.decimal:
            scaled = Decimal(str(literal)) * (1 + Decimal(self.k) / 100)
            return Literal(scaled, datatype=XSD.decimal)
        if literal.datatype == XSD.integer and 1900 < int(literal) < 2100:
            return Literal(int(literal) + self.k % 10, datatype=XSD.integer)
        return literal


def scaled_quads(seed: Dataset, k_articles: int) -> Iterator[tuple[Node, Node, Node, Node]]:
    """K articles' worth of quads over the seed's shared world (inferred graphs left out)."""
    shared = shared_terms(seed)
    shared_graphs = {URIRef(DEFAULT_BASE + "graph/" + name) for name in _GRAPH_NAMES}
    quads = [
        (s, p, o, _graph_name(g))
        for s, p, o, g in seed.quads((None, None, None, None))
        if _graph_name(g) not in (G_INFERRED, G_INFERRED_SCHEMA)
    ]
    for s, p, o, g in quads:
        if g in shared_graphs or g == G_ONTOLOGY:
            yield s, p, o, g
    for k in range(k_articles):
        copier = _Copier(k, shared)
        for s, p, o, g in quads:
            if g not in shared_graphs and g != G_ONTOLOGY:
                yield copier.term(s), p, copier.term(o), copier.term(g)


def scaled_dataset(k_articles: int, seed: Dataset | None = None) -> Dataset:
    """The seed scaled to `k_articles` articles, as an rdflib Dataset."""
    dataset = Dataset()
    seed = seed if seed is not None else seed_dataset()
    for s, p, o, g in scaled_quads(seed, k_articles):
        dataset.add((s, p, o, dataset.graph(g)))
    return dataset


def write_nquads(k_articles: int, out: Path, seed: Dataset | None = None) -> int:
    """Write the scaled dataset as N-Quads without building it in memory; return the quad count."""
    seed = seed if seed is not None else seed_dataset()
    count = 0
    with out.open("w", encoding="utf-8") as stream:
        for s, p, o, g in scaled_quads(seed, k_articles):
            stream.write(_nq_row((s, p, o), g))
            count += 1
    return count


def main(argv: list[str]) -> int:
    """`python -P -m bench.generate K OUT.nq`."""
    if len(argv) != 2:
        print("usage: python -P -m bench.generate K OUT.nq", file=sys.stderr)
        return 2
    count = write_nquads(int(argv[0]), Path(argv[1]))
    print(f"{count} quads written to {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
