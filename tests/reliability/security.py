"""Breaches attempted, each with a canary that notices when one succeeds.

Canaries: a loopback HTTP listener that counts requests, a FIFO whose opening for reading is
seen by a watcher thread (it then feeds the reader, so nothing blocks), secret files planted
beside the build and data directories, and a marker triple that an unauthorised write would
leave behind. Routes come from app.url_map, so new routes are covered without editing this file.
"""

from __future__ import annotations

import base64
import errno
import os
import re
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from cajkg.graph.iris import G_INFERRED

from .raw import NoAnswer, send
from .report import Rows
from .server import AUTH, TOKEN, Server, copy_build

CANARY_TURTLE = b"<urn:canary:s> <urn:canary:p> <urn:canary:o> .\n"
MARKER = "<urn:cajkg:breach> <urn:cajkg:breach#by> <urn:cajkg:breach#write>"
SECRET = "cajkg-secret-canary-5b0c7e"
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
SAMPLE = {"suffix": "ttl", "name": "x", "filename": "site.css", "rest": "x", "path": "resource/x"}


class Listener:
    """A loopback HTTP server answering Turtle and counting every request."""

    def __init__(self) -> None:
        self.hits = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.end_headers()
                self.wfile.write(CANARY_TURTLE)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/canary"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()


