"""HTTP problems and the one place that turns exceptions into responses.

Client errors keep their status and a short text/plain message; store errors map to the
statuses of the endpoint table (docs, STYLE §6); anything else is logged with its traceback
and answered with a plain 500 that reveals nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from cajkg.graph.store.base import (
    ForbiddenOperation,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnly,
    ResultTooLarge,
    StoreError,
)

from . import metrics

log = logging.getLogger(__name__)

STORE_STATUSES: tuple[tuple[type[StoreError], int], ...] = (
    (QuerySyntaxError, 400),
    (ForbiddenOperation, 400),
    (ResultTooLarge, 400),
    (ReadOnly, 403),
    (QueryTimeout, 503),
)


class Problem(Exception):
    """A request the server will not serve, with the status and the reason to send."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def text_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """The body of every error: one line of text."""
    response = Response(
        message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8"
    )
    response.headers.update(headers or {})
    return response


def no_content(status: int = 204) -> Response:
    """A success without a body (and so without a Content-Type)."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response


def _problem(error: Problem) -> Response:
    return text_response(error.status, error.message, error.headers)


def _http(error: HTTPException) -> Response:
    headers = {
        k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")
    }
    message = f"{error.code} {error.name}: {error.description}"
    return text_response(error.code or 500, message, headers)


def _store(error: StoreError) -> Response:
    for kind, status in STORE_STATUSES:
        if isinstance(error, kind):
            if status == 503:
                metrics.count_timeout()
            return text_response(status, str(error))
    log.error("store failure: %s", error, exc_info=error)
    return text_response(500, f"store failure: {error}")


def _unexpected(error: Exception) -> Response:
    log.error("unhandled error", exc_info=error)
    return text_response(500, "internal server error (logged)")


def init_app(app: Flask) -> None:
    """Register the handlers on an app."""
    app.register_error_handler(Problem, _problem)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(StoreError, _store)
    app.register_error_handler(Exception, _unexpected)
