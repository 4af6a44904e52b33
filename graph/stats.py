"""Counts for `cajkg stats` and the home page: triples per graph, entities per class."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import RDF, Dataset, URIRef
from rdflib.term import Node

from cajkg.graph.iris import CAJKG, G_INFERRED, G_INFERRED_SCHEMA, G_ONTOLOGY

_INFERRED = (str(G_INFERRED), str(G_INFERRED_SCHEMA))


@dataclass(frozen=True)
class Stats:
    """Triples per named graph and entities per cajkg class, asserted and with inference."""

    graphs: dict[str, int]
    classes: dict[str, tuple[int, int]]

    @property
    def asserted(self) -> int:
        """Triples outside the inferred graphs."""
        return sum(n for g, n in self.graphs.items() if g not in _INFERRED)

    @property
    def inferred(self) -> int:
        """Triples in the inferred graph of instance facts (cjg:inferred)."""
        return self.graphs.get(str(G_INFERRED), 0)

    @property
    def inferred_schema(self) -> int:
        """Triples in the graph of schema-level inferences (cjg:inferred-schema)."""
        return self.graphs.get(str(G_INFERRED_SCHEMA), 0)


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
                if str(g.identifier) not in _INFERRED:
                    asserted[cls].add(member)
    classes = {
        str(cls)[len(str(CAJKG)) :]: (len(asserted[cls]), len(members))
        for cls, members in sorted(total.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))
    }
    return Stats(graphs, classes)
