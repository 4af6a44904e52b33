"""Start-up of the memory store after many writes: the journal replayed, then compacted.

`PYTHONPATH=. .venv/bin/python -P -m bench.journal_start [--writes 10000] [--build-dir build]`
(after `cajkg build --build-dir build`). It makes `--writes` updates on the memory store over the
built seed graph (each a new summit with its NOW() timestamp, so every write has inferences),
then times a start of the store (the constructor, then `warm()` joined: seeded and ready) over:

- no journal (the built graph only);
- the same writes as an old journal of update texts, replayed by re-running each update;
- the journal of quads as written, one entry per write (the start folds and compacts it);
- that journal after compaction: one entry.

Each start happens in this process on a fresh copy of the journal, `--repeat` times
(`--text-repeat` for the slow old journal); the figure is the median (min-max). Each start is
checked to give back the acknowledged quads (the old journal excepted, whose NOW() values are
drawn again: there the number of quads is checked).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cajkg.graph.reasoner import IncrementalReasoner
from cajkg.graph.store.journal import FILENAME, Journal
from cajkg.graph.store.memory import MemoryStore

WRITE = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
INSERT {{ GRAPH <https://w3id.org/cajkg/graph/bench> {{
  <https://example.org/bench/summit{i}> a cajkg:Summit ; cajkg:startDate ?now }} }}
WHERE {{ BIND(NOW() AS ?now) }}"""
EVERYTHING = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def open_memory(data: bytes, directory: Path | None) -> MemoryStore:
    journal = Journal(directory, compact_every=0) if directory else None
    return MemoryStore(data, reasoner=IncrementalReasoner(), journal=journal, workers=1)


def content(store: MemoryStore) -> set[tuple[object, ...]]:
    return {tuple(row.values()) for row in store.query(EVERYTHING).bindings}


def timed_start(data: bytes, journal: Path | None, work: Path) -> tuple[float, float, MemoryStore]:
    """Seconds until the constructor returns (queries answered) and until warm (ready)."""
    directory = None
    if journal is not None:
        directory = work / f"start-{time.monotonic_ns()}"
        directory.mkdir()
        shutil.copy(journal, directory / FILENAME)
    started = time.perf_counter()
    store = open_memory(data, directory)
    opened = time.perf_counter() - started
    store.warm().join()
    return opened, time.perf_counter() - started, store


def measure(
    label: str,
    data: bytes,
    journal: Path | None,
    work: Path,
    repeat: int,
    check: Callable[[MemoryStore], bool],
) -> dict[str, object]:
    opened, ready, ok = [], [], True
    for _ in range(repeat):
        opening, warm, store = timed_start(data, journal, work)
        opened.append(opening)
        ready.append(warm)
        ok = ok and check(store)
        store.close()
    size = journal.stat().st_size if journal else 0
    lines = len(journal.read_bytes().splitlines()) if journal else 0
    row = {"journal": label, "entries": lines, "bytes": size, "open": opened, "ready": ready}
    row["same quads"] = ok
    return row


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text-repeat", type=int, default=1, help="starts over the old journal")
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    args = parser.parse_args()
    data = (args.build_dir / "dataset.nq").read_bytes()
    with tempfile.TemporaryDirectory(prefix="cajkg-journal-") as scratch:
        work = Path(scratch)
        written = work / "written"
        store = open_memory(data, written)
        store.warm().join()
        texts = []
        started = time.perf_counter()
        for i in range(args.writes):
            texts.append(WRITE.format(i=i))
            store.update(texts[-1])
        writing = time.perf_counter() - started
        acknowledged = content(store)
        store.close()
        quads = work / "quads.jsonl"
        shutil.copy(written / FILENAME, quads)
        old = work / "text.jsonl"
        old.write_text(
            "".join(
                json.dumps(
                    {"op": "update", "text": t, "base": None, "using": [], "using_named": []}
                )
                + "\n"
                for t in texts
            )
        )
        compacted = work / "compacted.jsonl"
        shutil.copy(quads, compacted)
        Journal(work, "compacted.jsonl").compact()

        def same(store: MemoryStore) -> bool:
            return content(store) == acknowledged

        def as_many(store: MemoryStore) -> bool:
            return len(content(store)) == len(acknowledged)

        rows = [
            measure("none (built graph only)", data, None, work, args.repeat, lambda s: True),
            measure("old: update texts", data, old, work, args.text_repeat, as_many),
            measure("quads, one entry per write", data, quads, work, args.repeat, same),
            measure("quads, compacted", data, compacted, work, args.repeat, same),
        ]
    print(
        f"{args.writes} writes made in {writing:.1f} s ({1000 * writing / args.writes:.1f} ms each)"
    )
    print()
    print("| journal | entries | size | start: constructor | start: ready (seeded) | same quads |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        print(
            f"| {row['journal']} | {row['entries']} | {row['bytes'] / 1e6:.1f} MB "
            f"| {spread(row['open'])} | {spread(row['ready'])} | {row['same quads']} |"
        )


if __name__ == "__main__":
    main()
