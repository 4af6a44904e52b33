"""Search inside SPARQL: the property function `text:query`, after Jena's (jena-text).

    PREFIX text: <https://w3id.org/cajkg/text#>
    SELECT ?s ?label WHERE { ?s text:query "Wasser" ; rdfs:label ?label }
    SELECT * WHERE { (?s ?score ?text) text:query ("Taschkent" 5) }

Oxigraph evaluates queries in worker processes and knows nothing of the index, so the pattern is
evaluated before the query is sent: each `S text:query O` triple pattern is replaced by a VALUES
block holding the search's hits (subject, then optionally score and the matching text), in the
order of the search's ranking. S is a variable or a list of up to three variables; O is the
search string (a language tag keeps only texts in that language) or a list of the string and
the number of hits (default 20, at most 200). Everything else of the query is left as written,
so the rest of the query joins with the hits as with any other VALUES.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from rdflib import Literal, URIRef

from .search import Hit
from .store.base import QuerySyntaxError
from .store.sparql_text import _lex, _Reader, _Token

NAMESPACE = "https://w3id.org/cajkg/text#"
DEFAULT_HITS = 20
MAX_HITS = 200
_ESCAPES = re.compile(r"""\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf"'\\]))""")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

Searcher = Callable[[str, str, int], list[Hit]]  # words, language, hits


def _unquote(token_text: str) -> str:
    quote = 3 if token_text[:3] in ('"""', "'''") else 1
    body = token_text[quote:-quote]
    return _ESCAPES.sub(
        lambda m: chr(int(m.group(1) or m.group(2), 16)) if not m.group(3) else _SIMPLE[m.group(3)],
        body,
    )


def rewrite(
    text: str, searcher: Searcher, base: str | None = None, namespace: str = NAMESPACE
) -> str:
    """The query with every `text:query` pattern replaced by the VALUES of its hits; the text
    unchanged when it does not use the property function."""
    if namespace not in text:
        return text
    tokens = _lex(text)
    reader = _Reader(text, tokens, base)
    reader.prologue()
    edits: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens):
        if token[0] not in ("pname", "iri") or reader.iri(token) != namespace + "query":
            continue
        edits.append(_pattern(text, tokens, index, searcher, reader))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _fail(text: str, token: _Token, message: str) -> QuerySyntaxError:
    line = text.count("\n", 0, token[1]) + 1
    column = token[1] - text.rfind("\n", 0, token[1])
    return QuerySyntaxError(f"error at {line}:{column}: text:query {message}")


def _subject(text: str, tokens: list[_Token], index: int) -> tuple[int, list[str]]:
    """The start offset of the pattern's subject and its variables."""
    before = tokens[index - 1] if index else None
    if before is not None and before[0] == "var":
        return before[1], [text[before[1] + 1 : before[2]]]
    if before is not None and before[0] == ")":
        names: list[str] = []
        at = index - 2
        while at >= 0 and tokens[at][0] == "var":
            names.insert(0, text[tokens[at][1] + 1 : tokens[at][2]])
            at -= 1
        if at >= 0 and tokens[at][0].startswith("(") and 1 <= len(names) <= 3:
            return tokens[at][1], names
    raise _fail(
        text, tokens[index], "needs a variable or a list of up to three variables as its subject"
    )


def _object(text: str, tokens: list[_Token], index: int) -> tuple[int, str, str, int]:
    """The index after the pattern's object, the search string, its language and the hits."""
    at = index + 1
    listed = at < len(tokens) and tokens[at][0].startswith("(")
    at += listed
    if at >= len(tokens) or tokens[at][0] != "string":
        raise _fail(text, tokens[index], "needs a search string as its object")
    words = _unquote(text[tokens[at][1] : tokens[at][2]])
    at += 1
    lang = ""
    if at < len(tokens) and tokens[at][0] == "langtag":
        lang = text[tokens[at][1] + 1 : tokens[at][2]].lower()
        at += 1
    hits = DEFAULT_HITS
    if listed:
        if at < len(tokens) and tokens[at][0] == "number":
            hits = int(Decimal(text[tokens[at][1] : tokens[at][2]]))
            at += 1
        if at >= len(tokens) or tokens[at][0] != ")":
            raise _fail(text, tokens[index], 'takes ("words") or ("words" number-of-hits)')
        at += 1
    if not 1 <= hits <= MAX_HITS:
        raise _fail(text, tokens[index], f"number of hits must be between 1 and {MAX_HITS}")
    return at, words, lang, hits


def _pattern(
    text: str, tokens: list[_Token], index: int, searcher: Searcher, reader: _Reader
) -> tuple[int, int, str]:
    start, names = _subject(text, tokens, index)
    after, words, lang, hits = _object(text, tokens, index)
    try:
        found = searcher(words, lang, hits)
    except ValueError as error:
        raise _fail(text, tokens[index], str(error)) from error
    rows = []
    for hit in found:
        terms = [
            URIRef(hit.iri),
            Literal(Decimal(f"{hit.score:.4f}")),
            Literal(hit.text, lang=hit.lang or None),
        ]
        rows.append("(" + " ".join(t.n3() for t in terms[: len(names)]) + ")")
    variables = " ".join(f"?{name}" for name in names)
    block = f"VALUES ({variables}) {{ {' '.join(rows)} }}"
    end = tokens[after - 1][2]
    if after < len(tokens) and tokens[after][0] == ";":
        if len(names) != 1:
            raise _fail(text, tokens[after], "with a list subject cannot be followed by ';'")
        end = tokens[after][2]
        block += f" ?{names[0]}"
    elif after < len(tokens) and tokens[after][0] == ",":
        raise _fail(text, tokens[after], "cannot be followed by ','")
    return start, end, block
