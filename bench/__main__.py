"""The cajkg benchmark: `python -P -m bench --quick` (under five minutes), `--full`, or
`--scale` (K=200, about 1,000,000 triples, for the targets stated at that size).

1. Scale the seed graph to K articles (bench.generate) and materialize each with the fast path.
2. Time the build steps in fresh processes (bench.steps): parse, closure with owlrl and with
   cajkg.graph.reasoner side by side, SHACL validation, and the in-process latency of a
   one-triple update until its inferences exist.
3. Time the RDF-merge default graph against Oxigraph's multiset union (bench.merge).
4. Start cajkg and `oxigraph serve` on the same materialized data, on 127.0.0.1, and measure
   start-up to first answer, the competency queries at 1, 4 and 16 clients, and the latency of
   a one-triple update until a query sees it, the first search (it builds the index), the
   search p50, a one-label write until a search finds it, and the pictures (bench.http).
5. Write bench/results/results.md, results.json and PNG plots (bench.report).

Every figure is the median over repeated runs, with the spread (min-max) beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset
from rdflib.plugins.serializers.nquads import _nq_row

from bench import http, merge, report
from bench.generate import scaled_quads, seed_dataset
from cajkg.graph.inferred import InferredGraphs
from cajkg.graph.reasoner import Materializer

HERE = Path(__file__).parent
ROOT = HERE.parent


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    ks: tuple[int, ...]
    owlrl_ks: tuple[int, ...]
    http_ks: tuple[int, ...]
    repeats: int
    owlrl_repeats: int
    concurrency: tuple[int, ...]
    requests: int  # per query and concurrency level, at most
    budget_s: float  # per query and concurrency level, at most
    update_repeats: int
    owlrl_server: bool  # also serve with owlrl as the write-time reasoner (seconds per write)
    validate: bool = True  # time SHACL validation at the smallest K


QUICK = Plan(
    ks=(1, 10),
    owlrl_ks=(1,),
    http_ks=(1,),
    repeats=3,
    owlrl_repeats=1,
    concurrency=(1, 4, 16),
    requests=48,
    budget_s=2.5,
    update_repeats=5,
    owlrl_server=False,
)
FULL = Plan(
    ks=(1, 10, 100),
    owlrl_ks=(1, 10),
    http_ks=(1, 10),
    repeats=5,
    owlrl_repeats=3,
    concurrency=(1, 4, 16),
    requests=200,
    budget_s=20,
    update_repeats=15,
    owlrl_server=True,
)
SCALE = Plan(
    ks=(200,),
    owlrl_ks=(),
    http_ks=(200,),
    repeats=1,
    owlrl_repeats=0,
    concurrency=(1,),
    requests=5,
    budget_s=10,
    update_repeats=5,
    owlrl_server=False,
    validate=False,
)


def queries() -> dict[str, str]:
    """The competency queries (queries/*.rq)."""
    files = sorted((ROOT / "queries").glob("*.rq"))
    return {f.stem: f.read_text(encoding="utf-8") for f in files}


def summary(values: list[float]) -> dict[str, float]:
    """Median and spread of repeated measurements."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "n": len(ordered)}


def prepare(k: int, workdir: Path, seed: Dataset) -> dict[str, object]:
    """Write the asserted data of K articles and the same data materialized; count both."""
    asserted = workdir / f"asserted-k{k}.nq"
    materialized = workdir / f"materialized-k{k}.nq"
    quads = list(scaled_quads(seed, k))
    fast = Materializer((s, p, o) for s, p, o, _ in quads)
    inferred = 0
    with (
        asserted.open("w", encoding="utf-8") as only,
        materialized.open("w", encoding="utf-8") as both,
    ):
        for s, p, o, g in quads:
            row = _nq_row((s, p, o), g)
            only.write(row)
            both.write(row)
        routes = InferredGraphs()
        for t in fast.inferred_triples():
            both.write(_nq_row(t, routes.of(t)))
            inferred += 1
    return {
        "k": k,
        "asserted_quads": len(quads),
        "inferred": inferred,
        "asserted_path": str(asserted),
        "materialized_path": str(materialized),
    }


def step(name: str, data: str, repeats: int) -> dict[str, object]:
    """Run bench.steps in a fresh process (its own peak memory), `repeats` times inside it."""
    out = subprocess.run(
        [sys.executable, "-P", "-m", "bench.steps", name, data, str(repeats)],
        check=True,
        capture_output=True,
        text=True,
        env=http.child_env(),
        timeout=3600,
    )
    figures = json.loads(out.stdout)
    return {
        **figures,
        "seconds": summary(figures["seconds"]),
        "peak_mb": summary([figures["peak_mb"]]),
    }


def serve_and_measure(
    server: http.Server, plan: Plan, texts: dict[str, str], reasons: bool
) -> dict[str, object]:
    figures: dict[str, object] = {
        "startup_s": server.startup_s,
        "ready_s": server.ready_s,
        "queries": {},
    }
    if reasons:  # cajkg builds its search index in the background: wait for it first, so that
        # it does not share the CPU with the queries timed below
        first, build, documents = http.first_search(server)
        figures["search_first_s"], figures["search_index_s"] = first, build
        figures["search_documents"] = documents
    for name, text in texts.items():
        per_level = {}
        for clients in plan.concurrency:
            load = http.query_load(server, text, clients, plan.requests, plan.budget_s)
            per_level[str(clients)] = {
                **percentiles(load.latencies or [float("nan")]),
                "throughput_rps": len(load.latencies) / load.wall_s,
                "errors": load.errors,
            }
        figures["queries"][name] = per_level
    samples = http.update_latency(server, plan.update_repeats, reasons, plan.budget_s * 4)
    figures["update_ms"] = summary([s * 1000 for s in samples]) if samples else None
    if reasons:  # cajkg only: oxigraph serve has no search and no pictures
        search = http.get_latency(server, http.search_paths(), 10, plan.budget_s)
        figures["search"] = percentiles(search or [float("nan")])
        written = http.search_after_write(server, plan.update_repeats, plan.budget_s * 4)
        figures["search_write_ms"] = summary([s * 1000 for s in written]) if written else None
        pictures = http.get_latency(server, http.PICTURES, 10, plan.budget_s)
        figures["pictures"] = percentiles(pictures or [float("nan")])
        explained = http.get_latency(
            server, http.explain_paths(), 10, plan.budget_s, accept="application/json"
        )
        figures["explain"] = percentiles(explained or [float("nan")])
        figures["why_answers"] = http.answers_latency(server, texts, 10, plan.budget_s * 4)
    return figures


def run(plan: Plan, out_dir: Path) -> dict[str, object]:
    started = time.perf_counter()
    results: dict[str, object] = {
        "plan": plan.__dict__,
        "datasets": [],
        "steps": {},
        "merge": {},
        "http": {},
    }
    texts = queries()
    results["queries"] = sorted(texts)
    seed = seed_dataset()
    with tempfile.TemporaryDirectory(prefix="cajkg-bench-") as tmp:
        workdir = Path(tmp)
        prepared = {k: prepare(k, workdir, seed) for k in plan.ks}
        results["datasets"] = [
            {key: value for key, value in d.items() if not key.endswith("_path")}
            for d in prepared.values()
        ]
        for k, data in prepared.items():
            log(f"K={k}: {data['asserted_quads']} asserted quads, {data['inferred']} inferred")
            path = str(data["asserted_path"])
            steps = {
                "parse": step("parse", path, plan.repeats),
                "fast": step("fast", path, plan.repeats),
                "update": step("update", path, 1),
            }
            if k in plan.owlrl_ks:
                steps["owlrl"] = step("owlrl", path, plan.owlrl_repeats)
            if plan.validate and k == min(plan.ks):
                steps["validate"] = step("validate", path, plan.repeats)
            results["steps"][str(k)] = steps
            log(f"K={k}: build steps done ({time.perf_counter() - started:.0f} s)")
        for k in plan.http_ks:
            data = Path(str(prepared[k]["materialized_path"]))
            results["merge"][str(k)] = merge.measure(data, texts, plan.repeats * 5)
            log(f"K={k}: merge costs done ({time.perf_counter() - started:.0f} s)")
            servers: dict[str, object] = {}
            with http.cajkg_server(data, "incremental") as server:
                servers["cajkg"] = serve_and_measure(server, plan, texts, reasons=True)
            with http.oxigraph_server(data) as server:
                servers["oxigraph"] = serve_and_measure(server, plan, texts, reasons=False)
            if plan.owlrl_server:
                with http.cajkg_server(data, "owlrl") as server:
                    samples = http.update_latency(server, 2, True, 600)
                    servers["cajkg-owlrl-update_ms"] = summary([s * 1000 for s in samples])
            results["http"][str(k)] = servers
            log(f"K={k}: HTTP done ({time.perf_counter() - started:.0f} s)")
    results["total_s"] = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    report.write(results, out_dir)
    return results


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -P -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="K = 1, 10; under five minutes")
    size.add_argument("--full", action="store_true", help="K = 1, 10, 100; about an hour")
    size.add_argument("--scale", action="store_true", help="K = 200 (about 1M triples)")
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "results",
        help="where results.md, results.json and the plots go",
    )
    args = parser.parse_args(argv)
    results = run(FULL if args.full else SCALE if args.scale else QUICK, args.out)
    log(f"done in {results['total_s']:.0f} s; see {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
