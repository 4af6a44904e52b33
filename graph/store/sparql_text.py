r"""What cajkg reads from SPARQL query text before a store evaluates it, without a full parser.

Every store needs four things first: the query form (406 comes before evaluation), the graphs
of FROM and FROM NAMED, every SERVICE target (pyoxigraph's HTTP client follows SERVICE, so
targets are refused unless allow-listed) and a syntax check with a precise message. A lexer
over the terminals of the SPARQL grammar gives the first three; Oxigraph parses the query for
the fourth, without evaluating it.

Oxigraph runs the query, so where it departs from the grammar the lexer follows Oxigraph:
- codepoint escapes (\uXXXX, \UXXXXXXXX) are decoded inside IRIs and strings only; anywhere else
  they are syntax errors, so no escape spells a keyword;
- `<` right after an operand inside an expression is less-than (`FILTER(?a<?b&&?c>?d)`);
  anywhere else it opens an IRI (`<<` and `<<(` open SPARQL 1.2 triples);
- keywords need no separator in Oxigraph (`SERVICESILENT<x>{}` runs), so a word that is not
  exactly a keyword is an error here, and `SERVICE SILENT:x` is SERVICE SILENT on `:x`.
Whatever else Oxigraph's backtracking parser reads differently (a prefixed name whose IRI is
invalid falls back to its prefix plus a keyword, say) is caught by the probe: its copy of the
text contains "service" nowhere, each SERVICE found becoming GRAPH and every other occurrence a
string of letters that the text does not contain. The probe can therefore reach no endpoint,
and a SERVICE that the lexer missed becomes a syntax error instead of a request.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef, Variable

from .base import QuerySyntaxError, StoreError

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")

KEYWORDS = frozenset(
    """
    BASE PREFIX VERSION SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE
    GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND
    MINUS UNION FILTER LATERAL EXISTS NOT IN
    LOAD INTO CLEAR DROP CREATE ADD TO MOVE COPY INSERT DATA DELETE WITH USING DEFAULT ALL
    STR LANG LANGMATCHES LANGDIR DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
    SUBSTR STRLEN REPLACE UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE
    STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256
    SHA384 SHA512 COALESCE IF STRLANG STRLANGDIR STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL
    ISNUMERIC HASLANG HASLANGDIR REGEX TRIPLE ISTRIPLE SUBJECT PREDICATE OBJECT ADJUST
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
    """.split()
)
_CASE_SENSITIVE = frozenset({"a", "true", "false"})
_NOT_CALLS = frozenset({"VALUES", "UNDEF", "a", "true", "false"})

_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_BASE = (
    r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f\u2040"
_PLX = rf"%{_HEX}{_HEX}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PNAME = (
    rf"(?:[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?)?:"
    rf"(?:(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?)?"
)
_STRING = "|".join(
    (
        rf"'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*+'''",
        rf'"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*+"""',
        rf"'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*+'",
        rf'"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*+"',
    )
)
_EXP = "[eE][+-]?[0-9]+"
# One token after any whitespace and comments; `<`, `>`, `)` and `|` depend on the context and
# are left to the lexer's loop.
_TOKEN = re.compile(
    r"(?:[ \t\r\n]+|#[^\r\n]*)*+(?:"
    rf"(?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f\u2040]*)"
    rf"|(?P<number>[0-9]+\.[0-9]*{_EXP}|\.[0-9]+{_EXP}|[0-9]+{_EXP}|[0-9]*\.[0-9]+|[0-9]+)"
    rf"|(?P<pname>{_PNAME})"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*)"
    rf"|(?P<string>{_STRING})"
    rf"|(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)"
    r"|(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)"
    r"|(?P<nil>\([ \t\r\n]*\))|(?P<anon>\[[ \t\r\n]*\])"
    r"|(?P<punct>\^\^|&&|!=|\{\||[{}(\[\],;.=!*/+\-^~?])"
    r")?"
)
_PNAME_ONLY = re.compile(_PNAME)
_IRI_BODY = re.compile(rf'(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*')
_UCHARS = re.compile(_UCHAR)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_REFERENCE = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_SERVICE = re.compile("service", re.IGNORECASE | re.ASCII)

