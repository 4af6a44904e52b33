"""The production server: waitress, several threads, on the app from create_app."""

from __future__ import annotations

import logging

import waitress
from flask import Flask

log = logging.getLogger(__name__)
SPARE_THREADS = 2


def threads_for(app: Flask, threads: int) -> int:
    """Enough threads that some stay free to refuse requests over CAJKG_MAX_INFLIGHT at once."""
    needed = app.config.get("CAJKG_MAX_INFLIGHT", 0) + SPARE_THREADS
    if app.config.get("CAJKG_MAX_INFLIGHT", 0) and threads < needed:
        log.warning(
            "running %d threads instead of %d: CAJKG_MAX_INFLIGHT is %d",
            needed,
            threads,
            app.config["CAJKG_MAX_INFLIGHT"],
        )
        return needed
    return threads


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve until interrupted; 127.0.0.1 keeps the endpoint private to this machine."""
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads_for(app, threads),
        ident="cajkg",
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024,
    )
