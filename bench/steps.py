"""One build step, timed in a fresh process so that its peak memory is its own.

`python -P -m bench.steps STEP DATA.nq REPEATS` prints one JSON object: seconds (one per
repeat), peak_mb (the process's peak resident set size after the first repeat: interpreter,
parsed input and the step together), and step-specific figures.
Steps: parse, fast (cajkg.graph.reasoner), owlrl (cajkg.graph.reason), validate
(cajkg.graph.validate, as the build runs it: pySHACL plus the SPARQL constraints run once),
update (one-triple add and remove on the fast materializer, in milliseconds).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

from rdflib import Dataset, Graph

from cajkg.graph.iris import CAJKG, RES
from cajkg.graph.reason import closure
from cajkg.graph.reasoner import Materializer
from cajkg.graph.sources import default_sources

UPDATE_REPEATS = 21


def _rss_mb() -> float:
    """Peak resident set size of this process (VmHWM; unlike ru_maxrss it does not carry over
    the parent's peak across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _parse(path: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    return dataset


def _update_latency(materializer: Materializer) -> dict[str, float]:
    """A new office holder: visible as HeadOfState, Leader, leaderOf... after add(); gone after
    remove(). Milliseconds per call, median over UPDATE_REPEATS."""
    adds, removes = [], []
    for i in range(UPDATE_REPEATS):
        triple = (RES[f"bench-person-{i}"], CAJKG.holdsOffice, RES["President-of-Kazakhstan"])
        start = time.perf_counter()
        delta = materializer.add([triple])
        adds.append(time.perf_counter() - start)
        if not delta.added:
            raise RuntimeError("the update entailed nothing; is the office IRI right?")
        start = time.perf_counter()
        materializer.remove([triple])
        removes.append(time.perf_counter() - start)
    return {
        "add_ms": statistics.median(adds) * 1000,
        "remove_ms": statistics.median(removes) * 1000,
        "add_max_ms": max(adds) * 1000,
        "remove_max_ms": max(removes) * 1000,
    }


_CLOSURES: dict[int, Graph] = {}


def _closure(dataset: Dataset) -> Graph:
    """The inferred graph that validation reads, as in the build (computed before the clock
    starts: the closure is a step of its own)."""
    if id(dataset) not in _CLOSURES:
        _CLOSURES[id(dataset)] = Materializer.from_dataset(dataset).inferred()
    return _CLOSURES[id(dataset)]


def _once(step: str, path: Path, dataset: Dataset | None) -> dict[str, float]:
    extra: dict[str, float] = {}
    if step == "parse":
        extra["triples"] = len(_parse(path))
    elif step == "fast":
        materializer = Materializer.from_dataset(dataset)
        extra["inferred"] = sum(1 for _ in materializer.inferred_triples())
    elif step == "owlrl":
        extra["inferred"] = len(closure(dataset).inferred)
    elif step == "validate":
        from cajkg.graph.load import parse_graph
        from cajkg.graph.validate import validate

        shapes = parse_graph(default_sources().shapes)
        extra["conforms"] = float(validate(dataset, shapes, _closure(dataset)).conforms)
    elif step == "update":
        extra.update(_update_latency(Materializer.from_dataset(dataset)))
    else:
        raise SystemExit(f"unknown step {step!r}")
    return extra


def run(step: str, path: Path, repeats: int) -> dict[str, object]:
    """Time `step` on the dataset in `path` `repeats` times. The input is parsed once, before
    the clock starts; peak memory is taken after the first run (later ones reuse its memory)."""
    dataset = _parse(path) if step != "parse" else None
    if step == "validate":
        _closure(dataset)
    seconds, peak, extra = [], 0.0, {}
    for i in range(repeats):
        start = time.perf_counter()
        extra = _once(step, path, dataset)
        seconds.append(time.perf_counter() - start)
        if i == 0:
            peak = _rss_mb()
    return {"seconds": seconds, "peak_mb": peak, **extra}


def main(argv: list[str]) -> int:
    """`python -P -m bench.steps STEP DATA.nq REPEATS`."""
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(run(argv[0], Path(argv[1]), int(argv[2]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
