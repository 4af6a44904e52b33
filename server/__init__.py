"""cajkg HTTP layer: create_app builds the Flask app around one store.

Settings come from CAJKG_* environment variables (see config.SETTINGS), overridden by the
`config` mapping (parsed values, same keys). Without a `store`, the app builds the knowledge
graph (cached on disk), replays the write journal of CAJKG_DATA_DIR and reasons with owlrl.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, request

from cajkg.graph.iris import Base
from cajkg.graph.store.base import Store

from . import config as settings
from . import cors, diagram, errors, gsp, home, metrics, ontology_docs, pages, sparql, workbench

RETRY_AFTER = 1
UNLIMITED_PATHS = ("/healthz", "/metrics")


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
            raise errors.Problem(503, f"the server is busy ({self.limit} requests in progress); "
                                      f"retry in {RETRY_AFTER} s",
                                 {"Retry-After": str(RETRY_AFTER)})
        g.cajkg_admitted = True

    def leave(self, _error: BaseException | None) -> None:
        """teardown_request: give the slot back."""
        if g.pop("cajkg_admitted", False) and self._slots is not None:
            self._slots.release()


def default_store(config: Mapping[str, Any]) -> Store:
    """The store CAJKG_STORE names, over the built graph, with the journal and the reasoner."""
    from cajkg.graph.build import BuildConfig, build_dataset
    from cajkg.graph.store.factory import open_store

    base = Base(config["CAJKG_BASE"])
    build = dataclasses.replace(BuildConfig.from_env(), base=base)
    return open_store(
        config["CAJKG_STORE"],
        dataset=lambda: build_dataset(build),
        base=base,
        data_dir=Path(config["CAJKG_DATA_DIR"]),
        endpoint=config["CAJKG_SPARQL_ENDPOINT"] or None,
        update_endpoint=config["CAJKG_SPARQL_UPDATE_ENDPOINT"] or None,
        user=config["CAJKG_SPARQL_USER"],
        password=config["CAJKG_SPARQL_PASSWORD"],
        token=config["CAJKG_SPARQL_TOKEN"],
        fetchable=config["CAJKG_ALLOW_LOAD"],
        services=config["CAJKG_ALLOW_SERVICE"],
        workers=config["CAJKG_QUERY_WORKERS"],
    )


def create_app(config: Mapping[str, Any] | None = None, store: Store | None = None) -> Flask:
    """A new app; importing this package opens nothing."""
    values = settings.from_env()
    values.update(config or {})
    app = Flask(__name__, instance_path=str(Path(values["CAJKG_DATA_DIR"]).resolve()))
    app.config.from_mapping(values)
    app.config["MAX_CONTENT_LENGTH"] = values["CAJKG_MAX_BODY"]
    app.extensions["cajkg.store"] = store if store is not None else default_store(values)
    errors.init_app(app)
    metrics.init_app(app)
    admission = Admission(values["CAJKG_MAX_INFLIGHT"])
    app.before_request(admission.enter)
    app.teardown_request(admission.leave)
    cors.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(gsp.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(ontology_docs.bp)
    app.register_blueprint(workbench.bp)
    app.register_blueprint(diagram.bp)
    app.register_blueprint(pages.bp)
    return app
