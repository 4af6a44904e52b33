"""An append-only journal of writes, so that an acknowledged write survives kill -9.

One JSON object per line. A line is written, flushed and fsynced before the write is
acknowledged; on start the journal is replayed over the built dataset. A crash in the middle
of an append leaves a torn last line: it is logged, ignored and cut off, so that the next
append starts on a clean line. A damaged line anywhere else stops the start-up instead of
silently losing the writes after it.

A disk that is full or read-only makes the append fail: the partial line is cut off again and
the write is refused with JournalWriteError (a StoreError), so it is neither acknowledged nor
applied, and the journal stays readable.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .base import StoreError

log = logging.getLogger(__name__)

FILENAME = "journal.jsonl"


class JournalCorrupt(Exception):
    """A line other than the last one cannot be read."""


class JournalWriteError(StoreError):
    """The journal could not record a write, so the write was not made."""


class Journal:
    """The write log in one directory (CAJKG_DATA_DIR)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / FILENAME
        self._lock = threading.Lock()
        if not os.access(directory, os.W_OK):
            log.warning("%s is not writable: every write will be refused", directory)

    def entries(self) -> Iterator[dict[str, Any]]:
        """The recorded operations in order; a torn last line is dropped from the file."""
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
            yield entry

    def append(self, entry: dict[str, Any]) -> None:
        """Write one operation durably: the line is on disk when this returns."""
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            created = not self.path.exists()
            size = 0 if created else self.path.stat().st_size
            try:
                _append_durably(self.path, line.encode("utf-8"), size)
                if created:
                    fsync_directory(self.path.parent)
            except OSError as error:
                log.error("cannot append to %s: %s", self.path, error)
                raise JournalWriteError(
                    f"the write was not saved, so it was not made: the journal cannot be "
                    f"written ({error.strerror or error})"
                ) from error

    def _truncate(self, size: int) -> None:
        with self.path.open("r+b") as out:
            out.truncate(size)
            out.flush()
            os.fsync(out.fileno())


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


def fsync_directory(directory: Path) -> None:
    """Make a new file's directory entry durable too."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
