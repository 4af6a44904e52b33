"""Property functions in SPARQL, after Jena's: a pattern `S fn:name O` that is evaluated before
the query reaches the store and replaced, in the query's text, by a VALUES block of its rows.
The rest of the query is left as written and joins with the rows like with any other VALUES.

Oxigraph evaluates queries in worker processes that know nothing of the search index or the
reasoner, hence a rewrite of the text rather than a function inside the engine. This module is
the one rewriter: it finds each use of the function's IRI (prefixed or not, through the query's
own prologue), reads the pattern's subject (a variable or a list of variables), and lets the
function read its object and give the replacement. `text:query` (`search_sparql`) and
`explain:proof` (`explain_sparql`) are its two functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import BNode
from rdflib.term import Node

from .store.base import QuerySyntaxError
from .store.sparql_text import _lex, _Reader, _Token

_ESCAPES = re.compile(r"""\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf"'\\]))""")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unquote(token_text: str) -> str:
    """The value of a SPARQL string token (quotes removed, escapes read)."""
    quote = 3 if token_text[:3] in ('"""', "'''") else 1
    body = token_text[quote:-quote]
    return _ESCAPES.sub(
        lambda m: chr(int(m.group(1) or m.group(2), 16)) if not m.group(3) else _SIMPLE[m.group(3)],
        body,
    )


@dataclass
class Site:
    """One use of the function in a query: the tokens, and where the function's IRI is."""

    text: str
    tokens: list[_Token]
    index: int  # of the function's IRI
    reader: _Reader
    name: str  # for messages: "text:query"

    def fail(self, message: str, token: _Token | None = None) -> QuerySyntaxError:
        """A syntax error at `token` (default: the function's IRI), naming the function."""
        at = (token or self.tokens[self.index])[1]
        line = self.text.count("\n", 0, at) + 1
        column = at - self.text.rfind("\n", 0, at)
        return QuerySyntaxError(f"error at {line}:{column}: {self.name} {message}")

    def token(self, at: int) -> _Token | None:
        return self.tokens[at] if 0 <= at < len(self.tokens) else None

    def source(self, token: _Token) -> str:
        return self.text[token[1] : token[2]]

    def subject(self, most: int, noun: str) -> tuple[int, list[str]]:
        """The start offset of the pattern's subject and its variables: one variable, or a list
        of 1 to `most` (`noun` names them in the message)."""
        tokens, index = self.tokens, self.index
        before = self.token(index - 1)
        if before is not None and before[0] == "var":
            return before[1], [self.source(before)[1:]]
        if before is not None and before[0] == ")":
            names: list[str] = []
            at = index - 2
            while at >= 0 and tokens[at][0] == "var":
                names.insert(0, self.source(tokens[at])[1:])
                at -= 1
            if at >= 0 and tokens[at][0].startswith("(") and 1 <= len(names) <= most:
                return tokens[at][1], names
        raise self.fail(f"needs a variable or a list of up to {noun} variables as its subject")


# Reads one use of the function; gives the text span it replaces and the replacement.
Expand = Callable[[Site], tuple[int, int, str]]


def rewrite(
    text: str, namespace: str, local: str, name: str, expand: Expand, base: str | None = None
) -> str:
    """The query with every pattern of the function `namespace` + `local` replaced as `expand`
    says (`name` is how messages call it); the text unchanged, at the cost of one substring
    test, when it does not mention the namespace."""
    if namespace not in text:
        return text
    tokens = _lex(text)
    reader = _Reader(text, tokens, base)
    reader.prologue()
    edits = [
        expand(Site(text, tokens, index, reader, name))
        for index, token in enumerate(tokens)
        if token[0] in ("pname", "iri") and reader.iri(token) == namespace + local
    ]
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def values(names: Sequence[str], rows: Sequence[Sequence[Node | None]]) -> str:
    """A VALUES block binding `names` to `rows` (None and blank nodes: UNDEF, as VALUES cannot
    hold a blank node)."""
    lines = [
        "(" + " ".join("UNDEF" if v is None or isinstance(v, BNode) else v.n3() for v in row) + ")"
        for row in rows
    ]
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ {' '.join(lines)} }}"
