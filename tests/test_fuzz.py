"""Hostile and broken input (hypothesis) against a real `cajkg serve`: no 5xx, no hang, no crash.

The quick profile: reliability.report.QUICK.fuzz_examples examples per kind of input, no
deadline; `PYTHONPATH=. .venv/bin/python -P -m reliability --full` runs 300 of each.
"""

from __future__ import annotations

import pytest
import requests
from reliability.fuzz import checks
from reliability.hostile import hostile_server
from reliability.report import QUICK

KINDS = [
    "random_text",
    "random_sparql",
    "mutated_queries",
    "invalid_utf8",
    "huge_literals",
    "deep_nesting",
    "odd_headers",
    "oversized_bodies",
    "random_paths",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with hostile_server(QUICK, tmp_path_factory.mktemp("fuzz")) as running:
        yield running


def test_every_kind_of_input_is_fuzzed(server):
    assert sorted(checks(server.url, 1)) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_input_gets_a_sane_answer(server, kind):
    checks(server.url, QUICK.fuzz_examples)[kind]()


def test_the_server_survives_the_fuzzing(server):
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
    log = server.log()
    assert "Traceback" not in log, log[-3000:]
    assert "unhandled error" not in log
