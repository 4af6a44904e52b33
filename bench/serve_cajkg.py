"""Serve a materialized N-Quads file with cajkg's own app and server, for the HTTP benchmark.

`python -P -m bench.serve_cajkg DATA.nq PORT [owlrl|incremental] [DATA_DIR]` does what
`cajkg serve` does after a cached build (load the N-Quads into the memory store with a reasoner,
serve with waitress on 127.0.0.1), but on a generated dataset instead of the packaged sources.
With DATA_DIR it opens the persistent oxigraph store there instead, as `cajkg serve --store
oxigraph` does: it loads DATA only when the directory holds no database yet, so a second run on
the same directory measures a restart. Writes need the bearer token from CAJKG_UPDATE_TOKEN,
which the benchmark sets. The reasoner the store calls after each write is
`cajkg.graph.reasoner.IncrementalReasoner` (what `cajkg serve` uses, via
graph/store/factory.py) or owlrl (`cajkg.graph.reason.infer_with_owlrl`, the reference the
incremental reasoner is tested against, for comparison). CAJKG_LOG_LEVEL=INFO logs the phases
of the start-up to stderr.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.reasoner import IncrementalReasoner
from cajkg.graph.store.engine import EngineStore
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import OxigraphStore
from cajkg.server import create_app
from cajkg.server.config import from_env
from cajkg.server.search import warm as warm_search
from cajkg.server.wsgi import serve


def main(argv: list[str]) -> int:
    """Parse, build the app, serve until killed."""
    logging.basicConfig(
        level=os.environ.get("CAJKG_LOG_LEVEL", "WARNING"),
        format="%(relativeCreated)8.0f ms %(name)s: %(message)s",
    )
    data, port = Path(argv[0]), int(argv[1])
    reasoner = IncrementalReasoner() if argv[2:3] == ["incremental"] else infer_with_owlrl
    # bench.__main__.prepare materializes the data with this reasoner, as `cajkg build` does
    fingerprint = IncrementalReasoner.fingerprint
    config = from_env()
    store: EngineStore
    if len(argv) > 3:  # the persistent store, as `cajkg serve --store oxigraph`
        persistent = OxigraphStore(
            Path(argv[3]), reasoner=reasoner, workers=config["CAJKG_QUERY_WORKERS"]
        )
        if persistent.is_empty():
            persistent.load(data.read_bytes(), inferred_by=fingerprint)
        store = persistent
    else:  # N-Quads, loaded by Oxigraph as `cajkg serve` loads its cache
        store = MemoryStore(
            data.read_bytes(),
            reasoner=reasoner,
            workers=config["CAJKG_QUERY_WORKERS"],
            inferred_by=fingerprint,
        )
    store.warm()  # as `cajkg serve` does: a query worker and the reasoner, in the background
    app = create_app(config, store=store)
    warm_search(app)  # as `cajkg serve` does: the search index, after the store's warm-up
    serve(app, host="127.0.0.1", port=port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
