"""Search inside SPARQL: the property function `text:query`, after Jena's (jena-text).

    PREFIX text: <https://w3id.org/cajkg/text#>
    SELECT ?s ?label WHERE { ?s text:query "Wasser" ; rdfs:label ?label }
    SELECT * WHERE { (?s ?score ?text) text:query ("Taschkent" 5) }

Oxigraph evaluates queries in worker processes and knows nothing of the index, so the pattern is
evaluated before the query is sent (`property_functions`, shared with `explain:proof`): each
`S text:query O` triple pattern is replaced by a VALUES block holding the search's hits
(subject, then optionally score and the matching text), in the order of the search's ranking.
S is a variable or a list of up to three variables; O is the search string (a language tag
keeps only texts in that language) or a list of the string and the number of hits (default 20,
at most 200). Everything else of the query is left as written, so the rest of the query joins
with the hits as with any other VALUES.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rdflib import Literal, URIRef

from . import property_functions
from .property_functions import Site, unquote, values
from .search import Hit

NAMESPACE = "https://w3id.org/cajkg/text#"
DEFAULT_HITS = 20
MAX_HITS = 200

Searcher = Callable[[str, str, int], list[Hit]]  # words, language, hits


def rewrite(
    text: str, searcher: Searcher, base: str | None = None, namespace: str = NAMESPACE
) -> str:
    """The query with every `text:query` pattern replaced by the VALUES of its hits; the text
    unchanged when it does not use the property function."""
    return property_functions.rewrite(
        text, namespace, "query", "text:query", lambda site: _pattern(site, searcher), base
    )


def _object(site: Site) -> tuple[int, str, str, int]:
    """The index after the pattern's object, the search string, its language and the hits."""
    tokens = site.tokens
    at = site.index + 1
    listed = at < len(tokens) and tokens[at][0].startswith("(")
    at += listed
    if at >= len(tokens) or tokens[at][0] != "string":
        raise site.fail("needs a search string as its object")
    words = unquote(site.source(tokens[at]))
    at += 1
    lang = ""
    if at < len(tokens) and tokens[at][0] == "langtag":
        lang = site.source(tokens[at])[1:].lower()
        at += 1
    hits = DEFAULT_HITS
    if listed:
        if at < len(tokens) and tokens[at][0] == "number":
            hits = int(Decimal(site.source(tokens[at])))
            at += 1
        if at >= len(tokens) or tokens[at][0] != ")":
            raise site.fail('takes ("words") or ("words" number-of-hits)')
        at += 1
    if not 1 <= hits <= MAX_HITS:
        raise site.fail(f"number of hits must be between 1 and {MAX_HITS}")
    return at, words, lang, hits


def _pattern(site: Site, searcher: Searcher) -> tuple[int, int, str]:
    start, names = site.subject(3, "three")
    after, words, lang, hits = _object(site)
    try:
        found = searcher(words, lang, hits)
    except ValueError as error:
        raise site.fail(str(error)) from error
    rows = [
        [
            URIRef(hit.iri),
            Literal(Decimal(f"{hit.score:.4f}")),
            Literal(hit.text, lang=hit.lang or None),
        ][: len(names)]
        for hit in found
    ]
    block = values(names, rows)
    tokens = site.tokens
    end = tokens[after - 1][2]
    if after < len(tokens) and tokens[after][0] == ";":
        if len(names) != 1:
            raise site.fail("with a list subject cannot be followed by ';'", tokens[after])
        end = tokens[after][2]
        block += f" ?{names[0]}"
    elif after < len(tokens) and tokens[after][0] == ",":
        raise site.fail("cannot be followed by ','", tokens[after])
    return start, end, block
