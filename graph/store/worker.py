"""A query worker process: a replica of the store, answering one query at a time on stdin/stdout
(length-prefixed pickles). The replica is in Oxigraph's memory (loaded from a dump), or, for the
on-disk store, a RocksDB checkpoint of it (hard links, so it costs neither memory nor a copy).

Oxigraph cannot be interrupted inside a query, and a thread cannot be killed, so a runaway query
would hold a core forever. In a process it costs only that process: the pool kills it at the
deadline and starts another. The replica is loaded from a dump and kept current by the writes
the parent broadcasts, in order, before any later query. Imports nothing but pyoxigraph.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import IO, Any

import pyoxigraph as ox

_HEADER = struct.Struct("!Q")
_NQ = ox.RdfFormat.N_QUADS


def send(stream: IO[bytes], message: Any) -> None:
    """Write one message and flush."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """Read one message; EOFError when the other side has gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _scratch(store: ox.Store, options: dict[str, Any], extra: bytes) -> ox.Store:
    """The store, or, when the query comes with fetched graphs (allow-listed FROM), a scratch
    store with the graphs it names and the fetched quads."""
    if not extra:
        return store
    scratch = ox.Store()
    for name in [*options.get("default_graph", []), *options.get("named_graphs", [])]:
        scratch.extend(store.quads_for_pattern(None, None, None, name))
    scratch.extend(ox.parse(extra, format=_NQ))
    return scratch


def _answer(
    store: ox.Store, text: str, options: dict[str, Any], max_rows: int | None, extra: bytes
) -> Any:
    """The query's answer as picklable pyoxigraph terms, or ("too-large",) past max_rows."""
    answer = _scratch(store, options, extra).query(text, **options)
    if isinstance(answer, ox.QueryBoolean):
        return ("ASK", bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows = []
        for solution in answer:
            if max_rows is not None and len(rows) >= max_rows:
                return ("too-large",)
            rows.append(tuple(solution))
        return ("SELECT", names, rows)
    triples = set()
    for triple in answer:
        triples.add((triple.subject, triple.predicate, triple.object))
        if max_rows is not None and len(triples) > max_rows:
            return ("too-large",)
    return ("GRAPH", list(triples))


def main() -> None:
    """Serve requests until stdin closes."""
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    store = ox.Store()
    while True:
        try:
            message = receive(inbox)
        except EOFError:
            return
        kind = message[0]
        if kind == "open":
            store = ox.Store(message[1])
        elif kind == "read-only":
            store = ox.Store.read_only(message[1])
        elif kind == "change":
            for quad in ox.parse(message[1], format=_NQ):
                store.remove(quad)
            store.extend(ox.parse(message[2], format=_NQ))
        elif kind == "query":
            try:
                reply = ("ok", _answer(store, *message[1:]))
            except SyntaxError as error:
                reply = ("syntax", str(error))
            except Exception as error:
                reply = ("error", f"{type(error).__name__}: {error}")
            send(outbox, reply)


if __name__ == "__main__":
    main()
