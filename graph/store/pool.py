"""A pool of query worker processes (`worker.py`), each holding a replica of the store.

Why processes: Oxigraph evaluates a query in Rust without ever returning to Python, so neither a
thread nor an asynchronous exception can stop it; a process can be killed. Processes also run
queries on every core, free of the GIL. Workers start on demand (up to `size`) and are reused;
one whose query passes its deadline is killed, and the next query starts a fresh one, seeded by
the store (`seed` gives the first message: a dump to load, or a checkpoint directory to open).

Loading: a new worker loads in the background and joins the idle workers once it says its seed
is in; only then are queries sent to it and timed, so a large store's load is never mistaken for
a runaway query (at a million triples a replica takes longer to load than a query may run). One
worker loads at a time: a query that finds no idle worker waits for one, starting another only
when none is loading, so that clients retrying during the start do not start a load each.

Consistency: the store calls `broadcast` with each write's difference while it holds `lock`
(the same lock under which it changed its own copy), and a new worker is loaded under that lock
too, so every replica sees every write exactly once and in order. Messages to a worker go through
its own outbox thread, so a write never waits for a busy worker: the worker applies it after the
query in hand, before any later one.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import select
import shutil
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import QueryTimeout, StoreError
from .worker import receive, send

log = logging.getLogger(__name__)


class _Worker:
    """One worker process and the thread that feeds its stdin."""

    SCRIPT = str(Path(__file__).with_name("worker.py"))

    def __init__(self, seed: tuple[Any, ...], *more: tuple[Any, ...]) -> None:
        self.directory = Path(seed[1]) if seed[0] == "open" else None
        self.loaded = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-P", self.SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=self._feed, name="cajkg-worker-feed", daemon=True).start()
        for message in (seed, *more, ("sync",)):
            self.post(message)

    def post(self, message: Any) -> None:
        """Queue a message; never blocks."""
        self._outbox.put(message)

    def _feed(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        while (message := self._outbox.get()) is not None:
            try:
                send(stdin, message)
            except (OSError, ValueError):  # the worker was killed, its pipe closed
                return

    def wait_loaded(self) -> bool:
        """Block until the seed is in (True) or the worker died (False)."""
        try:
            self.loaded.set() if self.reply(None) == ("loaded",) else None
        except StoreError:
            pass
        return self.loaded.is_set()

    def reply(self, timeout: float | None) -> Any:
        """The answer to the query in hand; None when the timeout passed first."""
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        if not ready:
            return None
        try:
            return receive(stdout)
        except (EOFError, OSError, ValueError):
            raise StoreError("a query worker died; it will be replaced") from None

    def kill(self) -> None:
        self._outbox.put(None)
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def _kill_all(workers: list[_Worker]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()


class QueryPool:
    """At most `size` queries at once, each in a worker process, each stopped at its deadline."""

    def __init__(
        self, size: int, seed: Callable[[], tuple[Any, ...]], lock: threading.Lock
    ) -> None:
        self.workers = size
        self.stopped = 0
        self._seed = seed
        self._lock = lock
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: list[_Worker] = []
        self._loading = 0
        self._closed = False
        self.loaded = threading.Event()  # set once a worker has loaded (queries are answered)
        self._finalizer = weakref.finalize(self, _kill_all, self._all)

    def run(self, request: tuple[Any, ...], timeout: float | None) -> Any:
        """Send a query request to a worker and return its reply, or raise QueryTimeout."""
        started = time.monotonic()
        if not self._slots.acquire(timeout=timeout):
            raise QueryTimeout(f"all {self.workers} query workers stayed busy for {timeout:g} s")
        try:
            worker = self._take(None if timeout is None else started + timeout)
            worker.post(("query", *request))
            remaining = None if timeout is None else max(0.0, started + timeout - time.monotonic())
            try:
                reply = worker.reply(remaining)
            except StoreError:
                self._discard(worker)
                raise
            if reply is None:
                self._discard(worker)
                self.stopped += 1
                log.warning("query stopped after %.1f s", time.monotonic() - started)
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
            self._idle.put(worker)
            return reply
        finally:
            self._slots.release()

    def broadcast(self, remove: bytes, add: bytes) -> None:
        """Send a write to every worker; the caller holds the store's lock."""
        self.post_all(("change", remove, add))

    def post_all(self, message: tuple[Any, ...]) -> None:
        """Send a message to every worker, loading or not; the caller holds the store's lock."""
        for worker in self._all:
            worker.post(message)

    def restart(self) -> None:
        """Stop every worker (the caller holds the lock): the store was replaced wholesale, and
        the next queries start fresh workers from a new dump."""
        for worker in list(self._all):
            self._all.remove(worker)
            worker.kill()
        while not self._idle.empty():
            self._idle.get_nowait()

    def close(self) -> None:
        """Stop every worker; none starts after."""
        with self._lock:
            self._closed = True
            self._finalizer()

    def prestart(self, *seed: tuple[Any, ...]) -> None:
        """Start loading one worker ahead of the first query (a large store takes seconds to
        load), from `seed` (messages) when given, else from the store's seed; the caller holds
        the store's lock when it gives a seed, so that no write comes in between."""
        if seed:
            self._start(seed)
        elif not self._all:
            self._grow()

    def _take(self, deadline: float | None) -> _Worker:
        """An idle worker, loaded; waits for one (up to the deadline), starting a new one when
        none is idle or loading and the pool is not full."""
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            self._grow()
            wait = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if wait <= 0:
                raise QueryTimeout(
                    "no query worker was free in time (one is still loading the store)"
                )
            try:
                return self._idle.get(timeout=wait)
            except queue.Empty:
                continue

    def _grow(self) -> None:
        """Start a worker in the background when none is idle or loading and there is room."""
        if self._loading or len(self._all) >= self.workers or not self._idle.empty():
            return
        with self._lock:
            if self._loading or len(self._all) >= self.workers:
                return
            self._start((self._seed(),))

    def _start(self, seed: tuple[tuple[Any, ...], ...]) -> None:
        """A new worker fed `seed`, joining the idle ones once loaded (caller holds the lock)."""
        if self._closed:
            raise StoreError("the store is closed")
        worker = _Worker(*seed)
        self._all.append(worker)
        self._loading += 1
        threading.Thread(
            target=self._await_loaded, args=(worker,), name="cajkg-worker-load", daemon=True
        ).start()

    def _await_loaded(self, worker: _Worker) -> None:
        loaded = worker.wait_loaded()
        with self._lock:
            self._loading -= 1
            alive = worker in self._all
        if loaded and alive:
            self._idle.put(worker)
            self.loaded.set()
        elif alive:
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.kill()
