"""Runaway and pathological queries, overload, and the query workers that timeouts stop.

One server with a short query timeout, two query workers and at most four requests in flight.
While each pathological query runs, a probe client asks a cheap question every quarter second:
the pathological one must be stopped near the timeout and the probe answered within normal
latency all along.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from .report import Plan, Rows
from .server import JSON, Server

PROBE = "ASK { ?s ?p ?o }"
PROBE_LIMIT_S = 2.0
CARTESIAN = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
PATH_STAR = "SELECT (COUNT(*) AS ?n) { ?a (!<urn:cajkg:none>)* ?b }"
HUGE_VALUES = (
    "SELECT (COUNT(*) AS ?n) { VALUES ?x { "
    + " ".join(f'"v{i}"' for i in range(11000))
    + " } ?s ?p ?o }"
)
SETTINGS = {"CAJKG_QUERY_WORKERS": 2, "CAJKG_MAX_INFLIGHT": 4, "CAJKG_MAX_BODY": 200_000}


def regex_bomb(length: int) -> str:
    """Catastrophic backtracking: 2^length steps in the regular expression engine."""
    return f'ASK {{ BIND("{"a" * length}!" AS ?x) FILTER(REGEX(?x, "^(a+)+$")) }}'


def pathological(plan: Plan) -> dict[str, str]:
    """The queries that must be stopped at the timeout, by name."""
    return {
        "cartesian product of 8 triple patterns": CARTESIAN,
        "unbounded property path (!p)* over every node": PATH_STAR,
        f"huge VALUES ({len(HUGE_VALUES)} characters) joined with every triple": HUGE_VALUES,
        f"heavy regex ^(a+)+$ on {plan.regex_length} a's and a '!'": regex_bomb(plan.regex_length),
    }


def hostile_server(plan: Plan, workdir: Path) -> Server:
    """The server these scenarios (and the fuzzing) share."""
    return Server(workdir / "hostile-data", CAJKG_QUERY_TIMEOUT=plan.query_timeout, **SETTINGS)


def _get(server: Server, query: str, timeout: float = 120) -> tuple[int, str, float, dict]:
    started = time.monotonic()
    response = requests.get(
        f"{server.url}/sparql", params={"query": query}, headers=JSON, timeout=timeout
    )
    return (
        response.status_code,
        response.text[:200],
        time.monotonic() - started,
        dict(response.headers),
    )


def run_pathological(rows: Rows, server: Server, name: str, query: str, plan: Plan) -> None:
    """One pathological query with a probe client beside it."""
    outcome: dict[str, object] = {}
    probes: list[float] = []

    def attack() -> None:
        try:
            outcome["status"], outcome["text"], outcome["seconds"], _ = _get(server, query)
        except requests.RequestException as error:
            outcome["status"], outcome["text"], outcome["seconds"] = 0, repr(error), 0.0

    thread = threading.Thread(target=attack, daemon=True)
    thread.start()
    time.sleep(0.3)
    while thread.is_alive():
        try:
            status, _, seconds, _ = _get(server, PROBE, timeout=60)
        except requests.RequestException:
            status, seconds = 0, 60.0
        probes.append(seconds if status == 200 else 60.0)
        time.sleep(0.25)
    thread.join()
    seconds = float(outcome["seconds"])  # type: ignore[arg-type]
    stopped = outcome["status"] in (200, 400, 503) and seconds < plan.query_timeout + 8
    worst = max(probes, default=0.0)
    rows.add(
        f"pathological: {name}",
        stopped and worst < PROBE_LIMIT_S,
        f"answered {outcome['status']} after {seconds:.1f} s "
        f"({str(outcome['text']).strip()[:80]}); {len(probes)} probe queries meanwhile, "
        f"slowest {worst:.2f} s (limit {PROBE_LIMIT_S:g} s)",
        f"query timeout {plan.query_timeout:g} s",
    )


def overload(rows: Rows, server: Server, plan: Plan) -> None:
    """16 runaway queries at once against 4 request slots: the surplus is refused at once."""
    clients = 16
    barrier = threading.Barrier(clients)

    def one(_: int) -> tuple[int, str, float, dict]:
        barrier.wait()
        return _get(server, CARTESIAN)

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(one, i) for i in range(clients)]
        time.sleep(0.5)
        health = requests.get(f"{server.url}/healthz", timeout=10)
        results = [f.result() for f in futures]
    refused = [r for r in results if r[0] == 503 and "Retry-After" in r[3]]
    others = [r for r in results if r not in refused]
    slowest_refusal = max((r[2] for r in refused), default=0.0)
    slowest_other = max((r[2] for r in others), default=0.0)
    rows.add(
        "overload: requests beyond CAJKG_MAX_INFLIGHT refused with 503 and Retry-After",
        len(refused) >= clients - SETTINGS["CAJKG_MAX_INFLIGHT"]
        and slowest_refusal < plan.query_timeout
        and all(r[0] in (200, 503) for r in others)
        and health.status_code == 200,
        f"{len(refused)} refused, slowest refusal {slowest_refusal:.2f} s; the others "
        f"{sorted(r[0] for r in others)} after up to {slowest_other:.1f} s; "
        f"/healthz during the overload: {health.status_code}",
        f"{clients} simultaneous runaway queries, CAJKG_MAX_INFLIGHT=4",
    )


def worker_replacement(rows: Rows, server: Server, plan: Plan) -> None:
    """Three rounds of runaways that fill both query workers; then a normal query is answered."""
    threads_before = server.threads_now()
    statuses = []
    for _ in range(3):
        with ThreadPoolExecutor(2) as pool:
            statuses += [r[0] for r in pool.map(lambda _: _get(server, CARTESIAN), range(2))]
    status, _, seconds, _ = _get(server, PROBE)
    time.sleep(0.5)
    threads_after = server.threads_now()
    metrics = requests.get(f"{server.url}/metrics", timeout=10).text
    timeouts = next(
        (
            line.split()[-1]
            for line in metrics.splitlines()
            if line.startswith("cajkg_query_timeouts_total")
        ),
        "?",
    )
    rows.add(
        "query workers stopped by the timeout are replaced",
        statuses.count(503) == 6
        and status == 200
        and seconds < PROBE_LIMIT_S
        and threads_after <= threads_before + 2,
        f"runaways answered {statuses}; then a query answered {status} in {seconds:.2f} s; "
        f"server threads {threads_before} -> {threads_after}; timeouts counted {timeouts}",
        "CAJKG_QUERY_WORKERS=2, 3 rounds of 2 runaway queries",
    )


def hostile(plan: Plan, workdir: Path, skip_regex: bool = False) -> Rows:
    """Every scenario of this module on one server."""
    rows = Rows("hostile")
    with hostile_server(plan, workdir) as server:
        for name, query in pathological(plan).items():
            if skip_regex and "regex" in name:
                continue
            run_pathological(rows, server, name, query, plan)
        rows.area = "overload"
        overload(rows, server, plan)
        rows.area = "faults"
        worker_replacement(rows, server, plan)
    return rows
