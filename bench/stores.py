"""One-triple writes on each store kind, side by side in one run: `python -P -m bench.stores`.

Each store is opened the way `cajkg serve --store KIND` opens it (the factory, the incremental
reasoner, the built seed graph; the sparql store in front of a real `oxigraph serve` after a
push) and timed from `update()` until a query sees the inference the write entails. Prints a
Markdown table of median (min-max) milliseconds over the repeats.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cajkg.graph.build import build_dataset
from cajkg.graph.store.factory import open_store
from cajkg.graph.store.remote import SparqlClient
from cajkg.graph.transfer import push

REPEATS = 7
PREFIXES = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
PREFIX cjg: <https://w3id.org/cajkg/graph/>
"""
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _oxigraph_serve(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("oxigraph serve did not start")


def _time_writes(store: object) -> list[float]:
    samples = []
    for n in range(REPEATS):
        city = f"cjr:BenchCity{n}"
        started = time.perf_counter()
        store.update(
            PREFIXES + f"INSERT DATA {{ GRAPH cjg:bench {{ {city} cajkg:locatedIn cjr:Japan }} }}"
        )
        seen = store.query(PREFIXES + f"ASK {{ {city} cajkg:locatedIn cjr:Asia }}").askAnswer
        samples.append((time.perf_counter() - started) * 1000)
        if not seen:
            raise AssertionError("the inference was not visible after the write")
    return samples


def main() -> int:
    dataset = build_dataset()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cajkg-bench-stores-") as tmp:
        folder = Path(tmp)
        for kind in ("memory", "oxigraph", "sparql"):
            server = None
            options: dict[str, object] = {"dataset": dataset, "data_dir": folder / kind}
            if kind == "sparql":
                server, url = _oxigraph_serve(folder / "serve")
                push(dataset, SparqlClient(f"{url}/query", f"{url}/update"))
                options = {"endpoint": f"{url}/query", "update_endpoint": f"{url}/update"}
            store = open_store(kind, **options)
            try:
                warm = getattr(store, "warm", None)
                if warm is not None:
                    warm().join()
                samples = _time_writes(store)
            finally:
                store.close()
                if server is not None:
                    server.kill()
                    server.wait()
            rows.append((kind, samples))
    print("| store | one-triple write until its inference is visible, ms |")
    print("| --- | --- |")
    for kind, samples in rows:
        print(
            f"| {kind} | {statistics.median(samples):.1f} ({min(samples):.1f}-"
            f"{max(samples):.1f}) x{len(samples)} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
