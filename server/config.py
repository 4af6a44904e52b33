"""Settings of the server (CAJKG_* environment variables) and the per-app accessors.

SETTINGS is the single table of settings (tests/test_docs.py checks the README lists each one).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from cajkg.graph.store.base import SYSTEM_GRAPHS, Store


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _token(value: str) -> str | None:
    return value or None


@dataclass(frozen=True)
class Setting:
    """One CAJKG_* variable: its default (as written in the environment) and meaning."""

    name: str
    default: str
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CAJKG_BASE",
        "https://w3id.org/cajkg/",
        str,
        "Base IRI of the graph; the path /X on the server denotes BASE + X. Ends with '/'.",
    ),
    Setting(
        "CAJKG_UPDATE_TOKEN",
        "",
        _token,
        "Bearer token for writes (SPARQL Update, Graph Store PUT/POST/DELETE). "
        "Unset: the endpoint is read-only and writes get 403.",
    ),
    Setting(
        "CAJKG_QUERY_TIMEOUT",
        "30",
        float,
        "Seconds a query (or the WHERE of an update) may run; a longer one is stopped, "
        "changes nothing, and its client gets 503.",
    ),
    Setting(
        "CAJKG_QUERY_WORKERS",
        "4",
        int,
        "Query worker processes (each holds a replica of the store), so queries evaluated at "
        "once; more wait for a worker (within their timeout).",
    ),
    Setting(
        "CAJKG_MAX_INFLIGHT",
        "6",
        int,
        "Requests handled at once (not counting /healthz and /metrics); the next ones get "
        "503 with Retry-After at once instead of waiting in a queue. 0: no limit. "
        "`cajkg serve` runs at least this many threads plus two.",
    ),
    Setting(
        "CAJKG_MAX_QUERY_LENGTH",
        "100000",
        int,
        "Longest query or update text in characters (413, or 414 for GET).",
    ),
    Setting(
        "CAJKG_MAX_ROWS",
        "100000",
        int,
        "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in a result; more gives 400.",
    ),
    Setting("CAJKG_MAX_BODY", "10485760", int, "Largest request body in bytes (413)."),
    Setting(
        "CAJKG_DATA_DIR",
        "var",
        str,
        "Directory of the write journal (journal.jsonl), replayed on start.",
    ),
    Setting(
        "CAJKG_ALLOW_SERVICE",
        "",
        _words,
        "Space-separated IRI prefixes that SERVICE may call. Empty: SERVICE is refused.",
    ),
    Setting(
        "CAJKG_ALLOW_LOAD",
        "",
        _words,
        "Space-separated IRI prefixes that LOAD, and FROM/USING of graphs not in the store, "
        "may fetch. Empty: nothing is ever fetched.",
    ),
    Setting(
        "CAJKG_STORE",
        "memory",
        str,
        "Where the graph lives: memory (Oxigraph in memory, rebuilt or loaded from the "
        "build cache, writes journalled in CAJKG_DATA_DIR), "
        "oxigraph (embedded, persistent, in CAJKG_DATA_DIR/oxigraph) or sparql (a remote "
        "SPARQL 1.1 Query + Update server; see docs/scale-out.md).",
    ),
    Setting("CAJKG_SPARQL_ENDPOINT", "", str, "With CAJKG_STORE=sparql: the remote query URL."),
    Setting(
        "CAJKG_SPARQL_UPDATE_ENDPOINT",
        "",
        str,
        "With CAJKG_STORE=sparql: the remote update URL (default: the query URL).",
    ),
    Setting("CAJKG_SPARQL_USER", "", _token, "HTTP basic user for the remote store."),
    Setting("CAJKG_SPARQL_PASSWORD", "", _token, "HTTP basic password for the remote store."),
    Setting("CAJKG_SPARQL_TOKEN", "", _token, "Bearer token for the remote store."),
    Setting(
        "CAJKG_SPARQL_SYSTEM_GRAPHS",
        " ".join(SYSTEM_GRAPHS),
        _words,
        "With CAJKG_STORE=sparql: space-separated IRI prefixes of the remote store's own graphs "
        "(the default: Virtuoso's), which are not data: cajkg neither reasons over them nor "
        "shows them as named graphs.",
    ),
    Setting(
        "CAJKG_CORS_ORIGINS",
        "*",
        _words,
        "Origins allowed to read cross-origin ('*': any). Writes are never cross-origin.",
    ),
)


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting, parsed, from the environment or its default."""
    env = os.environ if environ is None else environ
    return {s.name: s.parse(env.get(s.name, s.default)) for s in SETTINGS}


def get_store() -> Store:
    """The store of the current app."""
    return current_app.extensions["cajkg.store"]


def setting(name: str) -> Any:
    """A parsed CAJKG_* setting of the current app."""
    return current_app.config[name]
