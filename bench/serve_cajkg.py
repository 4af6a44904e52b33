"""Serve a materialized N-Quads file with cajkg's own app and server, for the HTTP benchmark.

`python -P -m bench.serve_cajkg DATA.nq PORT [owlrl|incremental]` does what `cajkg serve`
does after a cached build (load the N-Quads into the memory store with a reasoner,
serve with waitress on 127.0.0.1), but on a generated dataset instead of the packaged sources.
Writes need the bearer token from CAJKG_UPDATE_TOKEN, which the benchmark sets. The reasoner
the store calls after each write is `cajkg.graph.reasoner.IncrementalReasoner` (what
`cajkg serve` uses, via graph/store/factory.py) or owlrl (`cajkg.graph.reason.infer_with_owlrl`, the
reference the incremental reasoner is tested against, for comparison).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cajkg.graph.reason import infer_with_owlrl
from cajkg.graph.reasoner import IncrementalReasoner
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app
from cajkg.server.config import from_env
from cajkg.server.search import warm as warm_search
from cajkg.server.wsgi import serve


def main(argv: list[str]) -> int:
    """Parse, build the app, serve until killed."""
    data, port = Path(argv[0]), int(argv[1])
    dataset = data.read_bytes()  # N-Quads, loaded by Oxigraph as `cajkg serve` loads its cache
    reasoner = IncrementalReasoner() if argv[2:] == ["incremental"] else infer_with_owlrl
    config = from_env()
    store = MemoryStore(dataset, reasoner=reasoner, workers=config["CAJKG_QUERY_WORKERS"])
    store.warm()  # as `cajkg serve` does: a query worker and the reasoner, in the background
    app = create_app(config, store=store)
    warm_search(app)  # as `cajkg serve` does: the search index, after the store's warm-up
    serve(app, host="127.0.0.1", port=port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
