"""Servers on 127.0.0.1 and the clients that measure them.

Each server runs as a child process on a free loopback port: cajkg (bench.serve_cajkg) and the
`oxigraph serve` binary of the virtualenv, loaded with the same materialized N-Quads. Every
measurement is bounded in requests and in seconds; nothing leaves the machine.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests

TOKEN = "bench-token"
PING = "ASK { ?s ?p ?o }"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
RESULTS_JSON = "application/sparql-results+json"
REQUEST_TIMEOUT_S = 60  # one request; a longer one counts as an error


def child_env(tree: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child process that imports `bench` (a folder, not installed) from
    this checkout, or from the checkout `tree`."""
    root = str(tree or Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    other = {"PYTHONDONTWRITEBYTECODE": "1"} if tree else {}  # leave the other checkout as is
    return {**os.environ, "PYTHONPATH": path, **other, **extra}


def free_port() -> int:
    """A port nobody listens on right now (the child binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running SPARQL server: where to query and update, and how long it took to answer."""

    name: str
    query_url: str
    update_url: str
    process: subprocess.Popen
    startup_s: float = 0.0
    ready_s: float | None = None  # cajkg: until /readyz (warm-up done); queries are timed after
    headers: dict[str, str] = field(default_factory=dict)


def _wait_until_answering(server: Server, started: float, timeout: float) -> None:
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
        try:
            reply = requests.get(
                server.query_url,
                params={"query": PING},
                headers={"Accept": RESULTS_JSON},
                timeout=5,
            )
            if reply.status_code == 200:
                server.startup_s = time.perf_counter() - started
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


@contextmanager
def _running(server: Server, started: float, timeout: float) -> Iterator[Server]:
    try:
        _wait_until_answering(server, started, timeout)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def cajkg_server(
    data: Path,
    reasoner: str,
    timeout: float = 600,
    data_dir: Path | None = None,
    log: Path | None = None,
    tree: Path | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[Server]:
    """cajkg's app (waitress) on `data`: the memory store, or the oxigraph store in `data_dir`
    (loaded from `data` when empty); startup_s runs from spawn to first answer. With `log`, the
    server's start-up phases are logged to that file. With `tree`, the cajkg of another
    checkout serves (its own .venv and bench.serve_cajkg), to compare two versions; `settings`
    are more CAJKG_* variables for the server."""
    port = free_port()
    level = "INFO" if log else "WARNING"
    env = child_env(tree, CAJKG_UPDATE_TOKEN=TOKEN, CAJKG_LOG_LEVEL=level, **(settings or {}))
    python = sys.executable if tree is None else str(tree / ".venv" / "bin" / "python")
    extra = [str(data_dir)] if data_dir is not None else []
    started = time.perf_counter()
    with open(log or os.devnull, "ab") as stderr:
        process = subprocess.Popen(
            [
                python,
                "-P",
                "-m",
                "bench.serve_cajkg",
                str(data),
                str(port),
                reasoner,
                *extra,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    server = Server(
        f"cajkg ({reasoner})",
        f"{url}/sparql",
        f"{url}/update",
        process,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with _running(server, started, timeout) as running:
        _wait_until_ready(running, url, started, timeout)
        yield running


def _wait_until_ready(server: Server, url: str, started: float, timeout: float) -> None:
    """Wait for /readyz, so that queries are timed after the warm-up, not during it."""
    deadline = started + timeout
    while time.perf_counter() < deadline:
        try:
            if requests.get(f"{url}/readyz", timeout=5).status_code == 200:
                server.ready_s = time.perf_counter() - started
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # busy warming up: ask again
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not get ready within {timeout:.0f} s")


@contextmanager
def oxigraph_server(data: Path, timeout: float = 600) -> Iterator[Server]:
    """`oxigraph serve` on a fresh store; startup_s counts the bulk load and the first answer."""
    with tempfile.TemporaryDirectory(prefix="cajkg-bench-oxigraph-") as location:
        port = free_port()
        started = time.perf_counter()
        subprocess.run(
            [str(OXIGRAPH), "load", "--location", location, "--file", str(data)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
        )
        process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                location,
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        server = Server("oxigraph", f"{url}/query", f"{url}/update", process)
        with _running(server, started, timeout) as running:
            yield running


@dataclass
class LoadResult:
    """Latencies (seconds) of the successful requests and the wall time they took together."""

    latencies: list[float]
    wall_s: float
    errors: int


def query_load(
    server: Server, query: str, clients: int, requests_total: int, budget_s: float
) -> LoadResult:
    """`requests_total` POSTs of `query` from `clients` threads, stopping early at `budget_s`."""
    deadline = time.perf_counter() + budget_s
    per_client = max(1, requests_total // clients)

    def client() -> tuple[list[float], int]:
        session, latencies, errors = requests.Session(), [], 0
        for _ in range(per_client):
            if time.perf_counter() > deadline:
                break
            start = time.perf_counter()
            try:
                reply = session.post(
                    server.query_url,
                    data=query.encode(),
                    headers={"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON},
                    timeout=REQUEST_TIMEOUT_S,
                )
            except requests.RequestException:
                errors += 1
                continue
            if reply.status_code == 200:
                latencies.append(time.perf_counter() - start)
            else:
                errors += 1
        return latencies, errors

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: client(), range(clients)))
    wall = time.perf_counter() - start
    return LoadResult([x for lat, _ in results for x in lat], wall, sum(e for _, e in results))


def _update(server: Server, text: str) -> None:
    reply = requests.post(
        server.update_url,
        data=text.encode(),
        headers={"Content-Type": "application/sparql-update", **server.headers},
        timeout=120,
    )
    reply.raise_for_status()


def _ask(server: Server, text: str) -> bool:
    reply = requests.post(
        server.query_url,
        data=text.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON},
        timeout=120,
    )
    reply.raise_for_status()
    return bool(reply.json()["boolean"])


UPDATE = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
{verb} DATA {{ GRAPH <https://w3id.org/cajkg/graph/bench> {{
  cjr:bench-person-{i} cajkg:holdsOffice cjr:President-of-Kazakhstan . }} }}"""
VISIBLE = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
ASK {{ cjr:bench-person-{i} a cajkg:HeadOfState ; cajkg:leaderOf cjr:Kazakhstan . }}"""


def update_latency(
    server: Server, repeats: int, expect_inference: bool, budget_s: float
) -> list[float]:
    """Seconds from sending a one-triple INSERT DATA until a query sees it (with its inferences
    where the server reasons); each insert is deleted again afterwards."""
    deadline, samples = time.perf_counter() + budget_s, []
    for i in range(repeats):
        if time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        _update(server, UPDATE.format(verb="INSERT", i=i))
        if expect_inference:
            while not _ask(server, VISIBLE.format(i=i)):
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{server.name}: inferences never became visible")
                time.sleep(0.001)
        samples.append(time.perf_counter() - start)
        _update(server, UPDATE.format(verb="DELETE", i=i))
    return samples


SEARCHES = ("Kasachstan", "Wasser", "Kambarta", "japanischen Unternehmen", "Toqajew", "Tashkent")
PICTURES = ("/timeline.svg", "/charts/sums-usd.svg", "/map.svg")


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
EXPLAINED = (  # (s, p, o) of inferred triples of the seed graph, kept at every K
    ("resource/Kassym-Jomart-Tokayev", "ontology#leaderOf", "resource/Kazakhstan"),
    ("resource/first-summit", "ontology#heldIn", "resource/Asia"),
    ("resource/Kassym-Jomart-Tokayev", RDF_TYPE, "ontology#HeadOfState"),
)


def explain_paths() -> list[str]:
    """The /explain requests timed (JSON): a property chain, a chain applied twice, a defined
    class."""
    iri = "https://w3id.org/cajkg/"
    return [
        "/explain?"
        + urlencode(
            {k: v if v.startswith("http") else iri + v for k, v in zip("spo", t, strict=True)}
        )
        for t in EXPLAINED
    ]


def answers_latency(
    server: Server, texts: dict[str, str], repeats: int, budget_s: float
) -> dict[str, dict[str, float]]:
    """For each query that /explain/answers explains (a 422 skips it): the median seconds of
    POST /sparql (JSON results) and of POST /explain/answers, one client, taken alternately
    after one untimed request of each."""
    base = server.query_url.rsplit("/", 1)[0]
    session, out = requests.Session(), {}
    deadline = time.perf_counter() + budget_s
    for name, text in texts.items():
        why = session.post(
            base + "/explain/answers", data={"query": text}, timeout=REQUEST_TIMEOUT_S
        )
        if why.status_code == 422:
            continue
        why.raise_for_status()
        plain_s: list[float] = []
        why_s: list[float] = []
        for _ in range(repeats):
            if time.perf_counter() > deadline:
                break
            for url, headers, samples in (
                (server.query_url, {"Accept": RESULTS_JSON}, plain_s),
                (base + "/explain/answers", {}, why_s),
            ):
                start = time.perf_counter()
                reply = session.post(
                    url, data={"query": text}, headers=headers, timeout=REQUEST_TIMEOUT_S
                )
                reply.raise_for_status()
                samples.append(time.perf_counter() - start)
        if plain_s:
            plain, explained = statistics.median(plain_s) * 1000, statistics.median(why_s) * 1000
            out[name] = {"query_p50_ms": plain, "why_p50_ms": explained, "ratio": explained / plain}
    return out


def search_paths() -> list[str]:
    """The JSON searches timed: German, English, a typo, a transliteration, two words."""
    return ["/search?" + urlencode({"q": words, "format": "json"}) for words in SEARCHES]


LABEL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
{verb} DATA {{ GRAPH <https://w3id.org/cajkg/graph/bench> {{
  cjr:bench-place-{i} rdfs:label "Benchbruecke{word}"@de . }} }}"""


def first_search(server: Server) -> tuple[float, float, int]:
    """The first search on a fresh cajkg (after /readyz; the index is built in the background
    from then on, and this search waits for it): its seconds, the seconds the index build took
    and the documents indexed, as the answer tells them."""
    base = server.query_url.rsplit("/", 1)[0]
    start = time.perf_counter()
    reply = requests.get(base + search_paths()[0], timeout=600)
    reply.raise_for_status()
    index = reply.json()["index"]
    return time.perf_counter() - start, index["build_seconds"], index["documents"]


def search_after_write(server: Server, repeats: int, budget_s: float) -> list[float]:
    """Seconds from sending a one-label INSERT DATA until the first search after its
    acknowledgement finds the new name (it must: the index is patched before that search);
    each label is deleted again afterwards."""
    base = server.query_url.rsplit("/", 1)[0]
    deadline, samples = time.perf_counter() + budget_s, []
    for i in range(repeats):
        if time.perf_counter() > deadline:
            break
        word = "".join("abcdefghij"[int(d)] for d in f"{i:04d}")
        start = time.perf_counter()
        _update(server, LABEL.format(verb="INSERT", i=i, word=word))
        found = requests.get(
            base + "/search",
            params={"q": f"Benchbruecke{word}", "format": "json"},
            timeout=REQUEST_TIMEOUT_S,
        )
        found.raise_for_status()
        samples.append(time.perf_counter() - start)
        if not found.json()["groups"]:
            raise RuntimeError(f"{server.name}: a new name was not found after its write")
        _update(server, LABEL.format(verb="DELETE", i=i, word=word))
    return samples


def get_latency(
    server: Server,
    paths: Sequence[str],
    repeats: int,
    budget_s: float,
    accept: str | None = None,
) -> list[float]:
    """Seconds per GET of each path on cajkg, one client, after one untimed GET of each (the
    first search builds the index, the first map reads the country outlines)."""
    base = server.query_url.rsplit("/", 1)[0]
    session, samples = requests.Session(), []
    if accept is not None:
        session.headers["Accept"] = accept
    for path in paths:
        session.get(base + path, timeout=REQUEST_TIMEOUT_S).raise_for_status()
    deadline = time.perf_counter() + budget_s
    for _ in range(repeats):
        for path in paths:
            if time.perf_counter() > deadline:
                return samples
            start = time.perf_counter()
            reply = session.get(base + path, timeout=REQUEST_TIMEOUT_S)
            reply.raise_for_status()
            samples.append(time.perf_counter() - start)
    return samples
