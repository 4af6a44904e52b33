"""CORS for reads: any allowed origin may query, nobody may send credentials or write.

Preflights for /sparql allow GET and POST with Accept and Content-Type, never Authorization,
so a browser will not send a cross-origin update with a token; auth.require_writer refuses
cross-origin writes on the server side as well. /update and the Graph Store writes get no
CORS headers at all.
"""

from __future__ import annotations

from flask import Flask, Response, request

from .config import setting

READ_METHODS = "GET, HEAD"
QUERY_METHODS = "GET, HEAD, POST"
WRITE_PATHS = ("/update",)


def _allowed(origin: str) -> str | None:
    origins = setting("CAJKG_CORS_ORIGINS")
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def _cors(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if not origin or request.path in WRITE_PATHS:
        return response
    if request.path.startswith("/store") and request.method not in ("GET", "HEAD", "OPTIONS"):
        return response
    allowed = _allowed(origin)
    if allowed is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = allowed
    if allowed != "*":
        response.vary.add("Origin")
    if request.method == "OPTIONS":
        methods = QUERY_METHODS if request.path == "/sparql" else READ_METHODS
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    else:
        response.headers["Access-Control-Expose-Headers"] = "Content-Type, Content-Length"
    return response


def init_app(app: Flask) -> None:
    """Add CORS headers to the read responses of an app."""
    app.after_request(_cors)
