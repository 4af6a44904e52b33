"""Damaged surroundings: a read-only or full data directory, a corrupt or missing build cache.

Each scenario starts its own `cajkg serve` on a private copy of the build, so the checkout's
build/ is never damaged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .load import INSERT
from .report import Rows
from .server import Server, ServerFailed, copy_build, file_size_limit

KEPT = INSERT.replace("{id}", "kept-before-read-only")
REFUSED = INSERT.replace("{id}", "refused")


def _present(server: Server, ident: str) -> bool:
    return server.ask(f'ASK {{ GRAPH ?g {{ ?x <urn:cajkg:reliability#seq> "{ident}" }} }}')


def _read_only_mount(folder: Path) -> bool:
    """Make folder a read-only tmpfs holding its current files (needs root); False if not."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return True
    staging = Path(tempfile.mkdtemp())
    for item in folder.iterdir():
        item.rename(staging / item.name)
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    for item in staging.iterdir():
        shutil.move(item, folder / item.name)
    return (
        mounted
        and subprocess.run(
            ["mount", "-o", "remount,ro", str(folder)], capture_output=True
        ).returncode
        == 0
    )


def _unmount(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["umount", str(folder)], capture_output=True)
    else:
        folder.chmod(0o755)


def read_only_data_dir(rows: Rows, workdir: Path) -> None:
    """Acknowledged writes stay served; new writes are refused with a clear message."""
    data = workdir / "ro-data"
    data.mkdir()
    (data / "journal.jsonl").write_text(
        json.dumps({"op": "update", "text": KEPT, "base": None}) + "\n"
    )
    if not _read_only_mount(data):
        rows.add("read-only data directory", None, "could not mount a read-only tmpfs here")
        return
    try:
        with Server(data) as server:
            kept = _present(server, "kept-before-read-only")
            response = server.update(REFUSED)
            refused = not _present(server, "refused")
            warned = "not writable" in server.log()
            rows.add(
                "read-only data directory: earlier writes served, new ones refused clearly",
                kept
                and refused
                and response.status_code >= 400
                and "not saved" in response.text
                and warned,
                f"earlier write served: {kept}; write answered {response.status_code} "
                f"{response.text.strip()[:120]!r}; applied anyway: {not refused}; start-up "
                f"warning logged: {warned}",
                "tmpfs remounted read-only" if os.geteuid() == 0 else "chmod 555",
            )
    except ServerFailed as error:
        rows.add("read-only data directory", False, str(error)[-300:])
    finally:
        _unmount(data)


def full_disk(rows: Rows, workdir: Path) -> None:
    """A write that cannot be journalled is refused, leaves no torn line and no change."""
    data = workdir / "full-data"
    limit = 64
    try:
        with Server(data, preexec=file_size_limit(limit)) as server:
            response = server.update(REFUSED)
            applied = _present(server, "refused")
            journal = data / "journal.jsonl"
            size = journal.stat().st_size if journal.exists() else 0
        with Server(data) as restarted:
            after = _present(restarted, "refused")
        rows.add(
            "full disk: the write is refused clearly, nothing half written",
            response.status_code >= 500
            and "not saved" in response.text
            and not applied
            and size == 0
            and not after,
            f"write answered {response.status_code} {response.text.strip()[:120]!r}; "
            f"applied: {applied}; journal left with {size} bytes; restart clean, write "
            f"absent: {not after}",
            f"RLIMIT_FSIZE={limit} bytes on the server process",
        )
    except ServerFailed as error:
        rows.add("full disk", False, str(error)[-300:])


def _cache(build: Path) -> Path:
    return next((build / "cache").glob("*.nq"))


def corrupt_cache(rows: Rows, workdir: Path) -> None:
    """Garbage in the cache: a clear message and a rebuild, never a traceback."""
    build = copy_build(workdir / "corrupt-build")
    cache = _cache(build)
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2] + b"\x00garbage <<<\n")
    server = Server(workdir / "corrupt-data", build)
    try:
        server.start()
        ok, detail = True, f"served after {server.startup_s:.0f} s (rebuilt)"
    except ServerFailed as error:
        log = str(error)
        ok = "Traceback" not in log
        detail = f"refused to start: {log.splitlines()[-1][:200]!r}; traceback: {not ok}"
    finally:
        server.kill()
    rows.add(
        "corrupt build cache: clear message and rebuild",
        ok,
        detail,
        "half the cache file, then a garbage line",
    )


def truncated_cache(rows: Rows, workdir: Path) -> None:
    """A cache cut at a line boundary must not be served as if it were the whole graph."""
    build = copy_build(workdir / "truncated-build")
    cache = _cache(build)
    lines = cache.read_bytes().splitlines(keepends=True)
    cut = len(lines) // 2
    lost = next(
        line
        for line in reversed(lines[cut:])
        if b"_:" not in line and b'"' not in line and line.count(b"> <") == 3
    )
    cache.write_bytes(b"".join(lines[:cut]))
    s, p, o, g = lost.decode().rstrip(" .\n").split(" ")
    try:
        with Server(workdir / "truncated-data", build) as server:
            whole = server.ask(f"ASK {{ GRAPH {g.strip()} {{ {s} {p} {o} }} }}")
        detail = f"served; a quad from the lost half is {'present' if whole else 'missing'}"
    except ServerFailed as error:
        whole, detail = "Traceback" not in str(error), "refused to start"
    rows.add(
        "truncated build cache: not served as the whole graph",
        whole,
        detail,
        f"cache cut to {cut} of {len(lines)} lines",
    )


def missing_build(rows: Rows, workdir: Path) -> None:
    """An empty build directory: the server builds the graph, then serves it."""
    build = workdir / "empty-build"
    build.mkdir()
    try:
        with Server(workdir / "missing-data", build) as server:
            answered = server.ask("ASK { ?s a <https://w3id.org/cajkg/ontology#Summit> }")
            cached = list((build / "cache").glob("*.nq"))
        rows.add(
            "missing build: rebuilt on start, then served",
            answered and bool(cached),
            f"answered after {server.startup_s:.0f} s; cache written: {bool(cached)}",
            "empty CAJKG_BUILD_DIR",
        )
    except ServerFailed as error:
        rows.add("missing build: rebuilt on start, then served", False, str(error)[-300:])


def faults(workdir: Path) -> Rows:
    """Every scenario of this module."""
    rows = Rows("faults")
    for scenario in (full_disk, read_only_data_dir, corrupt_cache, truncated_cache, missing_build):
        scenario(rows, workdir)
    return rows
