"""/healthz and /metrics: request counts by status, latency histogram and timeouts.

The text follows the Prometheus exposition format 0.0.4, written by hand to avoid a dependency.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from flask import Blueprint, Flask, Response, current_app, g, request

from .config import get_store

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"

bp = Blueprint("metrics", __name__)


class Metrics:
    """Counters of one app, safe across request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.buckets = [0] * len(BUCKETS)
        self.count = 0
        self.total = 0.0
        self.timeouts = 0

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        with self._lock:
            self.requests[(endpoint, str(status))] += 1
            self.count += 1
            self.total += seconds
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self.buckets[i] += 1

    def timeout(self) -> None:
        """Record a stopped query."""
        with self._lock:
            self.timeouts += 1

    def render(self) -> str:
        """The Prometheus text."""
        with self._lock:
            lines = [
                "# HELP cajkg_http_requests_total HTTP requests by endpoint and status code.",
                "# TYPE cajkg_http_requests_total counter",
            ]
            for (endpoint, code), n in sorted(self.requests.items()):
                labels = f'endpoint="{endpoint}",code="{code}"'
                lines.append(f"cajkg_http_requests_total{{{labels}}} {n}")
            lines += [
                "# HELP cajkg_http_request_duration_seconds Time to answer a request.",
                "# TYPE cajkg_http_request_duration_seconds histogram",
            ]
            for bound, n in zip(BUCKETS, self.buckets, strict=True):
                lines.append(f'cajkg_http_request_duration_seconds_bucket{{le="{bound}"}} {n}')
            lines += [
                f'cajkg_http_request_duration_seconds_bucket{{le="+Inf"}} {self.count}',
                f"cajkg_http_request_duration_seconds_sum {self.total:.6f}",
                f"cajkg_http_request_duration_seconds_count {self.count}",
                "# HELP cajkg_query_timeouts_total Queries stopped at their deadline.",
                "# TYPE cajkg_query_timeouts_total counter",
                f"cajkg_query_timeouts_total {self.timeouts}",
            ]
        return "\n".join(lines) + "\n"


def _metrics() -> Metrics:
    return current_app.extensions["cajkg.metrics"]


def count_timeout() -> None:
    """Count a query timeout of the current app."""
    _metrics().timeout()


def _start() -> None:
    g.cajkg_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.pop("cajkg_started", None)
    if started is not None:
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        _metrics().observe(endpoint, response.status_code, time.perf_counter() - started)
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the app answers."""
    return Response("ok\n", content_type="text/plain; charset=utf-8")


@bp.get("/readyz")
def readyz() -> Response:
    """Readiness: 503 while the store warms up (a query worker loading, the reasoner seeding),
    so a load balancer can hold traffic back; queries are answered meanwhile, more slowly."""
    if get_store().ready():
        return Response("ready\n", content_type="text/plain; charset=utf-8")
    return Response(
        "warming up\n",
        status=503,
        headers={"Retry-After": "5"},
        content_type="text/plain; charset=utf-8",
    )


@bp.get("/metrics")
def metrics() -> Response:
    """The counters in Prometheus text format."""
    return Response(_metrics().render(), content_type=PROMETHEUS)


def init_app(app: Flask) -> None:
    """Attach counters, timing hooks and the blueprint to an app."""
    app.extensions["cajkg.metrics"] = Metrics()
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)
