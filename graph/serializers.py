"""rdflib's Turtle, TriG and JSON-LD writers, made to keep every literal's lexical form.

rdflib writes a number in Turtle's short form from its Python value (`"1.0E6"^^xsd:double`
becomes `1e+06`, `"0"^^xsd:double` becomes `0e+00`), and its JSON-LD writer always uses native
JSON values (a bug: its `use_native_types` option is a tuple, so always true), which rewrites
doubles and integers and writes `Infinity`, which is not JSON. cajkg returns the terms the
store holds, so the short form is used only where it reads back as the same term, and JSON-LD
values stay strings with their datatype.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rdflib import XSD, Graph, Literal
from rdflib.plugin import Serializer, register
from rdflib.plugins.serializers.jsonld import from_rdf
from rdflib.plugins.serializers.trig import TrigSerializer
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

# The Turtle grammar's number and boolean tokens, and the datatype each reads as.
_SHORT_FORMS = {
    XSD.integer: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD.double: re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    XSD.boolean: re.compile(r"true|false"),
}


def _exact_label(serializer: TurtleSerializer, node: Node, position: int) -> str:
    if isinstance(node, Literal) and node.datatype in _SHORT_FORMS:
        lexical = str(node)
        if _SHORT_FORMS[node.datatype].fullmatch(lexical):
            return lexical
        return node._literal_n3(
            use_plain=False,
            qname_callback=lambda dt: serializer.get_pname(dt, False),
        )
    return TurtleSerializer.label(serializer, node, position)


class ExactTurtleSerializer(TurtleSerializer):
    """Turtle whose short number forms are the literals' own lexical forms."""

    def label(self, node: Node, position: int) -> str:
        return _exact_label(self, node, position)


class ExactTrigSerializer(TrigSerializer):
    """TriG whose short number forms are the literals' own lexical forms."""

    def label(self, node: Node, position: int) -> str:
        return _exact_label(self, node, position)


def jsonld(graph: Graph, **options: Any) -> bytes:
    """JSON-LD with every literal as its lexical form and datatype (expanded form)."""
    document = from_rdf(graph, use_native_types=False, use_rdf_type=False, auto_compact=False)
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


register("cajkg-turtle", Serializer, __name__, "ExactTurtleSerializer")
register("cajkg-trig", Serializer, __name__, "ExactTrigSerializer")
