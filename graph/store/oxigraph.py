"""The persistent embedded store: pyoxigraph (RocksDB) in a data directory.

Queries, writes and their semantics are those of `EngineStore`, so this store answers exactly
like the memory store. Durability: before a write is applied, its asserted difference is written
to a pending file (fsync); Oxigraph's write-ahead log keeps what was applied; the pending file
is removed once both differences are in. A process killed in between leaves the pending file,
and the next start re-applies the difference (idempotent: the same quads removed and added) and
recomputes the inferred graph, so no write is ever half applied. An empty pending file (a torn
write of the file itself, before anything was applied) just recomputes inferences.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from cajkg.graph.iris import G_ASSERTED, G_INFERRED
from cajkg.graph.reasoner import Inference, Reasoner

from .base import ReadOnly
from .engine import EngineStore
from .journal import fsync_directory
from .terms import nquads, quads_in

log = logging.getLogger(__name__)

MARKER = "inference-pending"
ENGINE_DIR = "oxigraph"
WORKERS_DIR = "query-workers"
_NQ = ox.RdfFormat.N_QUADS


class OxigraphStore(EngineStore):
    """The Store protocol over a pyoxigraph store on disk."""

    def __init__(
        self,
        data_dir: Path,
        *,
        reasoner: Reasoner | Inference | None = None,
        inferred_graph: URIRef = G_INFERRED,
        merged_graph: URIRef = G_ASSERTED,
        read_only: bool = False,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        workers: int = 4,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.read_only = read_only
        engine = self.data_dir / ENGINE_DIR
        if read_only:
            store = ox.Store.read_only(str(engine))
        else:
            engine.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(engine))
        super().__init__(
            store,
            reasoner=reasoner,
            inferred_graph=inferred_graph,
            merged_graph=merged_graph,
            fetchable=fetchable,
            services=services,
            workers=workers,
        )
        self._marker = self.data_dir / MARKER
        self._checkpoints = self.data_dir / WORKERS_DIR
        self._made = 0
        if not read_only:
            shutil.rmtree(self._checkpoints, ignore_errors=True)
        if self._marker.exists() and not read_only:
            log.warning("%s: the last write did not finish; completing it", self.data_dir)
            self._finish_pending()
        elif not read_only and not self._has_graph(self._merged) and not self.is_empty():
            self.rebuild_merge()

    def _finish_pending(self) -> None:
        try:
            pending = json.loads(self._marker.read_text(encoding="utf-8") or "{}")
        except ValueError:
            pending = {}
        for quad in ox.parse(pending.get("remove", ""), format=_NQ):
            self._engine.remove(quad)
        self._engine.extend(ox.parse(pending.get("add", ""), format=_NQ))
        self.rebuild_merge()
        self.refresh_inferences()
        self._engine.flush()
        self._marker.unlink()

    def load(self, dataset: Dataset | bytes) -> None:
        """Replace the whole content by a built dataset; computes inferences when it has none."""
        self._check_writable()
        with self._write_lock:
            self._record({}, set(), set())
            with self._swap_lock:
                self._engine.clear()
                self._engine.bulk_extend(quads_in(dataset))
                self.pool.restart()
            self._seeded = False
        self.rebuild_merge()
        if not self._has_graph(self._inferred):
            self.refresh_inferences()
        self._engine.flush()
        self._recorded()

    def _worker_seed(self) -> tuple[Any, ...]:
        """A checkpoint of the database for a new query worker (hard links: no copy, no RAM);
        a read-only store, which cannot change under its workers, is shared as it is."""
        if self.read_only:
            return ("read-only", str(self.data_dir / ENGINE_DIR))
        self._made += 1
        target = self._checkpoints / str(self._made)
        self._checkpoints.mkdir(exist_ok=True)
        self._engine.backup(str(target))
        return ("open", str(target))

    def close(self) -> None:
        """Flush to disk and let go of the store (RocksDB allows one process at a time)."""
        super().close()
        if not self.read_only:
            self._engine.flush()
        del self._engine

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnly("the oxigraph store was opened read-only")

    def _record(self, entry: dict[str, Any], added: set[Any], removed: set[Any]) -> None:
        """Write the asserted difference durably before Oxigraph is touched."""
        data = json.dumps(
            {"remove": nquads(removed).decode("utf-8"), "add": nquads(added).decode("utf-8")}
        )
        with self._marker.open("w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        fsync_directory(self.data_dir)

    def _recorded(self) -> None:
        self._marker.unlink(missing_ok=True)
