"""SHACL validation of the asserted facts, with reports that point at the article.

Returns what pySHACL returns, (conforms, report graph, text), but the text names, for each
violation, the offending resource and the sentence whose graph asserts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SH

from cajkg.graph import shacl_sparql
from cajkg.graph.iris import CAJKG, G_INFERRED, G_INFERRED_SCHEMA, G_ONTOLOGY, G_PROVENANCE


@dataclass(frozen=True)
class Report:
    """The outcome of a validation run."""

    conforms: bool
    graph: Graph
    text: str


def _where(ds: Dataset, node: URIRef) -> str:
    prov = ds.graph(G_PROVENANCE)
    places: set[str] = set()
    for g in ds.graphs():
        if (
            g.identifier in (G_ONTOLOGY, G_INFERRED, G_INFERRED_SCHEMA)
            or (node, None, None) not in g
        ):
            continue
        sentences = list(prov.objects(g.identifier, CAJKG.derivedFromSentence))
        places.update(str(s).rsplit("/", 1)[-1] for s in sentences or [g.identifier])
    return ", ".join(sorted(places)) or "no graph"


def validate(ds: Dataset, shapes: Graph, inferred: Graph) -> Report:
    """Validate every graph of `ds` plus the `inferred` closure against `shapes`.

    The closure already holds every type the ontology implies, so pySHACL runs without its own
    inference and without mixing the ontology into a copy of the data (both slow, both redundant).
    """
    data = Graph()
    for g in ds.graphs():
        data += g
    data += inferred
    from pyshacl import validate as shacl_validate  # 0.1 s to import; a cached build skips it

    core, checks = shacl_sparql.split(shapes)
    normalize = rdflib.NORMALIZE_LITERALS
    try:
        conforms, report, _ = shacl_validate(
            data, shacl_graph=core, inference="none", allow_warnings=True
        )
    finally:
        # pyshacl turns rdflib's literal normalization off while it validates and back on
        # after, whatever it was; cajkg keeps it off (cajkg/graph/__init__.py)
        rdflib.NORMALIZE_LITERALS = normalize
    conforms = shacl_sparql.run(checks, shapes, data, report) and conforms
    lines = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        where = _where(ds, focus) if isinstance(focus, URIRef) else "a blank node"
        lines.append(f"- {focus} ({path}): {message} [asserted in {where}]")
    text = "conforms" if conforms else "SHACL violations:\n" + "\n".join(sorted(lines))
    return Report(bool(conforms), report, text)
