"""Reading a query's shape from its tokens (graph/store/sparql_text.py).

The SERVICE tests run the same text on pyoxigraph against a loopback canary: a SERVICE is
counted exactly when Oxigraph calls it.
"""

from __future__ import annotations

import http.server
import posixpath
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import shared_dir
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Namespace, URIRef, Variable
from rdflib.collection import Collection
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from cajkg.graph.store.base import QuerySyntaxError, StoreError
from cajkg.graph.store.sparql_text import MAX_DEPTH, QueryShape, read_query

ROOT = Path(__file__).resolve().parents[1]
SERVICE_BASE = "http://www.example/sparql/"


class Canary:
    """A loopback HTTP server that records the path of every request and answers 500."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(urllib.parse.urlsplit(self.path).path)
                self.send_response(500)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def called(self, text: str) -> set[str]:
        """The paths that pyoxigraph requests when it runs `text` to the end."""
        self.hits.clear()
        try:
            answer = ox.Store().query(text)
            if not isinstance(answer, ox.QueryBoolean):
                list(answer)
        except OSError:
            pass  # a SERVICE without SILENT fails on the canary's 500
        return set(self.hits)


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    running = Canary()
    yield running
    running.server.shutdown()


def paths(shape: QueryShape) -> set[str]:
    """The paths of the SERVICE IRIs, as an HTTP client requests them (dot segments gone)."""
    found = set()
    for target in shape.services:
        path = urllib.parse.urlsplit(str(target)).path or "/"
        normal = posixpath.normpath(path)
        found.add(normal + "/" if path.endswith("/") and normal != "/" else normal)
    return found


def evaluated_iri(text: str) -> str:
    """The IRI that Oxigraph binds to ?x in `text`."""
    return next(iter(ox.Store().query(text)))["x"].value


def oxigraph_parses(text: str, base: str | None = None) -> bool:
    try:
        ox.Store().query(text, base_iri=base, use_default_graph_as_union=True, default_graph=[])
    except SyntaxError:
        return False
    except ValueError:
        return True
    raise AssertionError("pyoxigraph evaluated the query")


# -- forms and prologue ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, form",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("select distinct ?s { ?s ?p ?o } order by ?s limit 1", "SELECT"),
        ("ASK { ?s ?p ?o }", "ASK"),
        ("ask{}", "ASK"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/x>", "DESCRIBE"),
        ("describe * where { ?s ?p ?o }", "DESCRIBE"),
        (
            "# about\nPREFIX ex: <http://example.org/>\nSELECT ?x { { SELECT ?x { ?x ?p ?o } } }",
            "SELECT",
        ),
        ("ASK { { SELECT * { ?s ?p ?o } LIMIT 1 } }", "ASK"),
        ('VERSION "1.2" SELECT * {}', "SELECT"),
    ],
)
def test_the_form_is_the_keyword_after_the_prologue(text, form):
    assert read_query(text) == QueryShape(form, (), (), ())


def test_base_and_prefix_in_any_order_and_number():
    shape = read_query(
        "PREFIX a: <http://a.example/> BASE <http://b.example/dir/> PREFIX rel: <sub/>\n"
        "PREFIX a: <http://a2.example/> BASE <other/>\n"
        "SELECT * FROM a:g FROM rel:g FROM <g> FROM <../up> WHERE {}"
    )
    assert shape.from_default == (
        URIRef("http://a2.example/g"),  # the last declaration of a prefix counts
        URIRef("http://b.example/dir/sub/g"),  # a relative prefix resolves against the BASE
        URIRef("http://b.example/dir/other/g"),  # a relative BASE against the one before
        URIRef("http://b.example/dir/up"),
    )


def test_prefixed_names_lose_their_escapes_and_keep_percent_encodings():
    shape = read_query(r"PREFIX ex: <http://ex/> SELECT * FROM ex:a\~b%20c\.d {}")
    assert shape.from_default == (URIRef("http://ex/a~b%20c.d"),)
    assert evaluated_iri(
        r"PREFIX ex: <http://ex/> SELECT ?x { BIND(ex:a\~b%20c\.d AS ?x) }"
    ) == str(shape.from_default[0])


BASES = [
    "http://a/b/c/d;p?q",
    "http://a/b/../c/",
    "http://a",
    "http://a/b/..",
    "a:b/../c",
    "a:/../b/c",
    "urn:a:b",
    "file:///x/./y/",
]
REFERENCES = [
    "g",
    "./g",
    "g/",
    "/g",
    "//g",
    "?y",
    "g?y",
    "#s",
    "g?y#s",
    ";x",
    "",
    ".",
    "./",
    "..",
    "../",
    "../g",
    "../..",
    "../../g",
    "../../../g",
    "../../../../g",
    "/./g",
    "/../g",
    "g.",
    ".g",
    "g..",
    "..g",
    "./../g",
    "./g/.",
    "g/./h",
    "g/../h",
    "g;x=1/./y",
    "g;x=1/../y",
    "g?y/./x",
    "g#s/../x",
    "/x/../y",
    "//g/a/../b",
    "d/..",
    "/a/b/../../..",
    "http:g",
    "g:h/../i",
]


@pytest.mark.parametrize("base", BASES)
def test_relative_iris_resolve_as_oxigraph_resolves_them(base):
    """RFC 3986, except that Oxigraph keeps the dot segments of the base as written."""
    for reference in REFERENCES:
        expected = evaluated_iri(f"BASE <{base}> SELECT ?x {{ VALUES ?x {{ <{reference}> }} }}")
        shape = read_query(f"BASE <{base}> SELECT * FROM <{reference}> {{}}")
        assert shape.from_default == (URIRef(expected),), reference


def test_relative_iris_need_a_base():
    with pytest.raises(QuerySyntaxError, match=r"^error at 2:20: the relative IRI <g> needs"):
        read_query("SELECT *\nWHERE { ?s ?p ?o . <g> ?p ?o }")
    assert not oxigraph_parses("SELECT *\nWHERE { ?s ?p ?o . <g> ?p ?o }")


def test_an_invalid_service_base_is_the_store_s_error():
    with pytest.raises(StoreError, match="Invalid base IRI"):
        read_query("SELECT * {}", base="not absolute")


def test_the_service_base_resolves_relative_iris_and_a_relative_base():
    shape = read_query("SELECT * FROM <g> { SERVICE <s> {} }", base=SERVICE_BASE)
    assert shape.from_default == (URIRef(SERVICE_BASE + "g"),)
    assert shape.services == (URIRef(SERVICE_BASE + "s"),)
    shape = read_query("BASE <sub/> SELECT * FROM <g> {}", base=SERVICE_BASE)
    assert shape.from_default == (URIRef(SERVICE_BASE + "sub/g"),)


def test_codepoint_escapes_are_decoded_in_iris():
    shape = read_query(r"SELECT * FROM <http\u003A//ex/\U00000041> {}")
    assert shape.from_default == (URIRef("http://ex/A"),)


# -- FROM and FROM NAMED ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }",
        "SELECT ?s (COUNT(*) AS ?n) FROM <http://g/1> FROM NAMED <http://g/2>"
        " { ?s ?p ?o } GROUP BY ?s",
        "ASK FROM <http://g/1> FROM NAMED <http://g/2> { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }",
        "CONSTRUCT FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }",
        "DESCRIBE <http://x> FROM <http://g/1> FROM NAMED <http://g/2>",
        "DESCRIBE ?s FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }",
        "PREFIX g: <http://g/> select * from g:1 from named g:2 {}",
        "SELECT*FROM<http://g/1>FROM NAMED<http://g/2>{}",
        "SELECT * FROM # the default graph\n <http://g/1> FROM NAMED <http://g/2> {}",
    ],
)
def test_from_and_from_named_in_every_form(text):
    shape = read_query(text)
    assert shape.from_default == (URIRef("http://g/1"),)
    assert shape.from_named == (URIRef("http://g/2"),)


def test_from_counts_at_the_top_level_only():
    shape = read_query("SELECT * { ?s <http://x/FROM> 'FROM <http://no/>' # FROM <http://no/>\n }")
    assert shape.from_default == shape.from_named == ()
    with pytest.raises(QuerySyntaxError):  # a subquery has no dataset clause
        read_query("SELECT * { { SELECT * FROM <http://no/> { ?s ?p ?o } } }")


def test_a_prefixed_name_that_oxigraph_would_read_as_from_is_refused():
    text = "PREFIX FROM: <http://f/> PREFIX : <http://g/> SELECT * FROM:1 {}"
    assert oxigraph_parses(text)  # Oxigraph reads FROM <http://g/1>
    with pytest.raises(QuerySyntaxError, match="error at 1:56: expected FROM or WHERE"):
        read_query(text)


# -- SERVICE ---------------------------------------------------------------------------------


HIDDEN = [
    "SELECT * {{ ?s ?p ?o }} # SERVICE <{c}/comment> {{}}",
    "SELECT * {{ BIND('SERVICE <{c}/s1> {{}}' AS ?x) }}",
    'SELECT * {{ BIND("SERVICE <{c}/s2> {{}}" AS ?x) }}',
    "SELECT * {{ BIND('''SERVICE\n<{c}/s3> {{}}''' AS ?x) }}",
    'SELECT * {{ BIND("""x"" SERVICE <{c}/s4> {{}}""" AS ?x) }}',
    r"SELECT * {{ BIND('\u0027 SERVICE <{c}/s5> {{}}' AS ?x) }}",
    "SELECT * {{ ?s <{c}/SERVICE> ?o }}",
    "PREFIX service: <{c}/> SELECT ?service {{ ?service service:SERVICE 'x'@en-service }}",
    "SELECT * {{ ?s ?p ?o FILTER(?o < <{c}/SERVICE>) }}",
]


@pytest.mark.parametrize("template", HIDDEN)
def test_service_in_comments_strings_and_names_is_not_counted(canary, template):
    text = template.format(c=canary.url)
    assert read_query(text).services == ()
    assert canary.called(text) == set()


COUNTED = [
    "SELECT * {{ SERVICE SILENT <{c}/top> {{}} }}",
    "SELECT * {{ OPTIONAL {{ {{ SERVICE SILENT <{c}/deep> {{}} }} }} }}",
    "SELECT * {{ {{ SERVICE SILENT <{c}/left> {{}} }} "
    "UNION {{ SERVICE SILENT <{c}/right> {{}} }} }}",
    "SELECT * {{ FILTER EXISTS {{ SERVICE SILENT <{c}/exists> {{}} }} }}",
    "SELECT * {{ {{ SELECT * {{ SERVICE SILENT <{c}/sub> {{}} }} LIMIT 1 }} }}",
    "SELECT * {{ service silent <{c}/lower> {{}} }}",
    "SELECT * {{ SERVICE SILENT<{c}/tight>{{}} }}",
    "SELECT * {{ SERVICE # comment\n SILENT # comment\n <{c}/comments> {{}} }}",
    "PREFIX ex: <{c}/ex/> SELECT * {{ SERVICE SILENT ex:named {{}} }}",
    "BASE <{c}/base/> SELECT * {{ SERVICE SILENT <../relative> {{}} }}",
    "PREFIX : <{c}/default/> PREFIX SILENT: <{c}/silent/> SELECT * {{ SERVICE SILENT:x {{}} }}",
    r"SELECT * {{ SERVICE SILENT <http\u003A//{h}/escaped> {{}} }}",
    "ASK {{ SERVICE SILENT <{c}/ask> {{}} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE SILENT <{c}/construct> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE SILENT <{c}/describe> {{ ?s ?p ?o }} }}",
    # `<` after an operand compares: read as an IRI `<'a>`, a string would swallow the SERVICE
    "SELECT * {{ FILTER(1<'a>') SERVICE SILENT <{c}/after> {{}} FILTER('x'='x') }}",
]


@pytest.mark.parametrize("template", COUNTED)
def test_service_counts_exactly_where_oxigraph_calls_it(canary, template):
    text = template.format(c=canary.url, h=canary.url.removeprefix("http://"))
    assert paths(read_query(text)) == canary.called(text)


def test_service_targets_are_iris_or_variables():
    shape = read_query("PREFIX ex: <http://ex/> SELECT * { SERVICE ?endpoint { SERVICE ex:e {} } }")
    assert shape.services == (Variable("endpoint"), URIRef("http://ex/e"))
    # valid because a SERVICE variable is not in scope after it (a GRAPH one would be)
    assert read_query("SELECT * { SERVICE ?v {} BIND(1 AS ?v) }").services == (Variable("v"),)


def test_silent_glued_to_a_prefixed_name_is_read_as_oxigraph_reads_it(canary):
    text = (
        f"PREFIX : <{canary.url}/default/> PREFIX SILENTex: <{canary.url}/silentex/> "
        f"PREFIX ex: <{canary.url}/ex/> SELECT * {{ SERVICE SILENTex:x {{}} }}"
    )
    assert read_query(text).services == (URIRef(f"{canary.url}/ex/x"),)
    assert canary.called(text) == {"/ex/x"}


@pytest.mark.parametrize(
    "template",
    [
        r"SELECT * {{ \u0053ERVICE <{c}/a> {{}} }}",
        r"SELECT * {{ \U00000053ERVICE <{c}/a> {{}} }}",
        r"SELECT * {{ SERVICE \u003C{c}/a> {{}} }}",
    ],
)
def test_codepoint_escapes_spell_no_keyword_for_oxigraph_either(canary, template):
    text = template.format(c=canary.url)
    with pytest.raises(QuerySyntaxError):
        read_query(text)
    assert not oxigraph_parses(text)
    with pytest.raises(SyntaxError):
        ox.Store().query(text)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * {{ SERVICESILENT<{c}/glued>{{}} }}",
        "SELECT * {{ ?s ?p trueSERVICE <{c}/glued> {{}} }}",
        "PREFIX : <{c}/glued/> PREFIX SERVICE: <{c}/pname/> SELECT * {{ SERVICE:x {{}} }}",
        "PREFIX : <{c}/glued/> SELECT * {{ SERVICE:x {{}} }}",
        "PREFIX ex: <http://a:> SELECT * {{ ?s ?p ex:SERVICE <{c}/glued> {{}} }}",
    ],
)
def test_a_service_that_only_oxigraph_sees_is_a_syntax_error(canary, template):
    """Oxigraph needs no separator after a keyword and backtracks into prefixed names."""
    text = template.format(c=canary.url)
    assert canary.called(text)  # Oxigraph would call it
    with pytest.raises(QuerySyntaxError):
        read_query(text)


# -- syntax errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("SELECT * { ?s ?p 'open }", "error at 1:18: the string is never closed"),
        ("SELECT * { ?s ?p '\\x' }", "error at 1:18: the string is never closed or contains an"),
        ("SELECT * {\n  ?s ?p <http://x\n}", "error at 2:9: the IRI is never closed"),
        ("SELECT * { ?s ?p <http://x/ y> }", "error at 1:18: the IRI contains a character"),
        ("SELECT * { ?s ?p <http://x/\\uD800> }", "error at 1:18: \\\\uD800 is not a Unicode"),
        (
            "PREFIX ex: <http://x/>\nSELECT * { ?s ?p ex2:y }",
            "error at 2:18: the prefix 'ex2:' is ",
        ),
        ("SELECT * { ?s ?p 'é' , ex:y }", "error at 1:24: the prefix 'ex:' is not declared"),
        ("PREFIX ex: <http://x/> { ?s ?p ?o }", "error at 1:24: expected SELECT, CONSTRUCT, DESCR"),
        ("INSERT DATA { <a:s> <a:p> <a:o> }", "error at 1:1: expected SELECT, CONSTRUCT"),
        ("", "error at 1:1: the query ends where SELECT, CONSTRUCT, DESCRIBE or ASK is expected"),
        ("# nothing\n", "error at 2:1: the query ends where SELECT"),
        ("SELECT * { ?s ?p ?o", "error at 1:10: '{' is never closed"),
        ("SELECT * { ?s ?p ?o }}", "error at 1:22: '}' closes nothing that is open"),
        (
            "SELECT * { FILTER((1) }",
            "error at 1:23: '}' where '\\)' should close the '\\(' at 1:18",
        ),
        ("SELECT * { ?s ?p ?o } LIMIT10", "error at 1:23: unknown keyword 'LIMIT10'"),
        ("SELECT * { ?s ?p TRUE }", "error at 1:18: unknown keyword 'TRUE'"),
        ("SELECT * { SERVICE 'x' {} }", "error at 1:20: expected an IRI or a variable after SERV"),
        ("SELECT * FROM {}", "error at 1:15: expected an IRI"),
        ("SELECT * { ?s ?p ?o } \x00", "error at 1:23: unexpected character"),
        # Oxigraph's own messages, with positions counted the same way
        ("SELECT * WHERE { ?s ?p }", "^error at 1:25: expected"),
        ("SELECT * { ?s ?p 'é' , }", "^error at 1:25: expected"),
        ("SELECT (1 AS ?x) (2 AS ?x) {}", "^error at 1:30: .*Duplicated variable name in SELECT"),
    ],
)
def test_syntax_errors_name_line_and_column(text, message):
    with pytest.raises(QuerySyntaxError, match=message):
        read_query(text)


def test_nesting_is_bounded_before_oxigraph_recurses_into_it():
    """Deep nesting would overflow the stack of the thread that parses (a segfault)."""
    nested = "SELECT * { FILTER(" + "STR(" * (MAX_DEPTH - 2) + "1" + ")" * (MAX_DEPTH - 2) + ") }"
    assert read_query(nested).form == "SELECT"
    for text in (
        nested.replace("FILTER(", "FILTER((", 1).replace(") }", ")) }"),
        "SELECT * " + "{" * 30_000 + "}" * 30_000,
        "SELECT * { FILTER(" + "!" * 30_000 + "1) }",
    ):
        with pytest.raises(QuerySyntaxError, match=f"{MAX_DEPTH}"):
            read_query(text)


# -- the syntax probe evaluates nothing ------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        "SELECT * WHERE",
        "SELECT (COUNT(*) AS ?n) WHERE",
        "ASK",
        "CONSTRUCT { ?s ?p ?o } WHERE",
        "DESCRIBE ?s WHERE",
    ],
)
def test_reading_a_query_calls_no_service(canary, form):
    for silent in ("", "SILENT "):
        text = f"{form} {{ SERVICE {silent}<{canary.url}/probe> {{ ?s ?p ?o }} }}"
        canary.hits.clear()
        assert read_query(text).services == (URIRef(f"{canary.url}/probe"),)
        assert canary.hits == []
        assert canary.called(text) == {"/probe"}  # as evaluating it would


def test_reading_a_cartesian_product_does_not_evaluate_it():
    values = " ".join(str(i) for i in range(1000))
    product = " ".join(f"VALUES ?{v} {{ {values} }}" for v in "abc")
    for text in (
        f"SELECT * {{ {product} }} ORDER BY ?a ?b ?c",
        f"ASK {{ {product} FILTER(?a + ?b + ?c < 0) }}",
        f"SELECT (COUNT(*) AS ?n) {{ {product} }}",
    ):
        started = time.monotonic()
        assert read_query(text).services == ()
        assert time.monotonic() - started < 5  # evaluating 10^9 rows would take minutes


def test_a_100_kb_values_query():
    rows = " ".join(f"(ex:item{i} 'label {i}'@en {i})" for i in range(3000))
    iris = " ".join(f"<https://w3id.org/cajkg/resource/r{i}>" for i in range(1500))
    text = (
        f"PREFIX ex: <http://example.org/> SELECT * FROM <http://g/> WHERE {{\n"
        f"  VALUES (?item ?label ?n) {{ {rows} }}\n  VALUES ?r {{ {iris} }}\n}}"
    )
    assert len(text) > 100_000
    assert read_query(text) == QueryShape("SELECT", (URIRef("http://g/"),), (), ())


# -- every query rdflib accepted -------------------------------------------------------------


def _w3c_queries() -> list[str]:
    ht = Namespace("http://www.w3.org/2011/http#")
    cnt = Namespace("http://www.w3.org/2011/content#")
    graph = Graph().parse(shared_dir() / "w3c" / "sparql-protocol" / "manifest.ttl")
    texts = []
    for request in graph.subjects(ht.methodName, None):
        path = urllib.parse.urlsplit(str(graph.value(request, ht.absolutePath)))
        texts += urllib.parse.parse_qs(path.query).get("query", [])
        body = graph.value(graph.value(request, ht.body), cnt.chars)
        headers = graph.value(request, ht.headers)
        types = [
            str(graph.value(h, ht.fieldValue))
            for h in Collection(graph, headers)
            if str(graph.value(h, ht.fieldName)).lower() == "content-type"
        ]
        if body is not None and "application/sparql-query" in types:
            texts.append(str(body))
        elif body is not None and "application/x-www-form-urlencoded" in types:
            texts += urllib.parse.parse_qs(str(body)).get("query", [])
    return sorted(set(texts))


def _corpus() -> list[tuple[str, str]]:
    files = sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "graph/sparql").glob("*.rq"))
    corpus = [(f.name, f.read_text(encoding="utf-8")) for f in files]
    corpus += [(f"w3c-{i}", text) for i, text in enumerate(_w3c_queries())]
    summit = "<http://example.org/summit>"
    canary = "http://127.0.0.1:8/canary.ttl"
    corpus += [
        (f"tests-{i}", text)
        for i, text in enumerate(
            [  # the f-strings of tests/*.py
                f"SELECT ?label WHERE {{ {summit}"
                " <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
                f"ASK {{ {summit} a <http://example.org/test#Meeting> }}",
                f"CONSTRUCT WHERE {{ {summit} ?p ?o }}",
                f"DESCRIBE {summit}",
                f"ASK FROM <{canary}> {{ <urn:canary:s> ?p ?o }}",
                f"SELECT * {{ SERVICE <{canary}> {{ ?s ?p ?o }} }}",
                f"SELECT * {{ SERVICE SILENT <{canary}> {{ ?s ?p ?o }} }}",
                f"SELECT * FROM NAMED <{canary}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                "SELECT * FROM <file:///tmp/canary.ttl> { ?s ?p ?o }",
                "SELECT (COUNT(*) AS ?n) { GRAPH ?g { <http://example.org/token> "
                "<http://example.org/at> ?i } }",
                "ASK { GRAPH <https://w3id.org/cajkg/graph/inferred> "
                "{ <http://example.org/second> a <http://example.org/test#Meeting> } }",
            ]
        )
    ]
    return corpus


def _rdflib_accepts(text: str) -> bool:
    try:
        translateQuery(parseQuery(text))
    except Exception:
        return False
    return True


def test_the_corpus_is_there():
    names = [name for name, _ in _corpus()]
    assert sum(name.startswith("w3c-") for name in names) >= 15
    assert sum(name.endswith(".rq") for name in names) >= 30


@pytest.mark.parametrize("name, text", _corpus())
def test_every_query_rdflib_accepted_is_accepted(name, text):
    if _rdflib_accepts(text):
        assert read_query(text, base=SERVICE_BASE).form in text.upper()
    else:
        with pytest.raises(QuerySyntaxError):
            read_query(text, base=SERVICE_BASE)


# -- hypothesis ------------------------------------------------------------------------------


SEEDS = [
    "PREFIX ex: <http://ex/> SELECT ?s (COUNT(*) AS ?n) FROM ex:g FROM NAMED <http://n> WHERE {"
    " ?s ex:p ?o ; ex:q 'x'@en , \"y\"^^ex:t . OPTIONAL { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }"
    " } GROUP BY ?s HAVING (COUNT(*) > 1) ORDER BY DESC(?n) LIMIT 10",
    "BASE <http://b/> PREFIX : <x/> CONSTRUCT { ?s :p [ :q (1 2.5 -3e2) ] } WHERE {"
    " ?s <p>/:q* ?o . BIND(STR(?o) AS ?l) VALUES (?a ?b) { (1 UNDEF) (:z 'w') } }",
    "ASK { ?s ?p ?o FILTER NOT EXISTS { ?s a ?t } MINUS { ?s ?p 1 } { ?a ?b ?c } UNION {} }",
    "DESCRIBE <http://x> ?y WHERE { ?y ?p ?o }",
    "SELECT * { ?s ?p <<( ?a <http://b> ?c )>> . << ?s ?p ?o ~ ?r >> ?q ?z ."
    " ?s ?p ?o {| ?q ?r |} FILTER(?t<<<( ?a <http://b> ?c )>>) }",
    "SELECT * { FILTER(?a<?b&&?c>?d) FILTER(1<'a>') BIND(<http://f>(?x, '''x''y''') AS ?z) }",
]
PIECES = [
    "SERVICE",
    "service",
    "SILENT",
    "SILENT:",
    "SERVICE:",
    "FROM",
    "NAMED",
    "SELECT",
    "WHERE",
    "FILTER(",
    "BIND(",
    " AS ?q)",
    "PREFIX",
    "BASE",
    " ",
    "\n",
    "#",
    "<",
    ">",
    "'",
    '"',
    "'''",
    '"""',
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<<",
    ">>",
    "<<(",
    ")>>",
    "{|",
    "|}",
    ":",
    "ex:",
    ":x",
    "?x",
    "$y",
    "_:b",
    "\\u0053",
    "\\",
    ".",
    ";",
    ",",
    "a",
    "true",
    "1",
    "@en",
    "^^",
    "&&",
    "!",
    "=",
    "<=",
    "é",
    "\U0001f600",
    "\x00",
    "x",
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str], pieces: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text)))
        end = min(len(text), start + draw(st.integers(0, 6)))
        piece = draw(st.sampled_from(["", *pieces]))
        text = text[:start] + piece + (text[start:] if draw(st.booleans()) else text[end:])
    return text


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        mutated(SEEDS, PIECES),
        st.text(max_size=200),
        st.lists(st.sampled_from(PIECES)).map(" ".join),
    )
)
def test_any_text_is_read_or_refused_as_a_syntax_error(text):
    try:
        shape = read_query(text)
    except QuerySyntaxError:
        return
    assert shape.form in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
    assert oxigraph_parses(text)


