"""The explanation steps of the benchmark alone: `python -P -m bench.explain [--repeats N]`.

Starts cajkg (memory store, incremental reasoner, waitress, as `make bench` does) on the seed
graph (K = 1) and times, over HTTP on 127.0.0.1 with one client: GET /explain (JSON) of the
three inferred triples of `http.EXPLAINED` (target p50 <= 20 ms), and "why these answers?"
(POST /explain/answers) against the plain query (POST /sparql) for each competency query it
explains (target <= 5x). Prints the figures as JSON and as the Markdown lines of the report;
writes nothing else. The first request of each is untimed (it fills the caches a write would
empty: the query plan, the backward search and the provenance); `--cold` times one first
request of each path on a fresh server instead, to show what a write costs the next one.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import requests

from . import http
from .__main__ import percentiles, prepare, queries, seed_dataset
from .report import why_answers_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -P -m bench.explain", description=__doc__)
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per path")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cajkg-bench-explain-") as tmp:
        data = prepare(1, Path(tmp), seed_dataset())
        with http.cajkg_server(Path(str(data["materialized_path"])), "incremental") as server:
            base = server.query_url.rsplit("/", 1)[0]
            cold = []
            for path in http.explain_paths():
                start = time.perf_counter()
                requests.get(base + path, headers={"Accept": "application/json"}, timeout=60)
                cold.append((time.perf_counter() - start) * 1000)
            explained = http.get_latency(
                server, http.explain_paths(), args.repeats, 120, accept="application/json"
            )
            answers = http.answers_latency(server, queries(), args.repeats, 600)
    figures = {
        "explain": percentiles(explained),
        "explain_first_ms": cold,
        "why_answers": answers,
    }
    json.dump(figures, sys.stdout, indent=1)
    print()
    e = figures["explain"]
    print(
        f"\nExplaining one inferred triple (GET /explain, JSON, one client): p50 "
        f"{e['p50_ms']:.1f} ms, p95 {e['p95_ms']:.1f} ms (target: p50 <= 20 ms); the first "
        f"request of each path after start: {', '.join(f'{ms:.0f}' for ms in cold)} ms.\n"
    )
    print("\n".join(why_answers_lines(answers)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
