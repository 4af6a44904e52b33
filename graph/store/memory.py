"""The default store: Oxigraph's in-memory store, made durable by an append-only journal.

The built dataset (asserted graphs and the cached inferred graph; an rdflib Dataset, or the build
cache's N-Quads, which Oxigraph parses much faster) is loaded at start, then the
journal's writes are replayed over it and the inferred graph recomputed. Every write is appended
to the journal (fsync) before it is applied, so an acknowledged write survives kill -9.
Queries, writes and their semantics are those of `EngineStore`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from cajkg.graph.iris import G_ASSERTED, G_INFERRED
from cajkg.graph.reasoner import Inference, Reasoner

from .engine import EngineStore
from .journal import Journal
from .terms import quads_in

log = logging.getLogger(__name__)


class MemoryStore(EngineStore):
    """The Store protocol in memory, with inference, deadlines and a journal."""

    def __init__(
        self,
        dataset: Dataset | bytes | None = None,
        *,
        reasoner: Reasoner | Inference | None = None,
        inferred_graph: URIRef = G_INFERRED,
        merged_graph: URIRef = G_ASSERTED,
        journal: Journal | None = None,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        workers: int = 4,
    ) -> None:
        super().__init__(
            ox.Store(),
            reasoner=reasoner,
            inferred_graph=inferred_graph,
            merged_graph=merged_graph,
            fetchable=fetchable,
            services=services,
            workers=workers,
        )
        self._journal = journal
        if dataset is not None:
            self._engine.bulk_extend(quads_in(dataset))
        replayed = 0
        for entry in journal.entries() if journal else ():
            self._replay(entry)
            replayed += 1
        if replayed:
            log.info("replayed %d journal entries from %s", replayed, journal and journal.path)
        self.rebuild_merge()
        if reasoner is not None and (replayed or not self._has_graph(self._inferred)):
            self.refresh_inferences()

    def _record(self, entry: dict[str, Any], added: set[Any], removed: set[Any]) -> None:
        """Append the write to the journal: it is on disk before it is applied."""
        if self._journal is not None:
            self._journal.append(entry)
