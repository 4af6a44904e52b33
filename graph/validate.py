"""SHACL validation of the asserted facts, with reports that point at the article.

Returns what pySHACL returns, (conforms, report graph, text), but the text names, for each
violation, the offending resource and the sentence whose graph asserts it.

pySHACL runs through its `Validator` (`pyshacl_validate`), never its `validate` entry point:
that one switches rdflib's literal normalization on for the whole process while it validates
and leaves it on (pyshacl.monkey.rdflib_bool_unpatch), and cajkg keeps it off
(cajkg/graph/__init__.py). Switched on, every literal rdflib reads, in any thread, is rewritten
(`"...T00:00:00Z"^^xsd:dateTime` as `"...+00:00"`, `"INF"^^xsd:double` as `"inf"`): the sparql
store then answers with terms the remote store does not hold and computes changes that delete
nothing (`cajkg serve` builds in a thread while it answers when neither its dumps nor the build
cache are current).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def pyshacl_validate(
    data: Graph, *, shacl_graph: Graph, inference: str = "none", allow_warnings: bool = False
) -> tuple[bool, Graph, str]:
    """pySHACL's answer (conforms, report graph, report text) for graphs already parsed, from
    its Validator: the same run as its `validate` entry point without the process-wide switch
    of rdflib's literal normalization (see the module docstring)."""
    # 0.1 s to import; a cached build skips it
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph

    options = {"inference": inference, "allow_warnings": allow_warnings}
    validator = Validator(DataGraph.from_rdflib(data), shacl_graph=shacl_graph, options=options)
    return validator.run()


def validate(ds: Dataset, shapes: Graph, inferred: Graph) -> Report:
    """Validate every graph of `ds` plus the `inferred` closure against `shapes`.

    The closure already holds every type the ontology implies, so pySHACL runs without its own
    inference and without mixing the ontology into a copy of the data (both slow, both redundant).
    """
    data = Graph()
    for g in ds.graphs():
        data += g
    data += inferred
    core, checks = shacl_sparql.split(shapes)
    conforms, report, _ = pyshacl_validate(
        data, shacl_graph=core, inference="none", allow_warnings=True
    )
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
