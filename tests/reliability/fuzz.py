"""Hostile and broken input generated with hypothesis, sent over real sockets.

Each kind of input is one check: a hypothesis test run with `examples` examples against a live
server. Every answer must come back (no hang past the query timeout plus parsing), with a status
below 500 or an intended 503 (overload with Retry-After, or a query stopped at its timeout).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from urllib.parse import quote, quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .raw import Answer, send
from .server import TOKEN

ANSWER_WITHIN_S = 30.0
QUERY = b"application/sparql-query"
UPDATE = b"application/sparql-update"
FORM = b"application/x-www-form-urlencoded"
TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    "*",
    ".",
    ";",
    ",",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "FILTER",
    "BIND",
    "AS",
    "VALUES",
    "GRAPH",
    "SERVICE",
    "FROM",
    "NAMED",
    "LIMIT",
    "OFFSET",
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    "COUNT",
    "REGEX",
    "STR",
    "LANG",
    "<urn:x>",
    "<>",
    "<file:///x>",
    '"x"',
    '"x"@en',
    "1",
    "1.5e9",
    "true",
    "a",
    "rdf:type",
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>",
    "^",
    "/",
    "|",
    "+",
    "?",
    "!",
    "[]",
    "_:b",
    "#",
    "\\u0000",
    "'''",
    "INSERT DATA",
    "DELETE",
    "LOAD",
    "CLEAR ALL",
    "DROP",
]
PATHS = [
    "/sparql",
    "/update",
    "/store",
    "/store?default",
    "/store?graph=urn:x",
    "/",
    "/query",
    "/download/",
    "/ontology",
    "/resource/x",
    "/healthz",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW"]
HEADER_NAMES = [
    b"Content-Type",
    b"Accept",
    b"Accept-Charset",
    b"Accept-Encoding",
    b"Content-Encoding",
    b"Authorization",
    b"Origin",
    b"Cookie",
    b"X-Forwarded-For",
    b"Range",
    b"If-None-Match",
    b"Expect",
    b"Accept-Language",
    b"Referer",
]
CONTENT_TYPES = [
    QUERY,
    UPDATE,
    FORM,
    b"text/turtle",
    b"application/ld+json",
    b"multipart/form-data; boundary=x",
    b"application/sparql-query; charset=latin1",
    b"text/plain",
    b"application/sparql-query; version=9",
    b"*/*",
    b";;",
    b"",
]


def real_queries() -> list[str]:
    """The competency queries, to mutate."""
    folder = resources.files("cajkg.queries")
    return [
        f.read_text(encoding="utf-8")
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".rq")
    ]


def sane(answer: Answer, what: object) -> None:
    """The answer every input must get: no 5xx except intended 503s, and in time."""
    intended = answer.status == 503 and (
        "retry-after" in answer.headers or b"stopped" in answer.body or b"busy" in answer.body
    )
    assert answer.status < 500 or intended, (answer.status, answer.body[:300], what)
    assert answer.seconds < ANSWER_WITHIN_S, (answer.seconds, what)


def _query(url: str, text: bytes, how: int) -> Answer:
    """Send a query text by GET, POST form or POST direct."""
    if how == 0:
        return send(url, "GET", "/sparql?query=" + quote_from_bytes(text), [])
    if how == 1:
        return send(
            url,
            "POST",
            "/sparql",
            [(b"Content-Type", FORM)],
            b"query=" + quote_from_bytes(text).encode(),
        )
    return send(url, "POST", "/sparql", [(b"Content-Type", QUERY)], text)


def _mutate(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 40)))
        kind = data.draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "cut"]))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] * data.draw(st.integers(1, 50)) + text[j:]
        elif kind == "insert":
            token = data.draw(st.sampled_from([*TOKENS, "\x00", "\ud7ff", "\U0010ffff"]))
            text = text[:i] + token + " " + text[i:]
        elif kind == "swap":
            text = text[i:j] + text[:i] + text[j:]
        else:
            text = text[:i]
    return text


def checks(url: str, examples: int) -> dict[str, Callable[[], None]]:
    """One runnable hypothesis test per kind of hostile input, against the server at url."""
    config = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    originals = real_queries()

    @config
    @given(st.text(max_size=300), st.integers(0, 2))
    def random_text(text: str, how: int) -> None:
        sane(_query(url, text.encode("utf-8", "surrogatepass"), how), text)

    @config
    @given(st.lists(st.sampled_from(TOKENS), max_size=40), st.integers(0, 2))
    def random_sparql(tokens: list[str], how: int) -> None:
        text = " ".join(tokens)
        sane(_query(url, text.encode(), how), text)

    @config
    @given(st.sampled_from(originals), st.data(), st.integers(0, 2))
    def mutated_queries(original: str, data: st.DataObject, how: int) -> None:
        text = _mutate(original, data)
        sane(_query(url, text.encode("utf-8", "surrogatepass"), how), text)

    @config
    @given(st.binary(max_size=200), st.integers(0, 3))
    def invalid_utf8(raw: bytes, how: int) -> None:
        data = b'ASK { ?s ?p "' + raw + b'\\xff\\xc3" }'
        data = data.replace(b"\\xff\\xc3", b"\xff\xc3")
        if how == 3:
            sane(
                send(
                    url,
                    "POST",
                    "/update",
                    [(b"Content-Type", UPDATE), (b"Authorization", f"Bearer {TOKEN}".encode())],
                    data,
                ),
                raw,
            )
        else:
            sane(_query(url, data, how), raw)

    @config
    @given(
        st.integers(1_000, 250_000), st.sampled_from('ab\u00e9\u65e5\U0001f600"'), st.integers(0, 2)
    )
    def huge_literals(size: int, char: str, how: int) -> None:
        text = 'ASK { ?s ?p "' + char * size + '" }'
        sane(_query(url, text.encode(), how), (size, char))

    @config
    @given(
        st.integers(1, 30_000),
        st.sampled_from(["(", "{", "OPTIONAL {", "[ <urn:p> ", "NOT EXISTS {", "((<urn:p>/"]),
        st.integers(0, 2),
    )
    def deep_nesting(depth: int, opener: str, how: int) -> None:
        closer = {
            "(": ")",
            "{": "}",
            "OPTIONAL {": "}",
            "[ <urn:p> ": "]",
            "NOT EXISTS {": "}",
            "((<urn:p>/": "<urn:q>))",
        }[opener]
        text = "SELECT * { ?s ?p ?o FILTER(" + opener * depth + "1" + closer * depth + ") }"
        sane(_query(url, text[:300_000].encode(), how), (depth, opener))

    header_value = st.binary(max_size=200).map(lambda b: bytes(c for c in b if c not in b"\r\n"))

    @config
    @given(
        st.sampled_from(METHODS),
        st.sampled_from(PATHS),
        st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_value), max_size=6),
        st.sampled_from(CONTENT_TYPES),
        st.binary(max_size=300),
    )
    def odd_headers(
        method: str, path: str, headers: list[tuple[bytes, bytes]], content_type: bytes, body: bytes
    ) -> None:
        sent = [(b"Content-Type", content_type), *headers]
        sane(send(url, method, path, sent, body), (method, path, sent, body[:50]))

    @config
    @given(
        st.sampled_from(["/sparql", "/update", "/store?graph=urn:x", "/store?default"]),
        st.sampled_from([QUERY, UPDATE, FORM, b"text/turtle"]),
        st.integers(1, 400_000),
    )
    def oversized_bodies(path: str, content_type: bytes, extra: int) -> None:
        body = b"#" * (200_000 + extra)
        answer = send(
            url,
            "POST" if "store" not in path else "PUT",
            path,
            [(b"Content-Type", content_type), (b"Authorization", f"Bearer {TOKEN}".encode())],
            body,
        )
        sane(answer, (path, len(body)))
        readable = {"/sparql": (QUERY, UPDATE, FORM), "/update": (UPDATE, FORM)}.get(
            path, (b"text/turtle",)
        )
        expected = (413,) if content_type in readable else (413, 415)
        assert answer.status in expected, (answer.status, answer.body[:200])

    @config
    @given(st.text(min_size=1, max_size=120), st.sampled_from(["GET", "HEAD", "POST"]))
    def random_paths(path: str, method: str) -> None:
        target = "/" + quote(path, safe="/;:@&=+$,%?#")
        sane(send(url, method, target, [(b"Accept", b"text/html")]), target)

    return {
        f.__name__: f
        for f in (
            random_text,
            random_sparql,
            mutated_queries,
            invalid_utf8,
            huge_literals,
            deep_nesting,
            odd_headers,
            oversized_bodies,
            random_paths,
        )
    }
