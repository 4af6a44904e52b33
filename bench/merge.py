"""What the RDF-merge default graph costs: the same competency queries on the same data, side by
side and interleaved, in two Oxigraph stores: one as cajkg queried it before (Oxigraph's own
union default graph, `use_default_graph_as_union`, which counts a triple once per graph holding
it), one as cajkg's stores query it now (the merge of the asserted graphs, kept in Oxigraph's
default graph, and `cjg:inferred`); plus the time to compute the merge at start and the quads
it adds.

Run by `python -P -m bench` (a section of results.md), or alone:
`PYTHONPATH=. python -P -m bench.merge FILE.nq [REPEATS]`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from cajkg.graph.iris import G_INFERRED, G_INFERRED_SCHEMA
from cajkg.graph.store.engine import merge_update

INFERRED = ox.NamedNode(str(G_INFERRED))
SCHEMA = ox.NamedNode(str(G_INFERRED_SCHEMA))


def _seconds(store: ox.Store, text: str, options: dict[str, object]) -> float:
    started = time.perf_counter()
    answer = store.query(text, **options)
    if not isinstance(answer, ox.QueryBoolean):
        for _ in answer:
            pass
    return time.perf_counter() - started


def measure(path: Path, texts: dict[str, str], repeats: int) -> dict[str, object]:
    """Load `path` (N-Quads, asserted and inferred), build the merge, time every query both ways."""
    before, store = ox.Store(), ox.Store()
    for each in (before, store):
        each.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    quads_before = len(store)
    started = time.perf_counter()
    store.update(merge_update(INFERRED, SCHEMA))
    merge_s = time.perf_counter() - started
    multiset = {"use_default_graph_as_union": True}
    merged = {"default_graph": [ox.DefaultGraph(), INFERRED]}
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    counts = {
        name: int(next(iter(each.query(count, **options)))[0].value)
        for name, each, options in (("multiset", before, multiset), ("merge", store, merged))
    }
    queries: dict[str, dict[str, float]] = {}
    for name, text in texts.items():
        old: list[float] = []
        new: list[float] = []
        for _ in range(repeats):
            old.append(_seconds(before, text, multiset))
            new.append(_seconds(store, text, merged))
        queries[name] = {
            "multiset_ms": statistics.median(old) * 1000,
            "merge_ms": statistics.median(new) * 1000,
        }
    return {
        "quads": quads_before,
        "merge_quads": len(store) - quads_before,
        "merge_s": merge_s,
        "default_graph_triples": counts,
        "queries": queries,
    }


def main(argv: list[str]) -> int:
    from bench.__main__ import queries

    repeats = int(argv[1]) if len(argv) > 1 else 15
    print(json.dumps(measure(Path(argv[0]), queries(), repeats), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
