"""Shared fixtures: the endpoint over a small fixture dataset, real servers on loopback ports.

`serve(app)` starts werkzeug's threaded server on 127.0.0.1, port 0, in a daemon thread and
returns its base URL; servers stop at the end of the test (or session) that started them.

Every test must leave rdflib's literal normalization off, as cajkg keeps it: a test that switched
it on (pySHACL called directly does) made the sparql store's tests fail many modules later.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from rdflib import BNode, Dataset, Graph
from rdflib.compare import isomorphic
from werkzeug.serving import make_server

from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app

DATA = Path(__file__).parent / "data"
TOKEN = "test-token-0123456789"


def shared_dir() -> Path:
    """The shared/ folder next to the checkout (CI), or CAJKG_SHARED_DIR."""
    override = os.environ.get("CAJKG_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "shared"


def fixture_dataset() -> Dataset:
    """The endpoint test data: an ontology graph, a sentence graph, provenance."""
    dataset = Dataset()
    dataset.parse(DATA / "endpoint.trig", format="trig")
    return dataset


def fixture_store(**options: object) -> MemoryStore:
    """A store over the fixture data with the real reasoner."""
    return MemoryStore(fixture_dataset(), reasoner=infer_with_owlrl, **options)  # type: ignore[arg-type]


def same_graph(a: Graph, b: Graph) -> bool:
    """Whether two graphs are isomorphic: the same ground triples, and the triples with blank
    nodes isomorphic (a mapping of blank nodes leaves ground triples as they are). rdflib's
    `isomorphic` alone canonicalises the whole graph, seconds for the seed graph's 8,000."""

    def split(graph: Graph) -> tuple[set, Graph]:
        ground, blank = set(), Graph()
        for t in graph:
            (blank.add(t) if any(isinstance(x, BNode) for x in t) else ground.add(t))
        return ground, blank

    (ground_a, blank_a), (ground_b, blank_b) = split(a), split(b)
    return ground_a == ground_b and isomorphic(blank_a, blank_b)


def make_app(store: MemoryStore | None = None, **config: object) -> Flask:
    """An app over `store` (default: the fixture store) with the test token set."""
    settings = {"TESTING": True, "CAJKG_UPDATE_TOKEN": TOKEN, **config}
    return create_app(settings, store=store if store is not None else fixture_store())


class _Server:
    def __init__(self, app: Flask) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@contextmanager
def running(app: Flask) -> Iterator[str]:
    """A real server for `app` while the block runs (for module-scoped fixtures)."""
    server = _Server(app)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def literals_kept_as_written() -> Iterator[None]:
    """Fail the test that leaves rdflib's literal normalization on (and switch it off again, so
    that the tests after it read literals as cajkg does)."""
    yield
    if rdflib.NORMALIZE_LITERALS:
        rdflib.NORMALIZE_LITERALS = False
        pytest.fail(
            "the test left rdflib.NORMALIZE_LITERALS on: later tests would read rewritten "
            "literals (call pySHACL through cajkg.graph.validate.pyshacl_validate)"
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Debian Chromium for a module's browser tests (closed at its end: Playwright's
    sync API cannot start again while one is running, as the reliability run does)."""
    from chromium import launched

    with launched() as chromium:
        yield chromium


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], str]]:
    """Start a real server for an app; returns its base URL."""
    servers: list[_Server] = []

    def start(app: Flask) -> str:
        servers.append(_Server(app))
        return servers[-1].url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def app() -> Flask:
    """A fresh app over a fresh fixture store."""
    return make_app()


@pytest.fixture
def client(app: Flask):
    """Flask's test client for `app`."""
    return app.test_client()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """One real server for the session, over the fixture data; write only to fresh graphs."""
    server = _Server(make_app())
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def seed_store() -> MemoryStore:
    """The store over the real built graph (with its cjg:inferred), as `cajkg serve` uses."""
    from cajkg.graph.build import build_dataset

    return MemoryStore(build_dataset(), reasoner=infer_with_owlrl)


@pytest.fixture(scope="session")
def seed_server(seed_store: MemoryStore) -> Iterator[str]:
    """A real server over the built graph, read-only (no writes may change the seed store)."""
    server = _Server(create_app({"TESTING": True}, store=seed_store))
    yield server.url
    server.stop()


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def reasoning_server(request, tmp_path_factory) -> Iterator[str]:
    """A real server over the built graph with the incremental reasoner in its process (what
    explanations need), on the memory and the oxigraph store; read-only, one per module."""
    from cajkg.graph.build import build_dataset
    from cajkg.graph.reasoner import IncrementalReasoner
    from cajkg.graph.store.oxigraph import OxigraphStore

    store: MemoryStore | OxigraphStore
    if request.param == "memory":
        store = MemoryStore(build_dataset(), reasoner=IncrementalReasoner(), workers=1)
    else:
        store = OxigraphStore(
            tmp_path_factory.mktemp("ox") / "ox", reasoner=IncrementalReasoner(), workers=1
        )
        store.load(build_dataset())
    running = _Server(create_app({"TESTING": True}, store=store))
    yield running.url
    running.stop()
    store.close()
