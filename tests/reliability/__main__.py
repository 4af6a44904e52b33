"""`python -P -m reliability [--quick|--full]`: run every scenario, regenerate the report.

Needs the checkout on PYTHONPATH (PYTHONPATH=. from its root) and a built graph in build/ (a
missing one is built by the first server). Exits 1 when a check failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

from .faults import faults
from .fuzz import checks
from .hostile import hostile, hostile_server
from .load import load_and_crash
from .report import FAIL, FULL, QUICK, Plan, Row, Rows, write
from .security import security
from .server import ROOT

REPORT = ROOT / "docs" / "reliability.md"


def fuzzing(plan: Plan, workdir: Path) -> Rows:
    """Every kind of hostile input, then the server must still answer and have logged no crash."""
    rows = Rows("hostile input")
    with hostile_server(plan, workdir / "fuzz") as server:
        for name, check in checks(server.url, plan.fuzz_examples).items():
            started = time.monotonic()
            try:
                check()
                rows.add(
                    f"fuzz: {name.replace('_', ' ')}",
                    True,
                    f"{plan.fuzz_examples} examples in {time.monotonic() - started:.0f} s, "
                    "no 5xx, no hang",
                    "hypothesis",
                )
            except Exception as error:
                notes = " ".join(getattr(error, "__notes__", []))
                rows.add(
                    f"fuzz: {name.replace('_', ' ')}",
                    False,
                    f"{type(error).__name__}: {str(error)[:300]} {notes[:300]}",
                    "hypothesis",
                )
        log = server.log()
        rows.add(
            "fuzz: server alive afterwards, no traceback logged",
            server.process is not None and server.process.poll() is None and "Traceback" not in log,
            f"{len(log)} characters of server output",
        )
    return rows


def main(argv: list[str]) -> int:
    """Run the plan and write docs/reliability.md."""
    parser = argparse.ArgumentParser(prog="python -P -m reliability", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the make-test sizes (default)")
    size.add_argument("--full", action="store_true", help="32 clients for 60 s, 300 examples")
    parser.add_argument("--report", type=Path, default=REPORT, help="where to write the report")
    args = parser.parse_args(argv)
    plan = FULL if args.full else QUICK
    started, clock = datetime.now().astimezone(), time.monotonic()
    rows: list[Row] = []
    scenarios = (
        ("load", load_and_crash),
        ("hostile", hostile),
        ("fuzz", fuzzing),
        ("security", lambda _plan, workdir: security(workdir)),
        ("faults", lambda _plan, workdir: faults(workdir)),
    )
    with tempfile.TemporaryDirectory(prefix="cajkg-reliability-") as folder:
        for name, scenario in scenarios:
            print(f"reliability: {name} ...", file=sys.stderr, flush=True)
            workdir = Path(folder) / name
            workdir.mkdir()
            try:
                found = scenario(plan, workdir).rows
            except Exception as error:
                traceback.print_exc()
                found = [
                    Row(
                        name,
                        f"{name} scenario ran to the end",
                        FAIL,
                        f"{type(error).__name__}: {error}",
                    )
                ]
            for row in found:
                print(f"  {row.outcome:7} {row.check}: {row.detail[:160]}", file=sys.stderr)
            rows += found
    write(args.report, rows, plan, started, time.monotonic() - clock)
    print(f"wrote {args.report}", file=sys.stderr)
    return 1 if any(r.outcome == FAIL for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