# Operands end with these; after one, inside an expression, `<` compares.
_OPERAND_ENDS = frozenset(
    {"string", "var", "pname", "iri", "number", "langtag", "nil", "true", "false", ")", ")>>"}
)
_TERMS = frozenset({"string", "var", "bnode", "pname", "number", "langtag", "nil", "anon"})
_OPENERS = frozenset({"{", "{|", "[", "(", "(expr", "<<", "<<("})
_CLOSERS = {"}": "{", "]": "[", ")": "(", "|}": "{|", ")>>": "<<(", ">>": "<<"}
# Clauses in which every `(` opens an expression, set by the keyword that starts them.
_MODES = {
    "SELECT": "projection",
    "GROUP": "modifier",
    "ORDER": "modifier",
    "HAVING": "modifier",
    "WHERE": "",
    "FROM": "",
    "LIMIT": "",
    "OFFSET": "",
    "VALUES": "",
}


@dataclass(frozen=True)
class QueryShape:
    """What every store needs from a query before evaluating it."""

    form: str
    from_default: tuple[URIRef, ...]
    from_named: tuple[URIRef, ...]
    services: tuple[URIRef | Variable, ...]
    functions: tuple[URIRef, ...] = ()


_Token = tuple[str, int, int, int]  # kind, start, end, depth: plain tuples are fastest

# Oxigraph's parser recurses on every bracket (and `!`), up to 10 KB of stack a level (nested
# COUNT): 820 levels overflow an 8 MB thread stack, a segfault of the whole server. 128 levels
# need at most 1.3 MB; rdflib gave up at 20 to 100, so the limit refuses nothing it accepted.
MAX_DEPTH = 128


def _position(text: str, pos: int) -> str:
    """Line and column, counted in characters from 1 as Oxigraph counts them."""
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"{line}:{column}"


def _error(text: str, pos: int, message: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"error at {_position(text, pos)}: {message}")


def _lex(text: str) -> list[_Token]:
    """The tokens of a query, each with its nesting depth (0: outside every bracket)."""
    tokens: list[_Token] = []
    append = tokens.append
    match_at = _TOKEN.match
    frames: list[tuple[str, int]] = []  # open brackets: kind and position
    modes = [""]  # per top level and `{` frame: "projection", "modifier" or ""
    before = previous = ""  # the two previous token kinds (keywords upper-cased)
    pos = bangs = 0
    while True:
        match = match_at(text, pos)
        kind = match.lastgroup
        end = match.end()
        if kind in _TERMS:
            append((kind, match.start(kind), end, len(frames)))
            before, previous, pos = previous, kind, end
            continue
        start = match.start(kind) if kind else end
        top = frames[-1][0] if frames else ""
        depth = len(frames)
        if kind == "word":
            kind = _keyword(text, start, end)
            if top in ("", "{"):
                modes[-1] = _MODES.get(kind, modes[-1])
        elif kind == "punct":
            kind = text[start:end]
            if kind == "!":
                bangs = bangs + 1 if previous == "!" else 1
                if bangs > MAX_DEPTH:
                    raise _error(text, start, f"more than {MAX_DEPTH} '!' in a row")
            elif kind == "(" and top in ("", "{", "(expr"):
                kind = _paren(top, modes[-1], previous, before)
            elif kind == "{":
                if top in ("", "{"):
                    modes[-1] = ""  # the WHERE clause ends a projection
                modes.append("")
        elif kind is None:
            if start == len(text):
                break
            kind, end = _contextual(text, start, top, previous)
        if kind in _OPENERS:
            frames.append((kind, start))
            if len(frames) > MAX_DEPTH:
                raise _error(text, start, f"brackets nest deeper than {MAX_DEPTH}")
        elif kind in _CLOSERS:
            _close(text, frames, kind, start)
            depth -= 1
            if kind == "}":
                modes.pop()
        append((kind, start, end, depth))
        before, previous, pos = previous, kind, end
    if frames:
        kind, start = frames[-1]
        raise _error(text, start, f"{kind.removesuffix('expr')!r} is never closed")
    return tokens


def _keyword(text: str, start: int, end: int) -> str:
    word = text[start:end]
    if word in _CASE_SENSITIVE:
        return word
    if word.upper() not in KEYWORDS:
        raise _error(text, start, f"unknown keyword {word!r}")
    return word.upper()


def _paren(top: str, mode: str, previous: str, before: str) -> str:
    """Whether a `(` opens an expression: only there does `<` after an operand compare."""
    if top == "(expr" or mode:
        return "(expr"
    if previous.isupper() and previous not in _NOT_CALLS:
        return "(expr"  # FILTER(, BIND(, STR(, ...
    if previous in ("iri", "pname") and before == "FILTER":
        return "(expr"  # FILTER <function>(
    return "("  # a collection, a path group


