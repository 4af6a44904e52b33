"""Start-up side by side: cajkg's first answer and readiness against `oxigraph serve`'s.

`python -P -m bench.startup [--k K | --data FILE.nq] [--out DIR]` serves one materialized
dataset (generated at scale K as `make bench-scale` does, or given) with:
- cajkg on the memory store (what `cajkg serve` does after a cached build);
- cajkg on the persistent oxigraph store, first on an empty data directory (a load), then again
  on the same directory (a restart, which opens the database instead of loading it); `--keep DIR
  --only restart` restarts a directory kept from an earlier run (to compare two versions);
- `oxigraph serve` after `oxigraph load` (its bulk load counted, as in `make bench-scale`).
For each: seconds from spawn to the first answer to an ASK, and for cajkg to /readyz and to the
search index built (the first search waits for it). The servers' start-up logs go to DIR.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench import http
from bench.__main__ import log, prepare
from bench.generate import seed_dataset


def _cajkg(data: Path, out: Path, name: str, data_dir: Path | None = None) -> dict[str, float]:
    with http.cajkg_server(data, "incremental", 1200, data_dir, out / f"{name}.log") as server:
        first, build, documents = http.first_search(server)
        figures = {
            "first_answer_s": server.startup_s,
            "ready_s": server.ready_s or 0.0,
            "search_waited_s": first,
            "search_index_s": build,
            "search_documents": documents,
        }
    log(f"{name}: {figures}")
    return figures


def run(data: Path, out: Path, which: set[str], keep: Path | None) -> dict[str, object]:
    results: dict[str, object] = {"data": str(data), "started": time.strftime("%FT%TZ")}
    if "oxigraph" in which:
        with http.oxigraph_server(data, 1200) as server:
            results["oxigraph serve"] = {"first_answer_s": server.startup_s}
        log(f"oxigraph serve: {results['oxigraph serve']}")
    if "memory" in which:
        results["cajkg memory"] = _cajkg(data, out, "cajkg-memory")
    if "persistent" in which or "restart" in which:
        with tempfile.TemporaryDirectory(prefix="cajkg-startup-") as tmp:
            directory = keep or Path(tmp) / "data"
            if "persistent" in which:
                results["cajkg oxigraph load"] = _cajkg(data, out, "cajkg-oxigraph-load", directory)
            results["cajkg oxigraph restart"] = _cajkg(
                data, out, "cajkg-oxigraph-restart", directory
            )
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=200, help="scale (articles), as bench-scale")
    parser.add_argument("--data", type=Path, help="a materialized N-Quads file instead")
    parser.add_argument("--out", type=Path, default=Path("bench/results/startup"))
    parser.add_argument(
        "--only",
        default="oxigraph,memory,persistent",
        help="which servers, comma-separated (restart: only a restart of --keep)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="the persistent store's data directory (kept; 'restart' reuses it)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    which = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="cajkg-startup-data-") as tmp:
        data = args.data
        if data is None:
            data = Path(str(prepare(args.k, Path(tmp), seed_dataset())["materialized_path"]))
        results = run(data, args.out, which, args.keep)
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
