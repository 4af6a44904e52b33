"""What explanations cost a write: `python -P -m bench.write_cost [--before DIR]`.

The issue asks that a write with explanations kept current cost at most 2x the write before
explanations (8.6 ms p50 on the seed graph then). Absolute times on a shared machine drift with
its load, so this measures side by side in one run, alternating in rounds (the order rotated
each round), on the seed graph as `cajkg serve` serves it (memory store, journalled, in a
temporary data directory, each checkout on a copy of its own build), over HTTP on 127.0.0.1:
- before: `cajkg serve` of the checkout DIR from before explanations (--before; its own .venv);
- current: `cajkg serve` of this checkout, writes only;
- current + explain: another server of this checkout, with a GET /explain (JSON) after every
  write: the memo of explanations is emptied by each write (it is keyed by the reasoner's
  version), so each explanation is worked out again on the new state: explanations kept current.
A write is one POST /update of a one-triple INSERT DATA or DELETE DATA whose inferences
(HeadOfState, leaderOf) the reasoner adds or removes before the answer; the explanation's own
time is reported beside it, not inside the write.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

import requests

from . import http
from .explain_scale import load_average

HERE = Path(__file__).resolve().parent.parent
RESOURCE = "https://w3id.org/cajkg/resource/"
LEADER_OF = "https://w3id.org/cajkg/ontology#leaderOf"


@contextmanager
def cajkg_serve(tree: Path, workdir: Path, timeout: float = 300) -> Iterator[http.Server]:
    """`cajkg serve` (memory store) of the checkout `tree` on a free loopback port, on a copy of
    that checkout's build (the checkout itself is left as it is), until /readyz."""
    build = workdir / "build"
    shutil.copytree(tree / "build", build)
    port = http.free_port()
    env = http.child_env(tree, CAJKG_UPDATE_TOKEN=http.TOKEN, CAJKG_BUILD_DIR=str(build))
    started = time.perf_counter()
    command = [str(tree / ".venv" / "bin" / "cajkg"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--data-dir", str(workdir / "var")],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    server = http.Server(
        f"cajkg serve ({tree.name})",
        f"{url}/sparql",
        f"{url}/update",
        process,
        headers={"Authorization": f"Bearer {http.TOKEN}"},
    )
    with http._running(server, started, timeout) as running:
        http._wait_until_ready(running, url, started, timeout)
        yield running


class Arm:
    """One server and what its writes (and explanations) took, in seconds."""

    def __init__(self, name: str, server: http.Server, explain: bool) -> None:
        self.name, self.server, self.explain = name, server, explain
        self.base = server.query_url.rsplit("/", 1)[0]
        self.session = requests.Session()
        self.inserts: list[float] = []
        self.deletes: list[float] = []
        self.explains: list[float] = []
        self.rounds: list[float] = []  # the p50 of each round's writes

    def _write(self, verb: str, i: int) -> float:
        start = time.perf_counter()
        reply = self.session.post(
            self.server.update_url,
            data=http.UPDATE.format(verb=verb, i=i).encode(),
            headers={"Content-Type": "application/sparql-update", **self.server.headers},
            timeout=http.REQUEST_TIMEOUT_S,
        )
        reply.raise_for_status()
        return time.perf_counter() - start

    def _explain(self, subject: str) -> float:
        query = urlencode({"s": RESOURCE + subject, "p": LEADER_OF, "o": RESOURCE + "Kazakhstan"})
        start = time.perf_counter()
        reply = self.session.get(
            f"{self.base}/explain?{query}",
            headers={"Accept": "application/json"},
            timeout=http.REQUEST_TIMEOUT_S,
        )
        reply.raise_for_status()
        if reply.json()["status"] != "inferred":
            raise RuntimeError(f"{self.name}: {subject} leaderOf Kazakhstan is not inferred")
        return time.perf_counter() - start

    def round(self, writes: int, timed: bool = True) -> None:
        """`writes` insert/delete pairs; with explanations, the inserted person's leaderOf after
        the insert and Tokayev's after the delete (both new work: each write empties the memo)."""
        inserts, deletes, explains = [], [], []
        for i in range(writes):
            inserts.append(self._write("INSERT", i))
            if self.explain:
                explains.append(self._explain(f"bench-person-{i}"))
            deletes.append(self._write("DELETE", i))
            if self.explain:
                explains.append(self._explain("Kassym-Jomart-Tokayev"))
        if timed:
            self.inserts += inserts
            self.deletes += deletes
            self.explains += explains
            self.rounds.append(statistics.median(inserts + deletes))

    def figures(self) -> dict[str, object]:
        ms = 1000
        out: dict[str, object] = {
            "insert_p50_ms": statistics.median(self.inserts) * ms,
            "delete_p50_ms": statistics.median(self.deletes) * ms,
            "write_p50_ms": statistics.median(self.inserts + self.deletes) * ms,
            "round_p50s_ms": [r * ms for r in self.rounds],
            "writes": len(self.inserts) + len(self.deletes),
        }
        if self.explains:
            out["explain_p50_ms"] = statistics.median(self.explains) * ms
        return out


def run(before: Path | None, rounds: int, writes: int) -> dict[str, object]:
    results: dict[str, object] = {"load_start": load_average(), "rounds": rounds}
    with tempfile.TemporaryDirectory(prefix="cajkg-bench-write-") as tmp, ExitStack() as stack:
        plan = [("current", HERE, False), ("current + explain", HERE, True)]
        if before is not None:
            plan.insert(0, ("before", before.resolve(), False))
        arms = []
        for n, (name, tree, explain) in enumerate(plan):
            workdir = Path(tmp) / str(n)
            workdir.mkdir()
            arms.append(Arm(name, stack.enter_context(cajkg_serve(tree, workdir)), explain))
        for arm in arms:  # untimed: first writes, first explanations, the search index
            arm.round(5, timed=False)
        for r in range(rounds):
            for arm in arms[r % len(arms) :] + arms[: r % len(arms)]:
                arm.round(writes)
        results["arms"] = {arm.name: arm.figures() for arm in arms}
    results["load_end"] = load_average()
    return results


def markdown(results: dict[str, object]) -> list[str]:
    arms = results["arms"]
    assert isinstance(arms, dict)
    reference = "before" if "before" in arms else "current"
    base = arms[reference]
    lines = [
        f"Load average {results['load_start']} at start, {results['load_end']} at the end; "
        f"{results['rounds']} alternating rounds.",
        "",
        f"| server | write p50 ms | insert p50 | delete p50 | x {reference} | per round | "
        "explain p50 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, f in arms.items():
        rounds = ", ".join(f"{r:.1f}" for r in f["round_p50s_ms"])
        explain = f"{f['explain_p50_ms']:.1f}" if "explain_p50_ms" in f else ""
        lines.append(
            f"| {name} | {f['write_p50_ms']:.1f} | {f['insert_p50_ms']:.1f} | "
            f"{f['delete_p50_ms']:.1f} | {f['write_p50_ms'] / base['write_p50_ms']:.2f}x | "
            f"{rounds} | {explain} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -P -m bench.write_cost", description=__doc__)
    parser.add_argument("--before", type=Path, help="an installed checkout from before")
    parser.add_argument("--rounds", type=int, default=5, help="alternations")
    parser.add_argument("--writes", type=int, default=50, help="insert/delete pairs per round")
    parser.add_argument("--out", type=Path, help="write write-cost.json and .md there")
    args = parser.parse_args(argv)
    results = run(args.before, args.rounds, args.writes)
    lines = markdown(results)
    print(json.dumps(results, indent=1))
    print("\n".join(lines))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "write-cost.json").write_text(json.dumps(results, indent=1) + "\n")
        (args.out / "write-cost.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
