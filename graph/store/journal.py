"""An append-only journal of writes, so that an acknowledged write survives kill -9.

One JSON object per line, each the change a write made, as quads (not the text of the
update: `NOW()`, `UUID()`, `STRUUID()`, `RAND()`, `BNODE()` and blank nodes would draw new
values on every replay). An entry holds the asserted quads removed and added (N-Quads, blank
node labels kept) and, when it is known, the inferred graph's change (N-Triples, the graph name
is the store's), with `"by"`, the fingerprint of the reasoner that computed it
(`reasoner.FINGERPRINT`: a store resumes its reasoner from the inferred graph only when every
change in it is that code's); `"reason": true` says it is not known and must be recomputed
after replay.
Replaying an entry removes, then adds: the same quads, whatever the clock or the random numbers.

A line is written, flushed and fsynced before the write is acknowledged. A crash in the middle
of an append leaves a torn last line: it is logged, ignored and cut off, so that the next
append starts on a clean line. A damaged line anywhere else stops the start-up instead of
silently losing the writes after it.

A disk that is full or read-only makes the append fail: the partial line is cut off again and
the write is refused with JournalWriteError (a StoreError), so it is neither acknowledged nor
applied, and the journal stays readable.

Compaction folds the entries into one (for each quad, the last change wins, which gives the
same store over any base, a rebuilt one included) and replaces the file atomically (a new file
fsynced, then renamed), so that a long-running server does not replay every write since its
first start. Journals written before this format hold the text of each operation (`{"op": ...}`);
the memory store replays such an entry as text once more (its NOW() and the like drawn again,
as those versions always did) and then rewrites the journal as quads, fixed for good.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from cajkg.graph.reasoner import Delta

from .base import StoreError
from .terms import nquads, to_ox

log = logging.getLogger(__name__)

FILENAME = "journal.jsonl"
VERSION = 2
COMPACT_EVERY = 1000
_NT = ox.RdfFormat.N_TRIPLES


class JournalCorrupt(Exception):
    """A line other than the last one cannot be read."""


class JournalWriteError(StoreError):
    """The journal could not record a write, so the write was not made."""


def encode(
    added: Iterable[Any], removed: Iterable[Any], delta: Delta | None, by: str | None = None
) -> dict[str, Any]:
    """A journal entry for a change (pyoxigraph quads; the reasoner's Delta, None if unknown;
    the fingerprint of the reasoner that computed it, if known)."""
    entry: dict[str, Any] = {"v": VERSION}
    for key, quads in (("remove", removed), ("add", added)):
        text = nquads(quads).decode("utf-8")
        if text:
            entry[key] = text
    if delta is None or delta.reset:
        entry["reason"] = True
        return entry
    for key, inferred in (("inferred_remove", delta.removed), ("inferred_add", delta.added)):
        text = ntriples(ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in inferred)
        if text:
            entry[key] = text
    if by is not None:
        entry["by"] = by
    return entry


def ntriples(inferred: Iterable[Any]) -> str:
    """pyoxigraph triples as N-Triples text (blank node labels kept)."""
    return (ox.serialize(inferred, format=_NT) or b"").decode("utf-8")


def is_text(entry: dict[str, Any]) -> bool:
    """True for an entry of an old journal, which holds the operation, not its quads."""
    return "op" in entry


def quads(entry: dict[str, Any], key: str) -> list[Any]:
    """The quads under "add" or "remove" (pyoxigraph, blank node labels as written)."""
    return list(ox.parse(entry.get(key, ""), format=ox.RdfFormat.N_QUADS))


def triples(entry: dict[str, Any], key: str) -> list[Any]:
    """The inferred triples under "inferred_add" or "inferred_remove" (pyoxigraph)."""
    return list(ox.parse(entry.get(key, ""), format=_NT))


def needs_reasoning(entry: dict[str, Any]) -> bool:
    """True when replaying the entry leaves the inferred graph to be recomputed (the oxigraph
    store's older pending files held only "remove" and "add")."""
    return bool(entry.get("reason")) or "v" not in entry


class Fold:
    """Entries folded into one: for each quad (an N-Quads line) its last change."""

    def __init__(self) -> None:
        self.asserted: dict[str, bool] = {}
        self.inferred: dict[str, bool] = {}
        self.reason = False
        self.count = 0
        self.by: set[str | None] = set()

    def add(self, entry: dict[str, Any]) -> None:
        """Fold in one entry in the new format (removals first, as a replay applies them)."""
        self.count += 1
        self.reason = self.reason or needs_reasoning(entry)
        self.by.add(entry.get("by"))
        for target, prefix in ((self.asserted, ""), (self.inferred, "inferred_")):
            for key, present in (("remove", False), ("add", True)):
                for line in entry.get(prefix + key, "").splitlines():
                    if line:
                        target.pop(line, None)
                        target[line] = present

    def entry(self) -> dict[str, Any]:
        """The folded change as one entry."""
        entry: dict[str, Any] = {"v": VERSION}
        for target, prefix in ((self.asserted, ""), (self.inferred, "inferred_")):
            for key, present in (("remove", False), ("add", True)):
                text = "".join(line + "\n" for line, kept in target.items() if kept is present)
                if text:
                    entry[prefix + key] = text
        if self.reason:
            entry["reason"] = True
            for key in ("inferred_remove", "inferred_add"):
                entry.pop(key, None)
        elif len(self.by) == 1 and None not in self.by:
            entry["by"] = next(iter(self.by))
        return entry


class Journal:
    """The write log in one directory (CAJKG_DATA_DIR); compacted every `compact_every`
    appends (0: never)."""

    def __init__(
        self, directory: Path, filename: str = FILENAME, compact_every: int = COMPACT_EVERY
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / filename
        self.compact_every = compact_every
        self._lock = threading.Lock()
        self._lines = 0
        self._scratch = self.path.with_name(self.path.name + ".compacting")
        if self._scratch.exists():  # a compaction cut short: the journal itself is whole
            self._scratch.unlink()
        if not os.access(directory, os.W_OK):
            log.warning("%s is not writable: every write will be refused", directory)

    def entries(self) -> Iterator[dict[str, Any]]:
        """The recorded entries in order; a torn last line is dropped from the file."""
        self._lines = 0
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError as error:
                if number == len(lines):
                    log.warning(
                        "%s: ignoring torn last line %d (%d bytes)", self.path, number, len(line)
                    )
                    self._truncate(len(data) - len(line))
                    return
                raise JournalCorrupt(f"{self.path}, line {number}: {error}") from error
            if not isinstance(entry, dict):
                raise JournalCorrupt(f"{self.path}, line {number}: not a journal entry")
            self._lines += 1
            yield entry

    def append(self, entry: dict[str, Any]) -> None:
        """Write one entry durably: the line is on disk when this returns. Every
        `compact_every` appends the journal is compacted (a failure there is only logged: the
        entry is safe either way)."""
        line = _line(entry)
        with self._lock:
            created = not self.path.exists()
            size = 0 if created else self.path.stat().st_size
            try:
                _append_durably(self.path, line, size)
                if created:
                    fsync_directory(self.path.parent)
            except OSError as error:
                log.error("cannot append to %s: %s", self.path, error)
                raise JournalWriteError(
                    f"the write was not saved, so it was not made: the journal cannot be "
                    f"written ({error.strerror or error})"
                ) from error
            self._lines += 1
            if self.compact_every and self._lines > self.compact_every:
                try:
                    self._compact()
                except (OSError, JournalCorrupt, ValueError) as error:
                    log.error("could not compact %s: %s", self.path, error)

    def compact(self) -> int:
        """Fold the journal into one entry; the number of entries it held (old text entries
        cannot be folded here: the store replays them, see `rewrite`)."""
        with self._lock:
            return self._compact()

    def rewrite(self, entries: Iterable[dict[str, Any]]) -> None:
        """Replace the whole journal atomically: the old file or the new one, never a mix."""
        data = b"".join(_line(entry) for entry in entries)
        with self._lock:
            self._replace(data)
            self._lines = data.count(b"\n")

    def _compact(self) -> int:
        fold = Fold()
        for entry in self.entries():
            if is_text(entry):
                log.info("%s holds text entries; it is compacted at the next start", self.path)
                return 0
            fold.add(entry)
        if fold.count > 1:
            self._replace(_line(fold.entry()))
            self._lines = 1
            log.info("compacted %d journal entries in %s", fold.count, self.path)
        return fold.count

    def _replace(self, data: bytes) -> None:
        replace_durably(self.path, self._scratch, data)

    def _truncate(self, size: int) -> None:
        with self.path.open("r+b") as out:
            out.truncate(size)
            out.flush()
            os.fsync(out.fileno())


def _line(entry: dict[str, Any]) -> bytes:
    return (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _append_durably(path: Path, data: bytes, size: int) -> None:
    """Write all of data at the end and fsync; on failure cut the file back to `size`."""
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        os.fsync(handle)
    except OSError:
        os.ftruncate(handle, size)
        raise
    finally:
        os.close(handle)


def replace_durably(path: Path, scratch: Path, data: bytes) -> None:
    """Make `data` the content of `path` atomically (written to `scratch`, fsynced, renamed):
    after a crash the old content or the new one, never a mix."""
    with scratch.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(scratch, path)
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a new file's directory entry durable too."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