def _contextual(text: str, start: int, top: str, previous: str) -> tuple[str, int]:
    """Characters whose token depends on where they are: `<`, `>`, `)`, `|`."""
    char = text[start]
    if char == "<":
        if top == "(expr" and previous in _OPERAND_ENDS:
            return ("<=", start + 2) if text.startswith("<=", start) else ("<", start + 1)
        for opener in ("<<(", "<<"):
            if text.startswith(opener, start):
                return opener, start + len(opener)
        end = text.find(">", start)
        if end < 0:
            raise _error(text, start, "the IRI is never closed with '>'")
        if not _IRI_BODY.fullmatch(text, start + 1, end):
            raise _error(text, start, "the IRI contains a character that IRIs cannot contain")
        return "iri", end + 1
    if char == ">":
        if top == "<<" and text.startswith(">>", start):
            return ">>", start + 2
        return (">=", start + 2) if text.startswith(">=", start) else (">", start + 1)
    if char == ")":
        if top == "<<(" and text.startswith(")>>", start):
            return ")>>", start + 3
        return ")", start + 1
    if char == "|":
        if top == "{|" and text.startswith("|}", start):
            return "|}", start + 2
        return ("||", start + 2) if text.startswith("||", start) else ("|", start + 1)
    if char in "'\"":
        raise _error(text, start, "the string is never closed or contains an invalid escape")
    raise _error(text, start, f"unexpected character {char!r}")


def _close(text: str, frames: list[tuple[str, int]], closer: str, start: int) -> None:
    if not frames:
        raise _error(text, start, f"{closer!r} closes nothing that is open")
    opener, opened = frames[-1]
    opener = opener.removesuffix("expr")
    if opener != _CLOSERS[closer]:
        expected = next(c for c, o in _CLOSERS.items() if o == opener)
        raise _error(
            text,
            start,
            f"{closer!r} where {expected!r} should close the {opener!r} "
            f"at {_position(text, opened)}",
        )
    frames.pop()


