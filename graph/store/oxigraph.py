"""The persistent embedded store: pyoxigraph (RocksDB) in a data directory.

Queries, writes and their semantics are those of `EngineStore`, so this store answers exactly
like the memory store. Durability: before a write is applied, its change is written to a pending
file (fsync), a journal (store/journal.py) of one entry in the memory store's format; Oxigraph's
write-ahead log keeps what was applied; the pending file is removed once both differences are in.
A process killed in between leaves the pending file, and the next start re-applies the change
(idempotent: the same quads removed and added, blank nodes included) and recomputes the inferred
graph, so no write is ever half applied. An empty pending file, or a torn one (a crash while it
was written, before anything was applied), just recomputes inferences.

The file `inferred-by` names the reasoner whose closure the stored inferred graphs are; a
restart under the same code resumes the reasoner from them instead of seeding it (seconds
instead of minutes at a million triples). It is removed before the inferred graphs are
replaced in full, and a pending write recomputes them; a directory written meanwhile by a
cajkg too old to know the file would be trusted wrongly: `cajkg serve` after such a downgrade
should start once after deleting it.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from cajkg.graph.iris import G_ASSERTED, G_INFERRED, G_INFERRED_SCHEMA
from cajkg.graph.reasoner import Delta, Inference, Reasoner

from .base import ReadOnly
from .engine import EngineStore
from .journal import Journal, encode, fsync_directory, replace_durably

log = logging.getLogger(__name__)

MARKER = "inference-pending"
# The fingerprint of the reasoner whose closure the stored inferred graphs are
# (`reasoner.FINGERPRINT`): written once they are, removed before they are replaced.
INFERRED_BY = "inferred-by"
# Written once the database keeps the merge of the asserted graphs in Oxigraph's default graph
# (and the store's own default graph in terms.OWN_DEFAULT); older databases are converted.
LAYOUT = "layout-merged-default"
ENGINE_DIR = "oxigraph"
WORKERS_DIR = "query-workers"


class OxigraphStore(EngineStore):
    """The Store protocol over a pyoxigraph store on disk."""

    def __init__(
        self,
        data_dir: Path,
        *,
        reasoner: Reasoner | Inference | None = None,
        inferred_graph: URIRef = G_INFERRED,
        schema_graph: URIRef = G_INFERRED_SCHEMA,
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
            schema_graph=schema_graph,
            merged_graph=merged_graph,
            fetchable=fetchable,
            services=services,
            workers=workers,
        )
        self._marker = self.data_dir / MARKER
        by = self.data_dir / INFERRED_BY
        self._inferred_by = by.read_text(encoding="utf-8").strip() if by.is_file() else None
        self._pending: Journal | None = None
        self._checkpoints = self.data_dir / WORKERS_DIR
        self._made = 0
        if not read_only:
            shutil.rmtree(self._checkpoints, ignore_errors=True)
            self._pending = Journal(self.data_dir, MARKER, compact_every=0)
        if self._marker.exists() and not read_only:
            log.warning("%s: the last write did not finish; completing it", self.data_dir)
            self._finish_pending()
        if not read_only and not (self.data_dir / LAYOUT).exists():
            self._convert()

    def _convert(self) -> None:
        """Bring a database of an earlier cajkg to this layout: the triples of its default graph
        are the store's own default graph; the merge is computed."""
        self.rebuild_merge()
        self._engine.flush()
        (self.data_dir / LAYOUT).touch()
        fsync_directory(self.data_dir)

    def _finish_pending(self) -> None:
        assert self._pending is not None
        for entry in self._pending.entries():
            self._replay(entry)
        self.refresh_inferences()
        self._engine.flush()
        self._marker.unlink()

    def load(self, dataset: Dataset | bytes, inferred_by: str | None = None) -> None:
        """Replace the whole content by a built dataset; computes inferences when it has none
        (`inferred_by`: the fingerprint of the reasoner that computed them, if known)."""
        self._check_writable()
        with self._write_lock:
            self._forget_inferred_by()
            self._record({}, set(), set(), Delta())
            with self._swap_lock:
                self._engine.clear()
                self.pool.restart()
            self._seeded = False
            self._load(dataset)
        (self.data_dir / LAYOUT).touch()
        if not self._has_graph(self._inferred):
            self.refresh_inferences()
        else:
            self._keep_inferred_by(inferred_by)
        self._engine.flush()
        self._recorded()

    def _forget_inferred_by(self) -> None:
        self._inferred_by = None
        if not self.read_only:
            (self.data_dir / INFERRED_BY).unlink(missing_ok=True)
            fsync_directory(self.data_dir)

    def _keep_inferred_by(self, fingerprint: str | None) -> None:
        """Record it once the inferred graphs are on disk (a crash before: not trusted)."""
        self._inferred_by = fingerprint
        if fingerprint is None or self.read_only:
            return
        self._engine.flush()
        by = self.data_dir / INFERRED_BY
        replace_durably(by, by.with_name(f"{INFERRED_BY}.partial"), f"{fingerprint}\n".encode())

    def _seeds_from_load(self) -> bool:
        return False

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

    def _record(
        self, entry: dict[str, Any], added: set[Any], removed: set[Any], delta: Delta
    ) -> None:
        """Write the change durably before Oxigraph is touched."""
        self._check_writable()
        assert self._pending is not None
        self._pending.append(encode(added, removed, delta))

    def _recorded(self) -> None:
        self._marker.unlink(missing_ok=True)