class FifoCanary:
    """A named pipe: whoever opens it for reading is noticed (and fed, so it does not block)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "canary.ttl"
        os.mkfifo(self.path)
        self.opened = 0
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    @property
    def uri(self) -> str:
        """Its file: IRI."""
        return self.path.as_uri()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                handle = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:
                    raise
                time.sleep(0.02)
                continue
            self.opened += 1
            try:
                os.write(handle, CANARY_TURTLE)
            finally:
                os.close(handle)
            time.sleep(0.2)

    def close(self) -> None:
        """Stop watching."""
        self._stop.set()


def write_routes() -> list[tuple[str, str]]:
    """(method, path) for every route of the app and every write method."""
    from cajkg.graph.store.memory import MemoryStore
    from cajkg.server import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"CAJKG_DATA_DIR": folder}, store=MemoryStore())
    out = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE.get(m[1], "x"), rule.rule)
        out += [(method, path) for method in WRITE_METHODS]
    return sorted(set(out))


def html_routes() -> list[str]:
    """Paths of the GET routes without parameters (the pages a visitor can reach directly)."""
    from cajkg.graph.store.memory import MemoryStore
    from cajkg.server import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"CAJKG_DATA_DIR": folder}, store=MemoryStore())
    return sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in r.methods
        and not r.arguments  # type: ignore[operator]
        and r.rule not in ("/healthz", "/metrics")
    )


def _fetch_attempts(listener: Listener, fifo: FifoCanary) -> list[tuple[str, str, dict]]:
    """(label, kind, request kwargs) for every way a request could make the server fetch."""
    queries = {
        "SERVICE": f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        "SERVICE SILENT": f"SELECT * {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}",
        "FROM": f"SELECT * FROM <{listener.url}> {{ ?s ?p ?o }}",
        "FROM NAMED": f"SELECT * FROM NAMED <{listener.url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "FROM file:": f"SELECT * FROM <{fifo.uri}> {{ ?s ?p ?o }}",
        "SERVICE file:": f"SELECT * {{ SERVICE <{fifo.uri}> {{ ?s ?p ?o }} }}",
        "DESCRIBE of the canary IRI": f"DESCRIBE <{listener.url}>",
    }
    attempts = [(name, "query", {"params": {"query": q}}) for name, q in queries.items()]
    attempts += [
        (
            "default-graph-uri",
            "query",
            {"params": {"query": "ASK { ?s ?p ?o }", "default-graph-uri": listener.url}},
        ),
        (
            "named-graph-uri file:",
            "query",
            {"params": {"query": "ASK { ?s ?p ?o }", "named-graph-uri": fifo.uri}},
        ),
    ]
    updates = {
        "LOAD": f"LOAD <{listener.url}>",
        "LOAD SILENT file: INTO GRAPH": f"LOAD SILENT <{fifo.uri}> INTO GRAPH <urn:x>",
        "USING": f"INSERT {{ ?s ?p ?o }} USING <{listener.url}> WHERE {{ ?s ?p ?o }}",
        "USING NAMED file:": f"INSERT {{ ?s ?p ?o }} USING NAMED <{fifo.uri}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SERVICE in an update": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}> "
        "{ ?s ?p ?o } }",
    }
    attempts += [(name, "update", {"data": {"update": u}}) for name, u in updates.items()]
    inferred = str(G_INFERRED)
    jsonld = ('{"@context": "' + listener.url + '", "@id": "urn:x", "urn:p": "x"}').encode()
    rdfxml = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{fifo.uri}">'
        f'<!ENTITY f SYSTEM "{listener.url}">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="urn:x"><p xmlns="urn:ex#">&e;&f;</p>'
        "</rdf:Description></rdf:RDF>"
    ).encode()
    turtle = (
        f"@base <{listener.url}> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<urn:x> owl:imports <{listener.url}> , <{fifo.uri}> .\n".encode()
    )
    for label, media_type, body in (
        ("JSON-LD remote @context", "application/ld+json", jsonld),
        ("RDF/XML external entities", "application/rdf+xml", rdfxml),
        ("Turtle with owl:imports", "text/turtle", turtle),
    ):
        attempts.append(
            (
                label,
                "store",
                {
                    "params": {"graph": inferred},
                    "data": body,
                    "headers": {"Content-Type": media_type},
                },
            )
        )
    return attempts


def canaries(rows: Rows, server: Server, listener: Listener, fifo: FifoCanary) -> None:
    """Nothing a request asks for is fetched or opened (with the right token, too)."""
    for label, kind, kwargs in _fetch_attempts(listener, fifo):
        hits, opened = listener.hits, fifo.opened
        if kind == "query":
            response = requests.get(f"{server.url}/sparql", timeout=60, **kwargs)
        elif kind == "update":
            response = requests.post(f"{server.url}/update", headers=AUTH, timeout=60, **kwargs)
        else:
            headers = {**AUTH, **kwargs.pop("headers")}
            response = requests.put(f"{server.url}/store", headers=headers, timeout=60, **kwargs)
        time.sleep(0.1)
        fetched = listener.hits - hits + fifo.opened - opened
        rows.add(
            f"no fetch through {label}",
            fetched == 0 and response.status_code < 500,
            f"answered {response.status_code}; canary listener and file touched {fetched} time(s)",
            "loopback listener + FIFO canary; writes with the token",
        )


def _auth_variants() -> dict[str, dict[str, str]]:
    basic = base64.b64encode(f"cajkg:{TOKEN}".encode()).decode()
    return {
        "no credentials": {},
        "wrong token": {"Authorization": "Bearer wrong"},
        "token minus its last character": {"Authorization": f"Bearer {TOKEN[:-1]}"},
        "token plus a character": {"Authorization": f"Bearer {TOKEN}x"},
        "token in Basic auth": {"Authorization": f"Basic {basic}"},
        "token with another scheme": {"Authorization": f"Token {TOKEN}"},
        "token in a cookie": {"Cookie": f"token={TOKEN}; access_token={TOKEN}"},
    }


def _write_body(path: str) -> tuple[bytes, str]:
    if path.startswith("/store"):
        return f"{MARKER} .\n".encode(), "text/turtle"
    return (
        f"update=INSERT+DATA+%7B+{requests.utils.quote(MARKER)}+%7D".encode(),
        "application/x-www-form-urlencoded",
    )


def unauthorised_writes(rows: Rows, server: Server) -> None:
    """Every route, every write method, every wrong way of giving the token: nothing written."""
    routes = write_routes()
    accepted = []
    for method, path in routes:
        target = path + ("?graph=urn:cajkg:breach" if path == "/store" else "")
        body, media_type = _write_body(path)
        for label, headers in _auth_variants().items():
            response = requests.request(
                method,
                server.url + target,
                data=body,
                timeout=60,
                headers={"Content-Type": media_type, **headers},
            )
            if response.status_code < 300 or response.status_code >= 500:
                accepted.append((method, path, label, response.status_code))
        in_url = requests.post(
            f"{server.url}{path}?access_token={TOKEN}&token={TOKEN}",
            data=body,
            headers={"Content-Type": media_type},
            timeout=60,
        )
        if in_url.status_code < 300 or in_url.status_code >= 500:
            accepted.append(("POST", path, "token in the URL", in_url.status_code))
    written = server.ask(f"ASK {{ GRAPH ?g {{ {MARKER} }} }}") or server.ask(f"ASK {{ {MARKER} }}")
    rows.add(
        "writes without a valid token, on every route and write method",
        not accepted and not written,
        f"{len(routes)} (method, route) pairs x {len(_auth_variants()) + 1} credential "
        f"variants; answered 2xx/5xx: {accepted[:6] or 'none'}; marker triple written: "
        f"{written}",
        "routes from app.url_map",
    )


def cross_origin_writes(rows: Rows, server: Server) -> None:
    """The right token from another origin is refused; write preflights get no CORS grant."""
    granted, answered = [], []
    for origin in ("https://evil.example", "null", f"{server.url}.evil.example"):
        for method, path in (
            ("POST", "/update"),
            ("POST", "/sparql"),
            ("PUT", "/store?graph=urn:cajkg:breach"),
            ("POST", "/store?graph=urn:cajkg:breach"),
            ("DELETE", "/store?graph=urn:cajkg:breach"),
        ):
            body, media_type = _write_body(path)
            response = requests.request(
                method,
                server.url + path,
                data=body,
                timeout=60,
                headers={**AUTH, "Origin": origin, "Content-Type": media_type},
            )
            answered.append(response.status_code)
            preflight = requests.options(
                server.url + path,
                timeout=60,
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": "authorization, content-type",
                },
            )
            allow = preflight.headers.get("Access-Control-Allow-Headers", "").lower()
            query_preflight = method == "POST" and path == "/sparql"  # queries may be CORS
            methods = preflight.headers.get("Access-Control-Allow-Methods", "")
            cors_granted = (
                "Access-Control-Allow-Origin" in preflight.headers
                and method in methods.replace(" ", "").split(",")
            )
            if (
                response.status_code < 300
                or "authorization" in allow
                or (cors_granted and not query_preflight)
            ):
                granted.append((origin, method, path, response.status_code))
    written = server.ask(f"ASK {{ {MARKER} }}")
    rows.add(
        "cross-origin writes with the right token",
        not granted and not written,
        f"statuses {sorted(set(answered))}; granted: {granted or 'none'}; marker written: "
        f"{written}",
        "3 origins x 5 writes, with preflights",
    )


TRAVERSALS = [
    "/download/..%2F..%2Fpyproject.toml",
    "/download/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/download/..%5c..%5csecret.txt",
    "/download/../secret.txt",
    "/download/secret.txt",
    "/download/%2E%2E/secret.txt",
    "/download/cache%2F..%2F..%2Fsecret.txt",
    "/download/%00secret.txt",
    "/download/....//....//secret.txt",
    "/static/..%2F..%2Fconfig.py",
    "/static/../config.py",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/ontology/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/ontology.ttl%2F..%2F..%2Fsecret.txt",
    "/..%2F..%2F..%2Fetc%2Fpasswd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "//etc/passwd",
    "/resource/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/file:%2F%2F%2Fetc%2Fpasswd",
    "/resource/%2e%2e%2f%2e%2e%2fjournal.jsonl",
    "/sector/..%2F..%2Fsecret.txt",
    "/ontology/term/..%2F..%2Fsecret.txt",
    "/download/journal.jsonl",
]
LEAKS = (SECRET, "root:x:0:", "[build-system]", "CAJKG_UPDATE_TOKEN", "Setting(", TOKEN)


def traversal(rows: Rows, server: Server) -> None:
    """Dot-dot and encoded paths reach no file outside what is published."""
    leaked, errors = [], []
    for path in TRAVERSALS:
        for method in ("GET", "HEAD"):
            try:
                answer = send(server.url, method, path, [(b"Accept", b"*/*")])
            except NoAnswer as error:
                errors.append((path, str(error)))
                continue
            body = answer.body.decode("utf-8", "replace")
            found = [leak for leak in LEAKS if leak in body]
            if found or answer.status >= 500:
                leaked.append((path, answer.status, found))
    rows.add(
        "path traversal in /download/, /static/ and IRI paths",
        not leaked and not errors,
        f"{len(TRAVERSALS)} paths x GET/HEAD; leaks or 5xx: {leaked or 'none'}; "
        f"no answer: {errors or 'none'}",
        "secret files planted in the build, data and parent directories",
    )


def plant_secrets(*folders: Path) -> None:
    """Files no request may ever read."""
    for folder in folders:
        (folder / "secret.txt").write_text(SECRET + "\n")


def no_secrets_in_logs(rows: Rows, server: Server, bodies: list[str]) -> None:
    """The token never appears in the server's output or in an answer."""
    log = server.log()
    rows.add(
        "the write token appears in no log line and no response",
        TOKEN not in log and not any(TOKEN in b for b in bodies),
        f"scanned {len(log)} characters of server output and {len(bodies)} error answers",
        "server stdout+stderr captured for the whole security run",
    )


def security(workdir: Path, browser: bool = True) -> Rows:
    """Every breach of this module against one server (and the XSS walk, if asked)."""
    from .browser import xss

    rows = Rows("security")
    build = copy_build(workdir / "security-build")
    data = workdir / "security-data"
    data.mkdir(parents=True)
    plant_secrets(build, data, workdir)
    listener, fifo = Listener(), FifoCanary(workdir)
    try:
        with Server(data, build) as server:
            canaries(rows, server, listener, fifo)
            unauthorised_writes(rows, server)
            cross_origin_writes(rows, server)
            traversal(rows, server)
            bodies = [
                requests.post(
                    f"{server.url}/update",
                    data={"update": "x"},
                    timeout=30,
                    headers={"Authorization": f"Bearer {TOKEN}!"},
                ).text,
                requests.get(
                    f"{server.url}/sparql", params={"query": "SELECT"}, headers=AUTH, timeout=30
                ).text,
            ]
            if browser:
                xss(rows, server)
            no_secrets_in_logs(rows, server, bodies)
    finally:
        listener.close()
        fifo.close()
    return rows
