"""Who may write: a bearer token from CAJKG_UPDATE_TOKEN, and never a cross-origin page.

No token configured: the endpoint is read-only (403). No or malformed Authorization: 401
with a WWW-Authenticate challenge. A wrong token: 403. A request that a browser sent from
another origin (Origin header not ours) is refused even with the right token, so a page
elsewhere cannot write with credentials it stole or guessed into a form.
"""

from __future__ import annotations

import hmac

from flask import request

from .config import setting
from .errors import Problem

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cajkg"'}


def require_writer() -> None:
    """Return when the request may write; otherwise raise the Problem that says why not."""
    token = setting("CAJKG_UPDATE_TOKEN")
    if not token:
        raise Problem(403, "this endpoint is read-only: no CAJKG_UPDATE_TOKEN is configured")
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request.host_url.rstrip("/"):
        raise Problem(403, f"writes from another origin ({origin}) are not allowed")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Problem(401, "writes need 'Authorization: Bearer <token>'", CHALLENGE)
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Problem(403, "the bearer token is not valid for writes")
