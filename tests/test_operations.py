"""The checks every store shares (graph/store/operations.py)."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from cajkg.graph.store.base import ForbiddenOperation
from cajkg.graph.store.operations import inspect_query, inspect_update

INFERRED = URIRef("https://w3id.org/cajkg/graph/inferred")
MODIFY = "INSERT { ?s a <urn:T> } WHERE { ?s a <urn:S> }"


def test_protocol_using_graphs_are_fine_with_an_update_that_names_none():
    inspect_update(MODIFY, protected=INFERRED, using=True)


@pytest.mark.parametrize("text", [
    "INSERT { ?s a <urn:T> } USING <urn:g> WHERE { ?s a <urn:S> }",
    "WITH <urn:g> INSERT { ?s a <urn:T> } WHERE { ?s a <urn:S> }",
])
def test_protocol_using_graphs_conflict_with_using_or_with_in_the_text(text):
    inspect_update(text, protected=INFERRED, using=False)
    with pytest.raises(ForbiddenOperation, match="both with using-graph-uri"):
        inspect_update(text, protected=INFERRED, using=True)


def test_protocol_graphs_override_from_clauses():
    plan = inspect_query("SELECT * FROM <urn:a> FROM NAMED <urn:b> WHERE { ?s ?p ?o }")
    assert plan.dataset((), ()) == ((URIRef("urn:a"),), (URIRef("urn:b"),))
    assert plan.dataset((URIRef("urn:c"),), ()) == ((URIRef("urn:c"),), ())
    assert plan.query.algebra.datasetClause is None