class _Reader:
    """The prologue, form, dataset clauses and SERVICE targets of a lexed query."""

    def __init__(self, text: str, tokens: list[_Token], base: str | None) -> None:
        self.text = text
        self.tokens = tokens
        self.base = base
        self.prefixes: dict[str, str] = {}
        self.edits: list[tuple[int, int, str]] = []  # the probe's copy: (start, end, new text)

    def at(self, index: int, expected: str) -> _Token:
        if index < len(self.tokens):
            return self.tokens[index]
        raise _error(self.text, len(self.text), f"the query ends where {expected} is expected")

    def fail(self, token: _Token, message: str) -> QuerySyntaxError:
        return _error(self.text, token[1], message)

    def shape(self) -> QueryShape:
        index = self.prologue()
        form = self.at(index, "SELECT, CONSTRUCT, DESCRIBE or ASK")[0]
        if form not in FORMS:
            raise self.fail(self.tokens[index], "expected SELECT, CONSTRUCT, DESCRIBE or ASK")
        from_default: list[URIRef] = []
        from_named: list[URIRef] = []
        services: list[URIRef | Variable] = []
        functions: list[URIRef] = []
        before_where = form != "DESCRIBE"  # where a bare prefixed name would be a FROM
        template = form == "CONSTRUCT"
        frames: list[str] = []
        index += 1
        while index < len(self.tokens):
            token = self.tokens[index]
            kind, _, _, depth = token
            callee = self.tokens[index - 1]
            if callee[0] in ("iri", "pname") and (
                kind == "(expr"
                or (
                    kind == "nil"
                    and (
                        (frames and frames[-1] == "(expr") or self.tokens[index - 2][0] == "FILTER"
                    )
                )
            ):
                functions.append(URIRef(self.iri(callee)))
            if kind in _OPENERS:
                frames.append(kind)
            elif kind in _CLOSERS and frames:
                frames.pop()
            index += 1
            if kind == "SERVICE":
                index = self.service(index, token, services)
            elif kind == "FROM" and depth == 0:
                graphs = from_default
                if self.at(index, "an IRI")[0] == "NAMED":
                    graphs = from_named
                    index += 1
                graphs.append(URIRef(self.iri(self.at(index, "an IRI"))))
                index += 1
            elif depth == 0 and kind in ("WHERE", "{"):
                before_where = before_where and kind == "{" and template
                template = False
            elif kind == "pname" or kind == "iri":
                if kind == "pname" and before_where and depth == 0:
                    raise self.fail(token, "expected FROM or WHERE before this prefixed name")
                self.iri(token)
        return QueryShape(
            form, tuple(from_default), tuple(from_named), tuple(services), tuple(functions)
        )

    def prologue(self) -> int:
        """BASE, PREFIX and VERSION in any order; returns the index of the form keyword."""
        index = 0
        while index < len(self.tokens) and self.tokens[index][0] in ("BASE", "PREFIX", "VERSION"):
            keyword = self.tokens[index][0]
            if keyword == "VERSION":
                version = self.at(index + 1, "a version string")
                if version[0] != "string":
                    raise self.fail(version, "expected a version string")
                index += 2
            elif keyword == "BASE":
                self.base = self.iri_ref(self.at(index + 1, "an IRI"))
                index += 2
            else:
                kind, start, end, _ = name = self.at(index + 1, "a prefix name")
                text = self.text[start:end]
                if kind != "pname" or not text.endswith(":") or text.count(":") != 1:
                    raise self.fail(name, "expected a prefix name ending with ':'")
                self.prefixes[text] = self.iri_ref(self.at(index + 2, "an IRI"))
                index += 3
        return index

    def service(self, index: int, keyword: _Token, services: list[URIRef | Variable]) -> int:
        """Read SERVICE [SILENT] target, as Oxigraph does, and hide it from the probe."""
        self.edits.append((keyword[1], keyword[2], "  GRAPH"))  # errors point where they did
        target = self.at(index, "SILENT, an IRI or a variable")
        kind, start, end, depth = target
        if kind == "SILENT":
            self.edits.append((start, end, " " * 6))
            index += 1
            target = self.at(index, "an IRI or a variable")
        elif kind == "pname" and _is_keyword(self.text[start : start + 6], "SILENT"):
            # Oxigraph reads SILENT first: `SERVICE SILENT:x` calls `:x`.
            target = ("pname", start + 6, end, depth)
            if not _PNAME_ONLY.fullmatch(self.text, start + 6, end):
                raise self.fail(target, "expected an IRI or a variable after SILENT")
            self.edits.append((start, start + 6, " " * 6))
        kind, start, end, _ = target
        if kind == "var":
            services.append(Variable(self.text[start + 1 : end]))
            self.edits.append(self.fresh_variable(target))
        elif kind in ("iri", "pname"):
            services.append(URIRef(self.iri(target)))
        else:
            raise self.fail(target, "expected an IRI or a variable after SERVICE")
        return index + 1

    def iri(self, token: _Token) -> str:
        """The IRI that an IRIREF or prefixed name token denotes."""
        kind, start, end, _ = token
        if kind == "iri":
            return self.iri_ref(token)
        if kind != "pname":
            raise self.fail(token, "expected an IRI")
        prefix, _, local = self.text[start:end].partition(":")
        namespace = self.prefixes.get(prefix + ":")
        if namespace is None:
            raise self.fail(token, f"the prefix {prefix + ':'!r} is not declared")
        return namespace + local.replace("\\", "")

    def iri_ref(self, token: _Token) -> str:
        """An IRIREF's IRI: escapes decoded, resolved against the BASE."""
        kind, start, end, _ = token
        if kind != "iri":
            raise self.fail(token, "expected an IRI between '<' and '>'")
        body = self.text[start + 1 : end - 1]
        if "\\" in body:
            body = _UCHARS.sub(lambda m: self.codepoint(token, m.group()), body)
        if _SCHEME.match(body):
            return body
        if self.base is None:
            raise self.fail(token, f"the relative IRI <{body}> needs a BASE")
        return _resolve(self.base, body)

    def codepoint(self, token: _Token, escape: str) -> str:
        value = int(escape[2:], 16)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise self.fail(token, f"{escape} is not a Unicode scalar value")
        return chr(value)

    def fresh_variable(self, token: _Token) -> tuple[int, int, str]:
        """A variable of the same length that the query does not use, for the probe: a GRAPH
        variable is in scope afterwards where a SERVICE one is not."""
        _, start, end, _ = token
        used = {self.text[s + 1 : e] for kind, s, e, _ in self.tokens if kind == "var"}
        for name in _names(string.ascii_letters + string.digits, end - start - 1):
            if name not in used and not _SERVICE.search(name):
                return start, end, self.text[start] + name
        return start, end, self.text[start:end]


def _names(alphabet: str, length: int) -> Iterator[str]:
    return ("".join(chars) for chars in itertools.product(alphabet, repeat=length))


def _is_keyword(text: str, keyword: str) -> bool:
    """Oxigraph's case-insensitive match, on ASCII only (str.upper maps the long s to S)."""
    return text.isascii() and text.upper() == keyword


