"""One-triple writes on each store kind, side by side in one run: `python -P -m bench.stores`.

Each store is opened the way `cajkg serve --store KIND` opens it (the factory, the incremental
reasoner, the built seed graph; the sparql store in front of a real `oxigraph serve` after a
push) and timed from `update()` until a query sees the inference the write entails. Prints a
Markdown table of median (min-max) milliseconds over the repeats.

`python -P -m bench.stores --articles K` does the same for the memory and the sparql store on
the seed scaled to K articles (`bench.generate`; K=200 is about 1M triples), each store in a
process of its own, and adds that process's resident memory (VmRSS after the writes, and its
peak VmHWM). The remote store is filled with `oxigraph load` (the asserted graphs, their merge
and their closure, blank nodes as cajkg's skolem IRIs), so no process of the benchmark holds
the whole graph but the memory store's.
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


def _memory_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak (VmRSS, VmHWM), MB."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def _scaled_files(k: int, folder: Path) -> tuple[Path, Path]:
    """The scaled asserted quads (for the memory store) and the remote store's load file: the
    same quads, the merge and the closure, blank nodes skolemized."""
    from rdflib import BNode, URIRef
    from rdflib.plugins.serializers.nquads import _nq_row

    from bench.generate import write_nquads
    from cajkg.graph.inferred import InferredGraphs
    from cajkg.graph.iris import G_ASSERTED
    from cajkg.graph.reasoner import Materializer
    from cajkg.graph.store.remote import Skolem

    asserted = folder / "asserted.nq"
    write_nquads(k, asserted)
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(asserted, format="nquads")
    skolem = Skolem()
    merge = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    inferred = Materializer(merge).inferred_triples()
    remote = folder / "remote.nq"
    with remote.open("w", encoding="utf-8") as out:
        for s, p, o, g in dataset.quads((None, None, None, None)):
            name = g.identifier if hasattr(g, "identifier") else g
            out.write(_nq_row(next(iter(skolem.triples([(s, p, o)]))), URIRef(name)))
        for triple in merge:
            out.write(_nq_row(next(iter(skolem.triples([triple]))), G_ASSERTED))
        for triple in inferred:
            if not isinstance(triple[1], BNode):
                graph = InferredGraphs().of(triple)
                out.write(_nq_row(next(iter(skolem.triples([triple]))), graph))
    return asserted, remote


def _measure(kind: str, source: str) -> int:
    """One store in this process: the writes' latency and this process's memory, as JSON."""
    import json

    if kind == "memory":
        store = open_store("memory", dataset=Path(source).read_bytes())
        warm = getattr(store, "warm", None)
        if warm is not None:
            warm().join()
    else:
        store = open_store("sparql", endpoint=f"{source}/query", update_endpoint=f"{source}/update")
    samples = _time_writes(store)
    rss, peak = _memory_mb()
    store.close()
    print(json.dumps({"kind": kind, "samples": samples, "rss": rss, "peak": peak}))
    return 0


def scaled(k: int) -> int:
    """The memory and the sparql store on the seed scaled to `k` articles, each in a process
    of its own."""
    import json

    with tempfile.TemporaryDirectory(prefix="cajkg-bench-stores-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        asserted, remote = _scaled_files(k, folder)
        quads = sum(1 for _ in asserted.open(encoding="utf-8"))
        subprocess.run(
            [str(OXIGRAPH), "load", "--location", str(folder / "serve"), "--file", str(remote)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"prepared {quads} asserted quads in {time.perf_counter() - started:.0f} s")
        rows = []
        server, url = _oxigraph_serve(folder / "serve")
        try:
            for kind, source in (("sparql", url), ("memory", str(asserted))):
                done = subprocess.run(
                    [sys.executable, "-P", "-m", "bench.stores", "--measure", kind, source],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        finally:
            server.kill()
            server.wait()
    print(
        f"| store ({quads} asserted quads) | one-triple write until its inference is visible, ms "
        "| cajkg process memory after the writes (peak), MB |"
    )
    print("| --- | --- | --- |")
    for row in rows:
        samples = row["samples"]
        print(
            f"| {row['kind']} | {statistics.median(samples):.1f} ({min(samples):.1f}-"
            f"{max(samples):.1f}) x{len(samples)} | {row['rss']:.0f} ({row['peak']:.0f}) |"
        )
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--measure"]:
        return _measure(sys.argv[2], sys.argv[3])
    if sys.argv[1:2] == ["--articles"]:
        return scaled(int(sys.argv[2]))
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
