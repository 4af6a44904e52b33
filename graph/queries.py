"""Named competency queries: `queries/NN-name.rq` with expected answers beside them.

- `NN-name.srj` is the expected answer with inference (SPARQL 1.1 JSON results);
- `NN-name.noinfer.srj`, where present, the answer without inference, to show what reasoning adds.
The first comment lines of a query state its question; they are shown in the workbench.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from rdflib.query import Result

from cajkg.graph import formats

Row = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CompetencyQuery:
    """One competency query and its expected answers."""

    name: str
    question: str
    text: str
    expected: dict[str, Any]
    expected_without_inference: dict[str, Any] | None

    @property
    def ordered(self) -> bool:
        """Whether the row order is part of the answer."""
        return "ORDER BY" in self.text.upper()


def header_lines(text: str) -> list[str]:
    """The non-empty lines of a query's leading comment, without their '#'."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return [line for line in lines if line]


def _question(text: str) -> str:
    return " ".join(header_lines(text))


def _json(folder: Traversable, name: str) -> dict[str, Any] | None:
    file = folder / name
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None


def load_all(folder: Traversable | None = None) -> list[CompetencyQuery]:
    """Every named query, sorted by file name."""
    folder = folder or resources.files("cajkg.queries")
    out = []
    for rq in sorted((f for f in folder.iterdir() if f.name.endswith(".rq")), key=lambda f: f.name):
        stem = rq.name[: -len(".rq")]
        text = rq.read_text(encoding="utf-8")
        expected = _json(folder, f"{stem}.srj")
        if expected is None:
            raise FileNotFoundError(f"{rq.name} has no expected answer {stem}.srj beside it")
        out.append(
            CompetencyQuery(
                stem, _question(text), text, expected, _json(folder, f"{stem}.noinfer.srj")
            )
        )
    return out


def _term(binding: dict[str, str]) -> str:
    kind = binding["type"]
    if kind == "literal" or kind == "typed-literal":
        suffix = binding.get("xml:lang") and "@" + binding["xml:lang"].lower()
        suffix = suffix or (binding.get("datatype") and "^^" + binding["datatype"]) or ""
        return f"{binding['value']!r}{suffix}"
    return f"<{binding['value']}>" if kind == "uri" else "_:"


def normalise(answer: dict[str, Any]) -> tuple[str, Any]:
    """An answer in SPARQL JSON reduced to comparable Python values (bnodes all alike)."""
    if "boolean" in answer:
        return ("boolean", answer["boolean"])
    rows = [
        tuple(sorted((var, _term(b)) for var, b in row.items()))
        for row in answer["results"]["bindings"]
    ]
    return ("bindings", rows)


def as_json(result: Result) -> dict[str, Any]:
    """An rdflib SELECT/ASK result as SPARQL JSON."""
    return json.loads(formats.serialize_result(result, formats.named("sparql-json")) or b"{}")


def same_answer(actual: dict[str, Any], expected: dict[str, Any], ordered: bool) -> bool:
    """Compare two SPARQL JSON answers: as lists when ordered, else as multisets of rows."""
    kind_a, value_a = normalise(actual)
    kind_e, value_e = normalise(expected)
    if kind_a != kind_e:
        return False
    if kind_a == "boolean" or ordered:
        return value_a == value_e
    return Counter(value_a) == Counter(value_e)
