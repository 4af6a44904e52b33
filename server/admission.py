"""Admission control: a bounded number of requests in the app, the rest refused at once."""

from __future__ import annotations

import threading

from flask import Flask, g, request

from . import errors

RETRY_AFTER = 1
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")


class Admission:
    """At most `limit` requests in the app at once; one more gets 503 and Retry-After at once.

    Without it an overloaded server queues requests without bound (waitress's task queue, then
    the query workers) and every client waits. Health and metrics stay answerable.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit) if limit > 0 else None

    def enter(self) -> None:
        """before_request: take a slot or refuse the request."""
        if self._slots is None or request.path in UNLIMITED_PATHS:
            return
        if not self._slots.acquire(blocking=False):
            raise errors.Problem(
                503,
                f"the server is busy ({self.limit} requests in progress); retry in {RETRY_AFTER} s",
                {"Retry-After": str(RETRY_AFTER)},
            )
        g.cajkg_admitted = True

    def leave(self, _error: BaseException | None) -> None:
        """teardown_request: give the slot back."""
        if g.pop("cajkg_admitted", False) and self._slots is not None:
            self._slots.release()


def init_app(app: Flask, limit: int) -> None:
    """Install the limit (0: none) as before/teardown hooks of `app`."""
    gate = Admission(limit)
    app.before_request(gate.enter)
    app.teardown_request(gate.leave)