SERVICE_SEEDS = [
    "PREFIX : <{c}/default/> PREFIX ex: <{c}/ex/> PREFIX SILENT: <{c}/silentprefix/> "
    "SELECT * {{ SERVICE SILENT <{c}/a> {{ }} SERVICE SILENT ex:b {{ }} SERVICE SILENT :c {{ }} }}",
    "PREFIX : <{c}/default/> SELECT * {{ ?s ?p 'SERVICE <{c}/string> {{}}' "
    "# SERVICE <{c}/comment> {{}}\n SERVICE SILENT <{c}/a> {{ BIND(1 AS ?x) }} }}",
    "BASE <{c}/base/> PREFIX ex: <sub/> SELECT * {{ FILTER(1<2) SERVICE SILENT <rel> {{ }} "
    "SERVICE SILENT ex:x {{}} }}",
    "PREFIX : <{c}/default/> PREFIX SERVICE: <{c}/pname/> SELECT * {{ BIND(SERVICE:x AS ?y) "
    "FILTER(?y<'a>') SERVICE SILENT :e {{}} }}",
]
SERVICE_PIECES = [
    "SERVICE",
    "SILENT",
    " SERVICE SILENT ",
    "SILENT:",
    "SERVICE:",
    " ",
    "\n",
    "#",
    "<",
    ">",
    "'",
    '"',
    "{{",
    "}}",
    "(",
    ")",
    ":",
    ":x",
    "?x",
    "\\u0053",
    "{{}}",
    "FILTER(",
    "BIND(",
    " AS ?q)",
    "<rel2>",
    "<sub/../x>",
    "a",
    "true",
    ".",
    " SERVICE SILENT <{c}/inserted> {{}} ",
    " # SERVICE <{c}/comment2> {{}}\n",
    " BIND('SERVICE <{c}/string2> {{}}' AS ?q2) ",
    " FILTER(?x<'a>') ",
    " OPTIONAL {{ SERVICE SILENT :o {{}} }} ",
    " ?s <{c}/SERVICE> ?o . ",
]


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_no_mutated_query_calls_a_service_that_was_not_counted(canary, data):
    seeds = [seed.format(c=canary.url) for seed in SERVICE_SEEDS]
    text = data.draw(mutated(seeds, [piece.format(c=canary.url) for piece in SERVICE_PIECES]))
    try:
        shape = read_query(text)
    except QuerySyntaxError:
        event("refused")
        return
    called = canary.called(text)
    event("read, SERVICE called" if called else "read")
    assert called <= paths(shape)
