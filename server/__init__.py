"""cajkg HTTP layer: create_app builds the Flask app around one store.

Settings come from CAJKG_* environment variables (see config.SETTINGS), overridden by the
`config` mapping (parsed values, same keys). Without a `store`, the app builds the knowledge
graph (cached on disk), replays the write journal of CAJKG_DATA_DIR and reasons with the
incremental reasoner. Flask and the blueprints are imported inside the factory, as in Flask's
tutorial, so that `cajkg build` (a submodule of this package) does not pay for them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cajkg.graph.iris import Base

if TYPE_CHECKING:
    from flask import Flask

    from cajkg.graph.build import BuildConfig
    from cajkg.graph.store.base import Store


def _build_config(config: Mapping[str, Any]) -> BuildConfig:
    """The build the app serves: CAJKG_BUILD_DIR (the app setting, else the environment)."""
    from cajkg.graph.build import BuildConfig

    build = dataclasses.replace(BuildConfig.from_env(), base=Base(config["CAJKG_BASE"]))
    if config.get("CAJKG_BUILD_DIR"):
        build = dataclasses.replace(build, out_dir=Path(config["CAJKG_BUILD_DIR"]))
    return build


def default_store(config: Mapping[str, Any]) -> Store:
    """The store CAJKG_STORE names, over the built graph, with the journal and the reasoner."""
    from cajkg.graph.build import build_nquads
    from cajkg.graph.reasoner import FINGERPRINT
    from cajkg.graph.store.factory import open_store

    base = Base(config["CAJKG_BASE"])
    build = _build_config(config)
    return open_store(
        config["CAJKG_STORE"],
        dataset=lambda: build_nquads(build),
        base=base,
        data_dir=Path(config["CAJKG_DATA_DIR"]),
        endpoint=config["CAJKG_SPARQL_ENDPOINT"] or None,
        update_endpoint=config["CAJKG_SPARQL_UPDATE_ENDPOINT"] or None,
        user=config["CAJKG_SPARQL_USER"],
        password=config["CAJKG_SPARQL_PASSWORD"],
        token=config["CAJKG_SPARQL_TOKEN"],
        system_graphs=config["CAJKG_SPARQL_SYSTEM_GRAPHS"],
        fetchable=config["CAJKG_ALLOW_LOAD"],
        services=config["CAJKG_ALLOW_SERVICE"],
        workers=config["CAJKG_QUERY_WORKERS"],
        inferred_by=FINGERPRINT,  # the build's inferred graphs: this reasoner's, cached by code
    )


def create_app(config: Mapping[str, Any] | None = None, store: Store | None = None) -> Flask:
    """A new app; importing this package opens nothing."""
    from flask import Flask

    from . import (
        admission,
        cors,
        diagram,
        dumps,
        errors,
        gsp,
        home,
        impact,
        metrics,
        ontology_docs,
        pages,
        pictures,
        search,
        sparql,
        why,
        why_answers,
        workbench,
    )
    from . import config as settings

    values = settings.from_env()
    values.update(config or {})
    app = Flask(__name__, instance_path=str(Path(values["CAJKG_DATA_DIR"]).resolve()))
    app.config.from_mapping(values)
    app.config["MAX_CONTENT_LENGTH"] = values["CAJKG_MAX_BODY"]
    if store is None:
        store = default_store(values)
        dumps.init_app(app, _build_config(values))
    app.extensions["cajkg.store"] = store
    errors.init_app(app)
    metrics.init_app(app)
    admission.init_app(app, values["CAJKG_MAX_INFLIGHT"])
    cors.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(gsp.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(ontology_docs.bp)
    app.register_blueprint(workbench.bp)
    app.register_blueprint(diagram.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(pictures.bp)
    app.register_blueprint(why.bp)
    app.register_blueprint(why_answers.bp)
    app.register_blueprint(impact.bp)
    app.register_blueprint(pages.bp)
    return app
