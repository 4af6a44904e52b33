"""`cajkg serve` without `cajkg build` first (issue 11, section 5): a new user who installs the
checkout and serves gets the same site as `make serve`, dumps and dataset description included."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from rdflib import Dataset, Graph
from rdflib.namespace import VOID

from cajkg.graph.build import BuildConfig
from cajkg.graph.export import DUMPS, STAMP, dumps_are_current, write_dumps
from cajkg.graph.iris import Base
from cajkg.graph.sources import default_sources

CAJKG = Path(sys.executable).parent / "cajkg"
EVERY_DUMP = sorted([*(name for name, _ in DUMPS), "void.ttl"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    """`cajkg serve` in an empty directory: no build directory, no data directory."""
    home = tmp_path_factory.mktemp("new-user")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAJKG_")}
    port = _free_port()
    process = subprocess.Popen(
        [str(CAJKG), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, "cajkg serve exited"
            assert time.monotonic() < deadline, "cajkg serve did not start within 180 s"
            time.sleep(0.2)
        yield url, home
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_downloads_and_void_without_a_build(fresh_server):
    url, home = fresh_server
    listing = requests.get(f"{url}/download/", timeout=60)
    assert listing.status_code == 200
    assert "No dumps yet" not in listing.text
    for name in EVERY_DUMP:
        assert f"/download/{name}" in listing.text
    void = requests.get(f"{url}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    assert void.status_code == 200
    description = Graph().parse(data=void.text, format="turtle")
    assert any(description.triples((None, VOID.triples, None)))
    dump = requests.get(f"{url}/download/dataset.trig", timeout=60)
    assert dump.status_code == 200
    assert len(Dataset().parse(data=dump.text, format="trig")) > 1000
    # The same files `cajkg build` writes, in the directory it writes them to.
    assert sorted(p.name for p in (home / "build").iterdir() if p.is_file()) == sorted(
        [*EVERY_DUMP, STAMP]
    )


def test_dumps_are_rewritten_only_when_missing_or_stale(tmp_path):
    config = BuildConfig(default_sources(), Base(), tmp_path)
    assert not dumps_are_current(config)
    write_dumps(config)
    assert dumps_are_current(config)
    (tmp_path / STAMP).write_text("an older build\n")
    assert not dumps_are_current(config)
    write_dumps(config)
    (tmp_path / "union.nt").unlink()
    assert not dumps_are_current(config)
