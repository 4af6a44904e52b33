"""The query worker processes: a runaway query costs only its worker, which is killed and
replaced; replicas see every write, in order, including a worker started after the write."""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox
import pytest
from conftest import fixture_dataset

from cajkg.graph.store.base import QueryTimeout
from cajkg.graph.store.memory import MemoryStore

RUNAWAY = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
_ROWS = " ".join(str(n) for n in range(1000))
RUNAWAY_ON_NOTHING = (
    "SELECT (COUNT(*) AS ?n) { " + " ".join(f"VALUES ?v{i} {{ {_ROWS} }}" for i in range(3)) + " }"
)
BUSY = (
    "SELECT (COUNT(*) AS ?n) { "
    + " ".join(f"VALUES ?w{i} {{ {' '.join(str(n) for n in range(160))} }}" for i in range(3))
    + " }"
)
NEW = "<http://example.org/pool/s> <http://example.org/pool/p> {} ."


def _count(store: MemoryStore) -> int:
    rows = store.query("SELECT (COUNT(*) AS ?n) { ?s <http://example.org/pool/p> ?o }")
    return int(next(iter(rows))[0])


@pytest.fixture
def store():
    store = MemoryStore(fixture_dataset(), workers=2)
    yield store
    store.close()


def test_a_runaway_query_kills_its_worker_and_the_next_query_gets_a_fresh_one(store):
    assert _count(store) == 0
    first = list(store.pool._all)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="stopped"):
        store.query(RUNAWAY, timeout=0.5)
    assert time.monotonic() - started < 5
    assert store.pool.stopped == 1
    assert all(w.process.poll() is not None for w in first if w not in store.pool._all)
    store.update("INSERT DATA { " + NEW.format(1) + " }")
    assert _count(store) == 1
    assert len(store.pool._all) <= 2


def _replica_counts(store: MemoryStore) -> list[int]:
    """Ask every worker directly (the pool itself always reuses the most recent one)."""
    counts = []
    for worker in store.pool._all:
        assert worker.loaded.wait(10)  # a worker still loading answers "loaded" first
        worker.post(
            (
                "query",
                "SELECT (COUNT(*) AS ?n) { ?s <http://example.org/pool/p> ?o }",
                {},
                {"default": [ox.DefaultGraph()], "named": []},
                None,
                b"",
            )
        )
        status, answer = worker.reply(10)
        assert status == "ok"
        counts.append(int(answer[2][0][0].value))
    return counts


def test_every_replica_sees_every_write_in_order(store):
    barrier = threading.Barrier(2)

    store.query("ASK { ?s ?p ?o }")  # one worker loaded

    def hold() -> None:  # keeps that worker busy for a while
        barrier.wait()
        store.query(BUSY)

    thread = threading.Thread(target=hold)
    thread.start()
    barrier.wait()
    while store.pool._idle.qsize():  # until hold() has taken the worker
        time.sleep(0.01)
    store.query("ASK { ?s ?p ?o }")  # finds it busy: a second worker loads and answers
    thread.join()
    assert len(store.pool._all) == 2
    for n in range(1, 6):
        store.update("INSERT DATA { " + NEW.format(n) + " }")
        assert _replica_counts(store) == [n, n]
    store.update("DELETE DATA { " + NEW.format(3) + " }")
    store.pool.restart()
    store.query("ASK { ?s ?p ?o }")
    assert _replica_counts(store) == [4]


def test_a_query_that_finds_every_worker_busy_times_out(store):
    stopped: list[str] = []

    def runaway() -> None:
        try:
            store.query(RUNAWAY, timeout=3)
        except QueryTimeout as error:
            stopped.append(str(error))

    runaways = [threading.Thread(target=runaway) for _ in range(2)]
    for thread in runaways:
        thread.start()
    time.sleep(0.5)
    with pytest.raises(QueryTimeout, match="busy"):
        store.query("ASK { ?s ?p ?o }", timeout=0.5)
    for thread in runaways:
        thread.join()
    assert len(stopped) == 2
    assert store.query("ASK { ?s ?p ?o }", timeout=5).askAnswer is True


def test_closing_the_store_stops_its_workers():
    store = MemoryStore(fixture_dataset(), workers=2)
    store.query("ASK { ?s ?p ?o }")
    processes = [w.process for w in store.pool._all]
    assert processes
    store.close()
    assert all(p.poll() is not None for p in processes)


def test_the_oxigraph_stores_workers_open_checkpoints_not_copies(tmp_path):
    from cajkg.graph.store.oxigraph import WORKERS_DIR, OxigraphStore

    store = OxigraphStore(tmp_path, workers=1)
    store.update("INSERT DATA { GRAPH <http://example.org/pool/g> { " + NEW.format(1) + " } }")
    assert _count(store) == 1
    (checkpoint,) = (tmp_path / WORKERS_DIR).iterdir()
    with pytest.raises(QueryTimeout):
        store.query(RUNAWAY_ON_NOTHING, timeout=0.5)
    assert not checkpoint.exists()
    store.update("INSERT DATA { GRAPH <http://example.org/pool/g> { " + NEW.format(2) + " } }")
    assert _count(store) == 2
    store.close()
    reader = OxigraphStore(tmp_path, read_only=True, workers=1)
    assert _count(reader) == 2
    reader.close()
