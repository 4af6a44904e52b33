"""Run query evaluation in worker threads that are stopped when their deadline passes.

Python threads cannot be killed, but rdflib's evaluator is pure Python, so an exception raised
asynchronously in the worker (PyThreadState_SetAsyncExc) unwinds it at the next bytecode.
A semaphore bounds how many evaluations run at once, so a burst of runaway queries cannot
starve the server: a query that waits for a slot past its deadline times out as well.
An asynchronous exception can be lost: one that lands in a finalizer run by the garbage
collector (`__del__`, a generator's close) is printed and dropped, and a bare `except:` in the
evaluator swallows it. So a stopped job is stopped again every `RESTOP` seconds until it ends;
otherwise a lost stop would keep its slot, and the next write would wait for it forever.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from .base import QueryTimeout

T = TypeVar("T")
RESTOP = 0.05
log = logging.getLogger(__name__)


class _Stopped(BaseException):
    """Raised inside a worker whose deadline passed; BaseException so rdflib cannot swallow it."""


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule exc in the thread (None clears a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else ctypes.c_void_p(0)
    )


class Deadlines:
    """At most `workers` evaluations at once, each stopped when its timeout passes."""

    def __init__(self, workers: int = 4) -> None:
        self.workers = workers
        self._slots = threading.BoundedSemaphore(workers)
        self.stopped = 0

    def run(self, fn: Callable[[], T], timeout: float | None) -> T:
        """Return fn() or raise QueryTimeout; fn's own exceptions are re-raised here."""
        started = time.monotonic()
        if not self._slots.acquire(timeout=timeout):
            raise QueryTimeout(f"all {self.workers} query workers stayed busy for {timeout:g} s")
        job = _Job(fn, self._slots)
        job.thread.start()
        remaining = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        if not job.done.wait(remaining):
            if job.stop():
                self.stopped += 1
                log.warning("query stopped after %.1f s", time.monotonic() - started)
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
            job.done.wait()
        return job.outcome()


class _Job(Generic[T]):
    """One evaluation in its own thread; stop() can only land while fn is running."""

    def __init__(self, fn: Callable[[], T], slots: threading.BoundedSemaphore) -> None:
        self._fn = fn
        self._slots = slots
        self._lock = threading.Lock()
        self._running = True
        self._value: list[T] = []  # fn's value once it returned
        self._error: BaseException | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._work, name="cajkg-query", daemon=True)

    def _work(self) -> None:
        try:
            try:
                self._value.append(self._fn())
            finally:
                with self._lock:
                    self._running = False
                _set_async_exc(threading.get_ident(), None)
        except BaseException as error:  # a stop may land anywhere in the block above
            self._error = error
        self._slots.release()
        self.done.set()

    def stop(self) -> bool:
        """Interrupt the worker if fn is still running, again until it ends (see the module's
        docstring); False when it already finished."""
        if not self._interrupt():
            return False
        threading.Thread(target=self._restop, name="cajkg-query-stop", daemon=True).start()
        return True

    def _interrupt(self) -> bool:
        with self._lock:
            if not self._running:
                return False
            assert self.thread.ident is not None
            _set_async_exc(self.thread.ident, _Stopped)
            return True

    def _restop(self) -> None:
        while not self.done.wait(RESTOP) and self._interrupt():
            pass

    def outcome(self) -> T:
        """fn's value, or its exception re-raised in the caller."""
        if self._error is not None:
            raise self._error
        return self._value[0]
