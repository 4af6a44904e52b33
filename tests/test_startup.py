"""Start-up: a restart of the persistent store opens its data instead of loading it again, the
first answer does not wait for the reasoner's seeding, and a query worker that is still loading
a large store is waited for, never killed as a runaway query."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import fixture_dataset
from rdflib import Dataset

from cajkg.graph.store.base import QueryTimeout
from cajkg.graph.store.factory import open_store
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import LAYOUT, OxigraphStore

COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"


def _count(store: object) -> int:
    rows = store.query(COUNT)  # type: ignore[attr-defined]
    return int(next(iter(rows))[0])


def test_a_restart_of_the_oxigraph_store_opens_its_data_instead_of_loading_it(tmp_path: Path):
    builds: list[int] = []

    def dataset() -> Dataset:
        builds.append(1)
        return fixture_dataset()

    first = open_store("oxigraph", dataset=dataset, data_dir=tmp_path)
    try:
        before = _count(first)
        first.update(
            "INSERT DATA { GRAPH <http://example.org/startup/g> { "
            "<http://example.org/startup/s> <http://example.org/startup/p> 1 } }"
        )
        stored = _count(first)
    finally:
        first.close()
    assert stored > before
    assert builds == [1]
    assert (tmp_path / LAYOUT).exists()
    again = open_store("oxigraph", dataset=dataset, data_dir=tmp_path)
    try:
        assert builds == [1]  # the dataset was not built, nor loaded, again
        assert _count(again) == stored  # the write before the restart is there
    finally:
        again.close()


def test_the_first_answer_does_not_wait_for_the_reasoners_seeding(tmp_path: Path):
    store = OxigraphStore(tmp_path)
    store.load(fixture_dataset())
    store.close()
    store = OxigraphStore(tmp_path)
    try:
        with store._write_lock:  # what the seeding holds while it runs
            store.warm()
            answered: list[int] = []
            thread = threading.Thread(target=lambda: answered.append(_count(store)))
            thread.start()
            thread.join(60)
            assert answered and answered[0] > 0
            assert not store.ready()  # not seeded yet: ready waits for it
    finally:
        store.close()


def _many_quads(n: int) -> bytes:
    return "".join(
        f"<http://example.org/startup/s{i}> <http://example.org/startup/p{i % 7}> "
        f'"{i}" <http://example.org/startup/g{i % 11}> .\n'
        for i in range(n)
    ).encode()


def test_a_loading_worker_is_waited_for_not_killed_at_the_deadline():
    store = MemoryStore(_many_quads(150_000), workers=2)  # its first worker loads meanwhile
    try:
        (worker,) = store.pool._all
        if not worker.loaded.is_set():
            with pytest.raises(QueryTimeout, match="loading"):
                store.query(COUNT, timeout=0.01)
        assert _count(store) == 150_000
        assert store.pool.stopped == 0
        assert store.pool._all[0] is worker and worker.process.poll() is None
    finally:
        store.close()
