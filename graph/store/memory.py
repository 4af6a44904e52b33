"""The default store: Oxigraph's in-memory store, made durable by an append-only journal.

The built dataset (asserted graphs and the cached inferred graph; an rdflib Dataset, or the build
cache's N-Quads, which Oxigraph parses much faster) is loaded at start (`inferred_by`: the
fingerprint of the reasoner that computed its inferred graphs, from which the reasoner then
resumes instead of seeding, when the journal's changes are that code's too), then the journal's
changes are replayed over it, folded into one (the same quads that were acknowledged, blank nodes
included), and the journal is compacted to that one entry. The inferred graph is recomputed only
when an entry lacks its inferred change (an old text entry, or a write made before the reasoner
was seeded); the compacted entry then gets the inferred change, so the next start skips it.
Every write is appended to the journal (fsync) before it is applied, so an acknowledged write
survives kill -9. Queries, writes and their semantics are those of `EngineStore`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from cajkg.graph.iris import G_ASSERTED, G_INFERRED, G_INFERRED_SCHEMA
from cajkg.graph.reasoner import Delta, Inference, Reasoner

from .engine import EngineStore
from .journal import Fold, Journal, encode, is_text, needs_reasoning, ntriples

log = logging.getLogger(__name__)


class MemoryStore(EngineStore):
    """The Store protocol in memory, with inference, deadlines and a journal."""

    def __init__(
        self,
        dataset: Dataset | bytes | None = None,
        *,
        reasoner: Reasoner | Inference | None = None,
        inferred_graph: URIRef = G_INFERRED,
        schema_graph: URIRef = G_INFERRED_SCHEMA,
        merged_graph: URIRef = G_ASSERTED,
        journal: Journal | None = None,
        inferred_by: str | None = None,
        fetchable: Sequence[str] = (),
        services: Sequence[str] = (),
        workers: int = 4,
    ) -> None:
        super().__init__(
            ox.Store(),
            reasoner=reasoner,
            inferred_graph=inferred_graph,
            schema_graph=schema_graph,
            merged_graph=merged_graph,
            fetchable=fetchable,
            services=services,
            workers=workers,
        )
        self._journal = journal
        if dataset is not None:
            self._load(dataset)
        else:
            self.rebuild_merge()
        entries = list(journal.entries()) if journal else []
        if dataset is not None and all(e.get("by") == inferred_by for e in entries):
            self._inferred_by = inferred_by
        reason = any(is_text(e) or needs_reasoning(e) for e in entries)
        before = self._inferred_quads() if reason and reasoner is not None else None
        folded = self._replay_all(entries)
        if entries:
            log.info("replayed %d journal entries from %s", len(entries), journal and journal.path)
        if reasoner is not None and (reason or not self._has_graph(self._inferred)):
            self.refresh_inferences()
        if journal is not None and (len(entries) > 1 or reason):
            if before is not None:
                folded = self._with_inferred_change(folded, before)
            try:
                journal.rewrite([folded])
            except OSError as error:
                log.warning(
                    "could not compact %s (%s); it is replayed as it is", journal.path, error
                )

    def _replay_all(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """Replay the entries (each run of entries in quads folded and applied as one); the
        whole change as one entry."""
        total, run = Fold(), Fold()
        for entry in entries:
            if is_text(entry):
                if run.count:
                    total.add(self._replay(run.entry()))
                    run = Fold()
                total.add(self._replay(entry))
            else:
                run.add(entry)
        if run.count:
            total.add(self._replay(run.entry()))
        return total.entry()

    def _with_inferred_change(self, folded: dict[str, Any], before: set[Any]) -> dict[str, Any]:
        """The folded entry with the inferred graph's change since the base, just recomputed."""
        after = self._inferred_quads()
        entry = {k: v for k, v in folded.items() if k != "reason"}
        for key, quads in (("inferred_remove", before - after), ("inferred_add", after - before)):
            text = ntriples(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            if text:
                entry[key] = text
        if self._reasoner is not None and self._reasoner.fingerprint is not None:
            entry["by"] = self._reasoner.fingerprint
        return entry

    def _record(
        self, entry: dict[str, Any], added: set[Any], removed: set[Any], delta: Delta
    ) -> None:
        """Append the change to the journal: it is on disk before it is applied."""
        if self._journal is not None:
            by = self._reasoner.fingerprint if self._reasoner is not None else None
            self._journal.append(encode(added, removed, delta, by))
