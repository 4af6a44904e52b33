"""The deadline's stop must hold even when the evaluation swallows it once."""

from __future__ import annotations

import time

import pytest

from cajkg.graph.store.base import QueryTimeout
from cajkg.graph.store.deadline import Deadlines


def _swallows_the_first_stop() -> str:
    """Busy Python code that catches one stop, as a bare `except:` in an evaluator or a
    finalizer run by the garbage collector would; it ends by itself after 20 s."""
    ends = time.monotonic() + 20
    swallowed = False
    while time.monotonic() < ends:
        try:
            sum(range(1000))
        except BaseException:
            if swallowed:
                raise
            swallowed = True
    return "ran to the end"


def test_a_stop_swallowed_once_is_sent_again_and_frees_the_slot():
    deadlines = Deadlines(1)
    with pytest.raises(QueryTimeout, match="was stopped"):
        deadlines.run(_swallows_the_first_stop, timeout=0.2)
    assert deadlines.run(lambda: 42, timeout=5) == 42
    assert deadlines.stopped == 1


def test_a_job_that_ends_in_time_is_not_stopped():
    deadlines = Deadlines(1)
    assert deadlines.run(lambda: sum(range(10)), timeout=5) == 45
    assert deadlines.stopped == 0
