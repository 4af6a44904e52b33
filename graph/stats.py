"""Counts for `cajkg stats` and the home page: triples per graph, entities per class."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import RDF, Dataset, URIRef
from rdflib.term import Node

from cajkg.graph.iris import CAJKG, G_INFERRED, G_ONTOLOGY


@dataclass(frozen=True)
class Stats:
    """Triples per named graph and entities per cajkg class, asserted and with inference."""

    graphs: dict[str, int]
    classes: dict[str, tuple[int, int]]

    @property
    def asserted(self) -> int:
        """Triples outside the inferred graph."""
        return sum(n for g, n in self.graphs.items() if g != str(G_INFERRED))

    @property
    def inferred(self) -> int:
        """Triples in the inferred graph."""
        return self.graphs.get(str(G_INFERRED), 0)


def compute(ds: Dataset) -> Stats:
    """Count a built dataset."""
    graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    asserted: defaultdict[URIRef, set[Node]] = defaultdict(set)
    total: defaultdict[URIRef, set[Node]] = defaultdict(set)
    for g in ds.graphs():
        if g.identifier == G_ONTOLOGY:
            continue
        for member, cls in g.subject_objects(RDF.type):
            if isinstance(cls, URIRef) and str(cls).startswith(str(CAJKG)):
                total[cls].add(member)
                if g.identifier != G_INFERRED:
                    asserted[cls].add(member)
    classes = {
        str(cls)[len(str(CAJKG)) :]: (len(asserted[cls]), len(members))
        for cls, members in sorted(total.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))
    }
    return Stats(graphs, classes)
