"""SHACL-SPARQL constraints evaluated once per constraint instead of once per focus node.

pySHACL hands each focus node's query text to rdflib, which parses it again every time (about
7 ms each): the one SPARQL constraint in graph/shapes.ttl (a mention's quote occurs in its
sentence) cost 2 s of a 4 s build. `split` takes such constraints out of the shapes given to
pySHACL, and `run` evaluates each once with `$this` as a free variable, keeping the rows whose
`$this` is a focus node of the shape. That equals pre-binding `$this` (SHACL 5.3.1) when `$this`
appears only in triple patterns and filters outside subqueries, as in our shapes;
tests/test_build.py compares both ways on data that violates the constraint. Shapes with targets
other than sh:targetClass and sh:targetNode stay with pySHACL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

_THIS = re.compile(r"\$this\b")
_TEMPLATE = re.compile(r"\{[?$](\w+)\}")
_OTHER_TARGETS = (SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class Check:
    """One SPARQL constraint of one shape, ready to run."""

    shape: Node
    constraint: Node
    query: str
    message: str
    severity: Node


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines)


def split(shapes: Graph) -> tuple[Graph, list[Check]]:
    """The shapes for pySHACL, and the SPARQL constraints taken out of them."""
    core = Graph()
    core += shapes
    checks = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if (
            any((shape, target, None) in shapes for target in _OTHER_TARGETS)
            or (shape, RDF.type, SH.NodeShape) not in shapes
            or shapes.value(constraint, SH.deactivated) == Literal(True)
        ):
            continue
        select = shapes.value(constraint, SH.select)
        if select is None:
            continue
        query = _prefixes(shapes, constraint) + "\n" + _THIS.sub("?this", str(select))
        checks.append(
            Check(
                shape,
                constraint,
                query,
                str(shapes.value(constraint, SH.message)),
                shapes.value(constraint, SH.severity) or SH.Violation,
            )
        )
        core.remove((shape, SH.sparql, constraint))
    return core, checks


def _focus_nodes(shapes: Graph, shape: Node, data: Graph) -> set[Node]:
    nodes = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        nodes.update(data.subjects(RDF.type, cls))
    return nodes


def _fill(template: str, bindings: Mapping[str, object]) -> str:
    """SHACL message templates: {?name} and {$name} become the bound values."""
    return _TEMPLATE.sub(lambda m: str(bindings.get(m.group(1), "")), template)


def run(checks: list[Check], shapes: Graph, data: Graph, report: Graph) -> bool:
    """Evaluate the checks on `data`, add their results to pySHACL's report graph; True when
    none was violated."""
    node = report.value(predicate=RDF.type, object=SH.ValidationReport)
    if node is None:
        raise ValueError("pySHACL's report has no sh:ValidationReport")
    conforms = True
    for check in checks:
        focus = _focus_nodes(shapes, check.shape, data)
        for row in data.query(check.query).bindings:
            bindings = {str(k): v for k, v in row.items()}
            if bindings.get("this") not in focus:
                continue
            conforms = False
            result = BNode()
            message = _fill(check.message, bindings)
            report.add((node, SH.result, result))
            for p, o in (
                (RDF.type, SH.ValidationResult),
                (SH.focusNode, bindings["this"]),
                (SH.resultMessage, Literal(message)),
                (SH.resultSeverity, check.severity),
                (SH.sourceShape, check.shape),
                (SH.sourceConstraint, check.constraint),
                (SH.sourceConstraintComponent, SH.SPARQLConstraintComponent),
            ):
                report.add((result, p, o))
            if "value" in bindings:
                report.add((result, SH.value, bindings["value"]))
    if not conforms:
        report.set((node, SH.conforms, Literal(False)))
    return conforms
