"""Dumps and the dataset description for a server started without `cajkg build`.

`cajkg serve` alone serves the same site as `make serve` (which builds first): when the build
directory lacks the dumps, or holds them from other sources, the app writes them in a thread
started with it, so the server answers at once; the download pages and /.well-known/void wait
for that thread (a second or two on the seed graph; at most CAJKG_QUERY_TIMEOUT) instead of
saying that there is nothing.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from cajkg.graph.build import BuildConfig, BuildError
from cajkg.graph.export import dumps_are_current, write_dumps

log = logging.getLogger(__name__)
EXTENSION = "cajkg.dumps"


def init_app(app: Flask, config: BuildConfig) -> None:
    """Start writing the dumps when they are missing or stale; nothing when they are current."""
    if dumps_are_current(config):
        return
    thread = threading.Thread(target=_write, args=(config,), name="cajkg-dumps", daemon=True)
    app.extensions[EXTENSION] = thread
    thread.start()


def _write(config: BuildConfig) -> None:
    try:
        write_dumps(config)
        log.info("wrote the dumps to %s", config.out_dir)
    except (BuildError, OSError) as error:
        log.warning("could not write the dumps to %s: %s", config.out_dir, error)


def wait() -> None:
    """Block until the dumps started by init_app are written (or failed), at most
    CAJKG_QUERY_TIMEOUT seconds, so that a slow write never holds request threads for good."""
    thread = current_app.extensions.get(EXTENSION)
    if thread is not None:
        thread.join(timeout=current_app.config.get("CAJKG_QUERY_TIMEOUT", 30))
