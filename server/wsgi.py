"""The production server: waitress, several threads, on the app from create_app."""

from __future__ import annotations

import waitress
from flask import Flask


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve until interrupted; 127.0.0.1 keeps the endpoint private to this machine."""
    waitress.serve(app, host=host, port=port, threads=threads, ident="cajkg",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024)
