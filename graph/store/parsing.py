"""SPARQL update text to rdflib algebra, safe for a threaded server (queries are read by
sparql_text and parsed by Oxigraph).

- rdflib's parser (pyparsing) learns each parse action's arity on its first call, and two threads
  racing there break it for the life of the process; one lock serialises parsing (cheap next to
  evaluation).
- REGEX and REPLACE run on the `regex` module with a time limit and without holding the GIL:
  Python's `re` holds it, so one catastrophic pattern would freeze every other request.
"""

from __future__ import annotations

import decimal
import threading
from collections.abc import Iterable
from functools import reduce
from types import MethodType
from typing import Any

import regex
from rdflib import Literal
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.operators import string
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Prologue, Update

from .base import QuerySyntaxError, QueryTimeout

REGEX_SECONDS = 2.0
_LOCK = threading.Lock()
_FLAGS = {"i": regex.IGNORECASE, "s": regex.DOTALL, "m": regex.MULTILINE, "x": regex.VERBOSE}


def walk(node: Any) -> Iterable[CompValue]:
    """Every algebra node below `node`."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)


def parse_update(text: str, base: str | None = None) -> Update:
    """Parse and translate an update; QuerySyntaxError carries rdflib's message and position."""
    try:
        with _LOCK, decimal.localcontext() as context:
            # rdflib orders a block's triples by comparing their terms' values; an xsd:decimal
            # next to a NaN double would raise InvalidOperation (this context is thread-local)
            context.traps[decimal.InvalidOperation] = False
            update = translateUpdate(parseUpdate(text), base=base)
    except Exception as error:
        raise QuerySyntaxError(str(error)) from error
    if not isinstance(update, Update):  # an empty or prologue-only request: valid, does nothing
        update = Update(Prologue(), [])
    _guard_regexes(update.algebra)
    return update


def _flags(flags: Any) -> int:
    return reduce(lambda a, f: a | _FLAGS.get(f, 0), str(flags or ""), 0)


def _run(call: Any) -> Any:
    try:
        return call()
    except TimeoutError:
        raise QueryTimeout(f"a REGEX or REPLACE ran longer than {REGEX_SECONDS:g} s") from None


def _regex(expr: Any, ctx: Any) -> Literal:
    """SPARQL REGEX (XPath fn:matches) on the regex module, bounded in time."""
    text, pattern = string(expr.text), string(expr.pattern)
    return Literal(
        bool(
            _run(
                lambda: regex.search(
                    str(pattern), text, _flags(expr.flags), timeout=REGEX_SECONDS, concurrent=True
                )
            )
        )
    )


def _replace(expr: Any, ctx: Any) -> Literal:
    """SPARQL REPLACE ($1 group references) on the regex module, bounded in time."""
    text, pattern = string(expr.arg), string(expr.pattern)
    replacement = regex.sub(r"\$([0-9]+)", r"\\\1", str(string(expr.replacement)))
    result = _run(
        lambda: regex.sub(
            str(pattern),
            replacement,
            text,
            flags=_flags(expr.flags),
            timeout=REGEX_SECONDS,
            concurrent=True,
        )
    )
    return Literal(result, datatype=text.datatype, lang=text.language)


_SAFE = {"Builtin_REGEX": _regex, "Builtin_REPLACE": _replace}


def _guard_regexes(algebra: Any) -> None:
    for node in walk(algebra):
        if node.name in _SAFE:
            node._evalfn = MethodType(_SAFE[node.name], node)
