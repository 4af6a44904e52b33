"""Load held and writes kept: readers run the competency queries while one writer inserts.

Each acknowledged update inserts a blank node with two triples (`seq` and `pair`, both with the
update's id) typed cajkg:Conference, so the reasoner infers it is a cajkg:Event. Afterwards
every acknowledged id must be there exactly once (a blank node per application: a duplicate
would show as two) with both triples (none half applied). The same check runs after kill -9 in
the middle of the stream and a restart, together with the inferred graph recomputed from the
asserted graphs with cajkg.graph.reason.infer_with_owlrl and compared with what the server holds
(blank node labels are kept within one SPARQL result, so the triples compare as sets).
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from cajkg.graph.iris import G_INFERRED, G_INFERRED_SCHEMA
from cajkg.graph.queries import load_all, same_answer
from cajkg.graph.reason import infer_with_owlrl

from .report import Plan, Rows
from .server import JSON, Server, ServerFailed

GRAPH = "urn:cajkg:reliability"
SEQ = "urn:cajkg:reliability#seq"
PAIR = "urn:cajkg:reliability#pair"
INSERT = (
    "PREFIX cajkg: <https://w3id.org/cajkg/ontology#>\n"
    f'INSERT DATA {{ GRAPH <{GRAPH}> {{ [] a cajkg:Conference ; <{SEQ}> "{{id}}" ; '
    f'<{PAIR}> "{{id}}" }} }}'
)
WRITES = f"""SELECT ?id (COUNT(DISTINCT ?x) AS ?n) (COUNT(DISTINCT ?y) AS ?pairs) {{
  GRAPH <{GRAPH}> {{ {{ ?x <{SEQ}> ?id }} UNION {{ ?y <{PAIR}> ?id }} }} }} GROUP BY ?id"""
ALL_QUADS = "SELECT ?g ?s ?p ?o { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Traffic:
    """What the clients saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    wrong_answers: list[str] = field(default_factory=list)
    refusals_without_retry_after: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def percentile(self, q: float) -> float:
        """Latency percentile of the answered (200) requests, in seconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]


@dataclass
class Writer:
    """One client sending small INSERT DATA updates, one at a time, until told to stop."""

    server: Server
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    acked: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    in_flight_since: float | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        """Send updates until stop is set; a 503 refusal is retried after Retry-After."""
        while not self.stop.is_set():
            ident = f"{self.run}-{len(self.acked)}"
            self.sent.append(ident)
            self.in_flight_since = time.monotonic()
            try:
                response = self.server.update(INSERT.replace("{id}", ident))
            except requests.RequestException as error:
                self.errors.append(type(error).__name__)
                return
            finally:
                self.in_flight_since = None
            self.statuses[response.status_code] += 1
            if response.status_code == 204:
                self.acked.append(ident)
            elif response.status_code == 503:
                time.sleep(float(response.headers.get("Retry-After", "1")))
            else:
                self.errors.append(f"{response.status_code}: {response.text[:200]}")
                return


def _reader(server: Server, traffic: Traffic, until: float, offset: int) -> None:
    queries = load_all()
    session = requests.Session()
    i = offset
    while time.monotonic() < until:
        named = queries[i % len(queries)]
        i += 1
        started = time.monotonic()
        try:
            response = session.get(
                f"{server.url}/sparql", params={"query": named.text}, headers=JSON, timeout=120
            )
        except requests.RequestException as error:
            with traffic.lock:
                traffic.errors.append(f"{named.name}: {type(error).__name__}")
            continue
        seconds = time.monotonic() - started
        with traffic.lock:
            traffic.statuses[response.status_code] += 1
            if response.status_code == 200:
                traffic.latencies.append(seconds)
                if not same_answer(response.json(), named.expected, named.ordered):
                    traffic.wrong_answers.append(named.name)
        if response.status_code == 503:
            if "Retry-After" not in response.headers:
                with traffic.lock:
                    traffic.refusals_without_retry_after += 1
            time.sleep(float(response.headers.get("Retry-After", "1")))


def writes_seen(server: Server) -> dict[str, tuple[int, int]]:
    """Per update id on the server: (blank nodes with seq, blank nodes with pair)."""
    rows = server.select(WRITES, infer=False)
    return {r["id"]["value"]: (int(r["n"]["value"]), int(r["pairs"]["value"])) for r in rows}


def check_writes(rows: Rows, server: Server, writer: Writer, when: str) -> None:
    """Every acked update present once and whole; unacked ones whole or absent."""
    try:
        seen = writes_seen(server)
    except ServerFailed as error:
        rows.add(f"the writes could be checked {when}", False, str(error)[:300])
        return
    missing = [i for i in writer.acked if i not in seen]
    rows.add(
        f"every acknowledged update present {when}",
        not missing,
        f"{len(writer.acked)} acknowledged, missing: {missing or 'none'}",
    )
    doubled = {i: c for i, c in seen.items() if c[0] > 1 or c[1] > 1}
    rows.add(
        f"no update applied twice {when}",
        not doubled,
        f"{len(seen)} present, duplicated: {doubled or 'none'}",
    )
    half = {i: c for i, c in seen.items() if c[0] != c[1]}
    stray = sorted(set(seen) - set(writer.sent))
    rows.add(
        f"no update half applied {when}",
        not half and not stray,
        f"half applied: {half or 'none'}; never sent: {stray or 'none'}; "
        f"unacknowledged but present: {sorted(set(seen) - set(writer.acked)) or 'none'}",
    )


def _term(binding: dict[str, str]) -> URIRef | BNode | Literal:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(
        value,
        lang=binding.get("xml:lang"),
        datatype=binding.get("datatype") and URIRef(binding["datatype"]),
    )


def check_inference(rows: Rows, server: Server, when: str) -> None:
    """The server's two inferred graphs together equal infer_with_owlrl() of its asserted
    graphs."""
    started = time.monotonic()
    inferred_names = {URIRef(str(G_INFERRED)), URIRef(str(G_INFERRED_SCHEMA))}
    asserted = Dataset()
    served = Graph()
    for row in server.select(ALL_QUADS, infer=True, timeout=600):
        s, p, o = (_term(row[k]) for k in ("s", "p", "o"))
        name = URIRef(row["g"]["value"])
        if name in inferred_names:
            served.add((s, p, o))
        else:
            asserted.graph(name).add((s, p, o))
    expected = set(infer_with_owlrl(asserted))
    held = set(served)
    rows.add(
        f"inferred graph consistent with the asserted graphs {when}",
        expected == held,
        f"served {len(held)} inferred triples, infer_with_owlrl() gives {len(expected)}; "
        f"only served: {len(held - expected)}, only recomputed: {len(expected - held)} "
        f"({time.monotonic() - started:.0f} s)",
    )


def load_and_crash(plan: Plan, workdir: Path) -> Rows:
    """Hold the load, then kill -9 the server in the middle of the update stream and restart."""
    rows = Rows("load")
    data = workdir / "load-data"
    server = Server(data).start()
    params = f"{plan.clients} clients, {plan.seconds:g} s, defaults of `cajkg serve`"
    try:
        traffic, writer, rss = _hold(server, plan)
        total = sum(traffic.statuses.values())
        other = {s: n for s, n in traffic.statuses.items() if s not in (200, 503)}
        rows.add(
            "readers: every answer is 200, or 503 with Retry-After (overload)",
            not other and traffic.refusals_without_retry_after == 0,
            f"{total} requests, statuses {dict(sorted(traffic.statuses.items()))}",
            params,
        )
        rows.add(
            "readers: no connection errors",
            not traffic.errors,
            f"errors: {traffic.errors[:5] or 'none'}",
            params,
        )
        rows.add(
            "readers: answers equal the expected competency answers",
            not traffic.wrong_answers,
            f"wrong: {sorted(set(traffic.wrong_answers)) or 'none'}",
            params,
        )
        rows.add(
            "latency of answered queries",
            bool(traffic.latencies),
            f"p50 {traffic.percentile(50):.3f} s, p95 {traffic.percentile(95):.3f} s, "
            f"p99 {traffic.percentile(99):.3f} s over {len(traffic.latencies)} answers",
            params,
        )
        rows.add(
            "server memory (RSS) at start and end of the load",
            rss[1] < 4 * rss[0],
            f"{rss[0] / 1024:.0f} MiB -> {rss[1] / 1024:.0f} MiB",
            params,
        )
        rows.add(
            "writer: updates acknowledged, no errors",
            len(writer.acked) >= plan.min_acked and not writer.errors,
            f"{len(writer.acked)} acknowledged, statuses {dict(writer.statuses)}, "
            f"errors {writer.errors or 'none'}",
            "one writer, INSERT DATA, sequential",
        )
        check_writes(rows, server, writer, "after the load")
        crash = _crash(rows, server, writer, plan)
    finally:
        server.kill()
    rows.area = "faults"
    restarted = Server(data)
    try:
        restarted.start()
        rows.add(
            "restart after kill -9",
            True,
            f"answered after {restarted.startup_s:.0f} s (journal replayed, reasoned)",
            crash,
        )
        check_writes(rows, restarted, writer, "after kill -9 and restart")
        check_inference(rows, restarted, "after kill -9 and restart")
    except Exception as error:
        rows.add("restart after kill -9", False, f"{type(error).__name__}: {error}", crash)
    finally:
        restarted.kill()
    return rows


def _hold(server: Server, plan: Plan) -> tuple[Traffic, Writer, tuple[int, int]]:
    traffic = Traffic()
    writer = Writer(server)
    rss_start = server.rss_kb()
    until = time.monotonic() + plan.seconds
    readers = [
        threading.Thread(target=_reader, args=(server, traffic, until, i), daemon=True)
        for i in range(plan.clients)
    ]
    writing = threading.Thread(target=writer.loop, daemon=True)
    writing.start()
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    rss_end = server.rss_kb()
    deadline = time.monotonic() + 600
    while len(writer.acked) < plan.min_acked and writing.is_alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    writer.stop.set()
    writing.join(timeout=900)
    return traffic, writer, (rss_start, rss_end)


def _crash(rows: Rows, server: Server, writer: Writer, plan: Plan) -> str:
    """Start another stream, kill -9 while an update is in flight; returns what was done."""
    writer.stop = threading.Event()
    before = len(writer.acked)
    writing = threading.Thread(target=writer.loop, daemon=True)
    writing.start()
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline and writing.is_alive():
        since = writer.in_flight_since
        enough = len(writer.acked) - before >= max(1, plan.min_acked - 1)
        if enough and since is not None and time.monotonic() - since > 0.05:
            break
        time.sleep(0.05)
    writer.stop.set()
    in_flight = writer.in_flight_since is not None
    server.kill9()
    writing.join(timeout=30)
    rows.add(
        "kill -9 while an update was in flight",
        in_flight,
        f"{len(writer.acked)} acknowledged in all; killed with an update in flight: {in_flight}",
    )
    return f"kill -9 after {len(writer.acked) - before} more acknowledged update(s)"
