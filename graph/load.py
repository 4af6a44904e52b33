"""Source files -> one rdflib Dataset with the named graphs the README lays out.

Parse errors become SourceError naming the file and line, never a traceback.
"""

from __future__ import annotations

from importlib.abc import Traversable

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.parsers.notation3 import BadSyntax

from cajkg.graph import formats
from cajkg.graph.article import article_graph
from cajkg.graph.iris import DEFAULT_BASE, G_ARTICLE, G_ONTOLOGY, Base
from cajkg.graph.sources import Sources


class SourceError(Exception):
    """A source file cannot be used; the message names the file and, where known, the line."""


def _parse(target: Graph, source: Traversable, fmt: formats.Format) -> None:
    text = source.read_text(encoding="utf-8")
    try:
        formats.parse_into(target, text, fmt, base=DEFAULT_BASE)
    except BadSyntax as err:
        raise SourceError(f"{source.name}:{err.lines + 1}: {err._why}") from None
    except Exception as err:  # rdflib raises many kinds; all mean the file is unusable
        raise SourceError(f"{source.name}: {err}") from None


def parse_graph(source: Traversable) -> Graph:
    """Parse one Turtle file."""
    graph = Graph()
    _parse(graph, source, formats.named("turtle"))
    return graph


def load_dataset(sources: Sources, base: Base | None = None) -> Dataset:
    """The asserted dataset: ontology, article sentences and every curated fact graph."""
    ds = Dataset()
    ontology = ds.graph(G_ONTOLOGY)
    for module in sources.ontology:
        ontology += parse_graph(module)
    article = ds.graph(G_ARTICLE)
    article += article_graph(sources.article.read_text(encoding="utf-8"))
    for facts in sources.facts:
        part = Dataset()
        _parse(part, facts, formats.named("trig"))
        stray = len(part.graph(DATASET_DEFAULT_GRAPH_ID))
        if stray:
            raise SourceError(
                f"{facts.name}: {stray} triples outside any named graph; "
                "every fact belongs to the graph of the sentence that states it"
            )
        for graph in part.graphs():
            if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
                target = ds.graph(graph.identifier)
                target += graph
    if base is not None and base.iri != DEFAULT_BASE:
        return rebase(ds, base)
    return ds


def rebase(ds: Dataset, base: Base) -> Dataset:
    """A copy of ds with every IRI under the default base moved under `base`."""
    out = Dataset()
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        out.add(
            (
                base.rebase(s) if isinstance(s, URIRef) else s,
                base.rebase(p) if isinstance(p, URIRef) else p,
                base.rebase(o) if isinstance(o, URIRef) else o,
                out.graph(base.rebase(name) if isinstance(name, URIRef) else name),
            )
        )
    return out