def _resolve(base: str, reference: str) -> str:
    """A relative reference against the BASE, as Oxigraph resolves it: RFC 3986 section 5.2,
    except that dot segments of the base and of a network-path reference stay as written."""
    b_scheme, b_authority, b_path, b_query, _ = _REFERENCE.fullmatch(base).groups()
    _, authority, path, query, fragment = _REFERENCE.fullmatch(reference).groups()
    if authority is not None:
        return f"{b_scheme}:{reference}"
    if not path:
        path, query = b_path, b_query if query is None else query
    else:
        base_dir = b_path[: b_path.rfind("/") + 1]
        if path.startswith("/"):
            base_dir = ""
        elif b_authority is not None and not b_path:
            base_dir = "/"
        path = _dot_segments(base_dir, path, b_authority is not None)
    result = f"{b_scheme}:" if b_authority is None else f"{b_scheme}://{b_authority}"
    result += path
    if query is not None:
        result += f"?{query}"
    if fragment is not None:
        result += f"#{fragment}"
    return result


def _dot_segments(output: str, path: str, authority: bool) -> str:
    """`path` appended to the base's directory `output` (its segments taken as written), each
    `..` removing the last segment so far; below the root only where there is no authority."""
    parts = path.split("/")
    for index, part in enumerate(parts):
        if part == "..":
            if output != "/" or not authority:
                output = output[: output[:-1].rfind("/") + 1]
        elif part != ".":
            output += part if index == len(parts) - 1 else part + "/"
    return output


def _without_service(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The probe's copy of the text: the SERVICE edits applied, and every other "service"
    replaced by letters that no keyword starts with (case kept), and that the text does not
    contain if one of the first 64 tried will do, so that no two names become one."""
    edited = [(start, end) for start, end, _ in edits]
    occurrences = [
        m.start()
        for m in _SERVICE.finditer(text)
        if not any(s < m.end() and m.start() < e for s, e in edited)
    ]
    if occurrences:
        lowered = text.lower()
        letters = next(
            (name for name in itertools.islice(_names("qzxj", 7), 64) if name not in lowered),
            "qzxjqzx",
        )
        edits = edits + [
            (
                start,
                start + 7,
                "".join(
                    new.upper() if old.isupper() else new
                    for old, new in zip(text[start : start + 7], letters, strict=True)
                ),
            )
            for start in occurrences
        ]
    pieces, last = [], 0
    for start, end, new in sorted(edits):
        pieces += [text[last:start], new]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


_ORACLE = ox.Store()


def _probe(text: str, base: str | None) -> None:
    """Have Oxigraph parse the query and stop before evaluating it.

    `query()` parses, then refuses use_default_graph_as_union together with default_graph
    (ValueError) before it evaluates anything. Evaluation would not do: `query()` starts it
    eagerly (SERVICE requests, ORDER BY and GROUP BY over the whole input), even if the
    result is never iterated.
    """
    try:
        _ORACLE.query(text, base_iri=base, use_default_graph_as_union=True, default_graph=[])
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    except ValueError as error:
        if "use_default_graph_as_union" in str(error):
            return
        raise StoreError(f"pyoxigraph refused the query: {error}") from None
    raise StoreError("pyoxigraph evaluated a query that it was only asked to parse")


@functools.lru_cache(maxsize=256)
def _unknown(function: URIRef) -> bool:
    """Whether Oxigraph lacks a function (it implements the built-ins and the XSD casts); it
    says so when it plans a query, which would otherwise be a fault of the server."""
    try:
        _ORACLE.query(f"SELECT (<{function}>() AS ?x) {{}}")
    except RuntimeError as error:
        return "is not supported" in str(error)
    except SyntaxError:
        return False
    return False


def read_query(text: str, base: str | None = None) -> QueryShape:
    """The form, FROM and FROM NAMED graphs and SERVICE targets of a SPARQL query, once
    Oxigraph has checked its syntax; QuerySyntaxError names the line and column.

    `base` is the service's base IRI: relative IRIs resolve against it (and a BASE in the query
    against it too), as in Oxigraph's `query(base_iri=...)`; without it they are errors.
    """
    reader = _Reader(text, _lex(text), base)
    shape = reader.shape()
    _probe(_without_service(text, reader.edits), base)
    for function in shape.functions:
        if _unknown(function):
            raise QuerySyntaxError(
                f"the function {function.n3()} is unknown: this endpoint implements the SPARQL "
                "1.1 built-in functions and the XSD casts"
            )
    return shape
