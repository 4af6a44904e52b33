"""Durability means the same quads: a write journalled, then replayed at a restart over the same
journal (memory) or data directory (oxigraph), gives back exactly the quads that were
acknowledged, even when the update drew them from NOW(), STRUUID(), UUID(), RAND() or BNODE(),
or wrote a blank node in INSERT DATA; blank nodes keep their identity, in the inferred graph
too. Journals of the old format (the text of each write) still replay, and are compacted into
quads; a long journal is compacted into one entry that gives the same store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDFS

from cajkg.graph.store.factory import open_store
from cajkg.graph.store.journal import FILENAME, Journal
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import MARKER

EX = "http://example.org/"
G = f"<{EX}written>"
DRAWN = {
    "NOW()": f"INSERT {{ GRAPH {G} {{ <{EX}s> <{EX}at> ?v }} }} WHERE {{ BIND(NOW() AS ?v) }}",
    "STRUUID()": f"INSERT {{ GRAPH {G} {{ <{EX}s> <{EX}id> ?v }} }} "
    "WHERE { BIND(STRUUID() AS ?v) }",
    "UUID()": f"INSERT {{ GRAPH {G} {{ <{EX}s> <{EX}id> ?v }} }} WHERE {{ BIND(UUID() AS ?v) }}",
    "RAND()": f"INSERT {{ GRAPH {G} {{ <{EX}s> <{EX}n> ?v }} }} WHERE {{ BIND(RAND() AS ?v) }}",
    "BNODE()": f"INSERT {{ GRAPH {G} {{ ?b a <{EX}Summit> ; <{EX}n> 1 }} }} "
    "WHERE { BIND(BNODE() AS ?b) }",
    "INSERT DATA blank node": f"INSERT DATA {{ GRAPH {G} {{ _:x a <{EX}Summit> ; "
    f'<{EX}label> "x" . _:x <{EX}near> _:y }} }}',
}
ALL = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def base() -> Dataset:
    """A small ontology, so that writes have inferences (about the written blank nodes too)."""
    dataset = Dataset()
    dataset.graph(URIRef(f"{EX}onto")).add(
        (URIRef(f"{EX}Summit"), RDFS.subClassOf, URIRef(f"{EX}Meeting"))
    )
    return dataset


def open_kind(kind: str, directory: Path):
    if kind == "memory":
        return open_store("memory", dataset=base(), data_dir=directory, workers=1)
    return open_store("oxigraph", dataset=base(), data_dir=directory, workers=1)


def content(store) -> set[tuple]:
    """Every quad the store holds, blank nodes by label, the inferred graph included."""
    rows = {(r["g"], r["s"], r["p"], r["o"]) for r in store.query(ALL, infer=True)}
    default = store.graph(None)
    return rows | {(None, *triple) for triple in default}


def restarted(kind: str, directory: Path, store):
    store.ready() or store.warm().join()
    store.close()
    again = open_kind(kind, directory)
    again.warm().join()
    return again


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
@pytest.mark.parametrize("function", list(DRAWN))
def test_a_restart_gives_back_exactly_the_acknowledged_quads(kind, function, tmp_path):
    store = open_kind(kind, tmp_path)
    store.warm().join()
    before = content(store)
    store.update(DRAWN[function])
    acknowledged = content(store)
    written = acknowledged - before
    assert written, "the update wrote nothing"
    if "BNODE" in function or "blank" in function:
        blanks = {t for q in written for t in q if isinstance(t, BNode)}
        assert blanks
        inferred = [q for q in written if q[3] == URIRef(f"{EX}Meeting")]
        assert inferred and all(isinstance(q[1], BNode) for q in inferred)
    store = restarted(kind, tmp_path, store)
    try:
        assert content(store) == acknowledged
        store.update(f"INSERT DATA {{ GRAPH {G} {{ <{EX}t> <{EX}p> 2 }} }}")
        after_second = content(store)
        store = restarted(kind, tmp_path, store)
        assert content(store) == after_second
    finally:
        store.close()


def test_the_journal_records_quads_not_text(tmp_path):
    store = open_kind("memory", tmp_path)
    store.warm().join()
    store.update(DRAWN["NOW()"])
    store.close()
    (entry,) = [json.loads(line) for line in (tmp_path / FILENAME).read_text().splitlines()]
    assert "op" not in entry and "text" not in entry
    assert f"<{EX}s> <{EX}at> " in entry["add"] and "dateTime" in entry["add"]
    assert "reason" not in entry  # the inferred change is there: no reasoning at the restart


def test_an_old_text_journal_is_replayed_once_then_kept_as_quads(tmp_path):
    old = {"op": "update", "text": DRAWN["UUID()"], "base": None, "using": [], "using_named": []}
    (tmp_path / FILENAME).write_text(json.dumps(old) + "\n")
    store = open_kind("memory", tmp_path)
    store.warm().join()
    first = content(store)
    assert any(str(q[3]).startswith("urn:uuid:") for q in first)
    (entry,) = [json.loads(line) for line in (tmp_path / FILENAME).read_text().splitlines()]
    assert "op" not in entry and "urn:uuid:" in entry["add"] and "reason" not in entry
    store = restarted("memory", tmp_path, store)
    try:
        assert content(store) == first
    finally:
        store.close()


def test_a_long_journal_is_compacted_into_one_entry_with_the_same_store(tmp_path):
    journal = Journal(tmp_path, compact_every=5)
    store = MemoryStore(base(), journal=journal, workers=1)
    for i in range(12):
        store.update(f"INSERT DATA {{ GRAPH {G} {{ <{EX}s{i % 4}> <{EX}n> {i} }} }}")
        if i % 3 == 2:
            store.update(f"DELETE WHERE {{ GRAPH {G} {{ <{EX}s{i % 4}> <{EX}n> ?n }} }}")
    store.update(
        f"INSERT {{ GRAPH {G} {{ ?b <{EX}n> ?v }} }} WHERE {{ BIND(BNODE() AS ?b) "
        "BIND(RAND() AS ?v) }"
    )
    acknowledged = content(store)
    store.close()
    lines = journal.path.read_text().splitlines()
    assert len(lines) < 6  # 16 writes, compacted on the way
    store = MemoryStore(base(), journal=Journal(tmp_path), workers=1)
    try:
        assert content(store) == acknowledged
        assert len(journal.path.read_text().splitlines()) == 1  # and at start
    finally:
        store.close()


def test_a_compaction_cut_short_leaves_the_journal_as_it_was(tmp_path):
    """Compaction writes a new file and renames it: a leftover scratch file (a crash before
    the rename) is dropped and the journal is replayed as it was."""
    journal = Journal(tmp_path)
    store = MemoryStore(base(), journal=journal, workers=1)
    store.update(f"INSERT DATA {{ GRAPH {G} {{ <{EX}a> <{EX}b> 1 }} }}")
    acknowledged = content(store)
    store.close()
    scratch = tmp_path / (FILENAME + ".compacting")
    scratch.write_text('{"v":2,"add":"<http://example.org/torn')
    store = MemoryStore(base(), journal=Journal(tmp_path), workers=1)
    try:
        assert not scratch.exists()
        assert content(store) == acknowledged
    finally:
        store.close()


def test_an_unfinished_oxigraph_write_in_the_old_pending_format_is_completed(tmp_path):
    store = open_kind("oxigraph", tmp_path)
    store.close()
    quad = f'<{EX}a> <{EX}b> "old" <{EX}written> .\n'
    (tmp_path / MARKER).write_text(json.dumps({"remove": "", "add": quad}))
    store = open_kind("oxigraph", tmp_path)
    try:
        assert not (tmp_path / MARKER).exists()
        assert (URIRef(f"{EX}written"), URIRef(f"{EX}a"), URIRef(f"{EX}b"), Literal("old")) in (
            content(store)
        )
    finally:
        store.close()
