"""Reliability and security runs against a real `cajkg serve` on 127.0.0.1 (issue 7).

`python -P -m reliability --quick|--full` (with the checkout on PYTHONPATH) starts the servers it
needs in subprocesses, runs every scenario and regenerates docs/reliability.md. The quick plan is
what tests/test_reliability.py and tests/test_fuzz.py run inside `make test`. All traffic stays
on loopback, and every phase is bounded in requests and seconds.
"""
