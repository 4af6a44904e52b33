"""Every competency query in queries/ answers as its expected answer says, with inference and,
where an answer without inference is kept, without it too."""

from __future__ import annotations

from importlib import resources

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from cajkg.graph.queries import as_json, load_all, same_answer

QUERIES = load_all()


def test_all_named_queries_are_collected():
    rq_files = [f for f in resources.files("cajkg.queries").iterdir() if f.name.endswith(".rq")]
    assert len(QUERIES) == len(rq_files) >= 20
    assert all(q.question for q in QUERIES), "every query states its question in a header comment"


@pytest.mark.parametrize("named", QUERIES, ids=[q.name for q in QUERIES])
def test_query_answers_with_inference(seed_store, named):
    actual = as_json(seed_store.query(named.text, infer=True))
    assert same_answer(actual, named.expected, named.ordered), actual


@pytest.mark.parametrize(
    "named",
    [q for q in QUERIES if q.expected_without_inference is not None],
    ids=[q.name for q in QUERIES if q.expected_without_inference is not None],
)
def test_query_answers_without_inference(seed_store, named):
    actual = as_json(seed_store.query(named.text, infer=False))
    assert same_answer(actual, named.expected_without_inference, named.ordered), actual
    assert not same_answer(actual, named.expected, named.ordered), "kept only where answers differ"


@pytest.mark.parametrize("infer", [True, False])
@pytest.mark.parametrize("named", QUERIES, ids=[q.name for q in QUERIES])
def test_query_answers_through_the_endpoint(seed_server, named, infer):
    """The same answers over HTTP, as an analyst with SPARQLWrapper gets them."""
    sparql = SPARQLWrapper(f"{seed_server}/sparql")
    sparql.setQuery(named.text)
    sparql.setReturnFormat(JSON)
    if not infer:
        sparql.addParameter("infer", "false")
    expected = named.expected
    if not infer and named.expected_without_inference is not None:
        expected = named.expected_without_inference
    actual = sparql.queryAndConvert()
    assert same_answer(actual, expected, named.ordered), actual
