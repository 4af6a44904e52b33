"""Issue 7, quick plan: load, faults, pathological queries, breaches, against `cajkg serve`.

The same scenarios as `make reliability-quick` (which also writes docs/reliability.md); every
check must pass.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import requests
from conftest import make_app
from reliability import faults, hostile, load, report, security

from cajkg.server.wsgi import threads_for

SLOW_QUERY = (
    "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
)


def assert_pass(rows: list[report.Row]) -> None:
    failed = [r for r in rows if r.outcome == report.FAIL]
    assert not failed, "\n".join(f"{r.check}: {r.detail}" for r in failed)
    assert any(r.outcome == report.PASS for r in rows)


# -- the server changes made for issue 7 -------------------------------------------------------


def test_requests_beyond_the_limit_get_503_with_retry_after(serve):
    url = serve(make_app(CAJKG_MAX_INFLIGHT=1, CAJKG_QUERY_TIMEOUT=3.0))
    slow: dict[str, int] = {}
    thread = threading.Thread(
        target=lambda: slow.update(
            status=requests.get(
                f"{url}/sparql", params={"query": SLOW_QUERY}, timeout=30
            ).status_code
        )
    )
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    refused = requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=30)
    assert time.monotonic() - started < 1.0
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert "busy" in refused.text
    assert requests.get(f"{url}/healthz", timeout=10).status_code == 200
    thread.join()
    assert slow["status"] == 503
    assert requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=30).ok


def test_waitress_keeps_threads_free_to_refuse():
    app = make_app(CAJKG_MAX_INFLIGHT=6)
    assert threads_for(app, 2) == 8
    assert threads_for(app, 16) == 16
    assert threads_for(make_app(CAJKG_MAX_INFLIGHT=0), 2) == 2


JOURNAL_ON_A_FULL_DISK = """
import resource, sys
from pathlib import Path
from cajkg.graph.store.journal import Journal, JournalWriteError
journal = Journal(Path(sys.argv[1]))
journal.append({"op": "update", "text": "first"})
size = journal.path.stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 10, size + 10))
try:
    journal.append({"op": "update", "text": "x" * 100})
except JournalWriteError as error:
    print(error)
"""


def test_a_journal_append_that_fails_leaves_no_torn_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", JOURNAL_ON_A_FULL_DISK, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "the write was not saved" in done.stdout
    assert (tmp_path / "journal.jsonl").read_text() == '{"op":"update","text":"first"}\n'


# -- the scenarios -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="module")
def hostile_rows(workdir):
    return hostile.hostile(report.QUICK, workdir).rows


@pytest.fixture(scope="module")
def security_rows(workdir):
    return security.security(workdir).rows


@pytest.fixture(scope="module")
def fault_rows(workdir):
    rows = report.Rows("faults")
    for scenario in (
        faults.full_disk,
        faults.read_only_data_dir,
        faults.corrupt_cache,
        faults.truncated_cache,
    ):
        scenario(rows, workdir)
    return rows.rows


@pytest.mark.slow
def test_load_is_held_and_writes_survive_kill_9(workdir):
    rows = load.load_and_crash(report.QUICK, workdir).rows
    assert_pass(rows)
    assert any("inferred graph consistent" in r.check for r in rows)


def test_pathological_queries_overload_and_worker_replacement(hostile_rows):
    assert_pass(hostile_rows)
    assert len(hostile_rows) == 6


def test_breaches_are_refused(security_rows):
    assert_pass(security_rows)


def test_faults_give_clear_errors_and_lose_nothing(fault_rows):
    assert_pass(fault_rows)


@pytest.mark.slow
def test_a_missing_build_is_rebuilt(workdir):
    rows = report.Rows("faults")
    faults.missing_build(rows, workdir)
    assert_pass(rows.rows)
