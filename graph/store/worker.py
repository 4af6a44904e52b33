"""A query worker process: a replica of the store, answering one query at a time on stdin/stdout
(length-prefixed pickles). The replica is in Oxigraph's memory (loaded from a dump), or, for the
on-disk store, a RocksDB checkpoint of it (hard links, so it costs neither memory nor a copy).

Oxigraph cannot be interrupted inside a query, and a thread cannot be killed, so a runaway query
would hold a core forever. In a process it costs only that process: the pool kills it at the
deadline and starts another. The replica is loaded from a dump (or, at start, from the same
N-Quads as the parent, while the parent loads them) and kept current by the writes the parent
broadcasts, in order, before any later query; it says when its seed is in ("loaded"), so that
its loading never counts against a query's deadline. Imports nothing but pyoxigraph, and runs
as a script (not `-m cajkg...`), so that it does not import the package (rdflib) either.
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


class Replica:
    """The worker's copy of the store and the names of its named graphs (kept until a write)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._graphs: list[Any] | None = None

    def load(self, data: bytes) -> None:
        """Add every quad of an N-Quads dump (`ox.parse` keeps blank node labels, which the
        broadcast writes name; `Store.load` and `bulk_load` would rename them)."""
        self.store.bulk_extend(ox.parse(data, format=_NQ))
        self._graphs = None

    def update(self, text: str) -> None:
        """Run the SPARQL update the parent ran on the same data (the merge's rebuild)."""
        self.store.update(text)
        self._graphs = None

    def change(self, remove: bytes, add: bytes) -> None:
        """Apply one write the parent broadcast."""
        for quad in ox.parse(remove, format=_NQ):
            self.store.remove(quad)
        self.store.extend(ox.parse(add, format=_NQ))
        self._graphs = None

    def graphs(self) -> list[Any]:
        """The named graphs of the replica."""
        if self._graphs is None:
            self._graphs = list(self.store.named_graphs())
        return self._graphs

    def dataset(self, dataset: dict[str, Any], extra: bytes) -> tuple[ox.Store, dict[str, Any]]:
        """The store to query and its dataset options: the named graphs are listed only when
        one must be hidden (a list costs Oxigraph about a fifth). A default graph of several
        graphs that
        may share triples, or fetched quads, go to a scratch store whose default graph is
        their merge (Oxigraph would count a shared triple once per graph: oxigraph#1919)."""
        default, named = dataset["default"], dataset.get("named")
        if named is None:
            hidden = dataset["hide"]
            if not any(g in hidden for g in self.graphs()):
                return self.store, {"default_graph": default}
            named = [g for g in self.graphs() if g not in hidden]
            return self.store, {"default_graph": default, "named_graphs": named}
        if len(default) < 2 and not extra:
            return self.store, {"default_graph": default, "named_graphs": named}
        fetched = list(ox.parse(extra, format=_NQ)) if extra else []
        scratch = ox.Store()
        for name in default:
            quads = [*self.store.quads_for_pattern(None, None, None, name)]
            quads += [q for q in fetched if q.graph_name == name]
            scratch.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        for name in named:
            scratch.extend(self.store.quads_for_pattern(None, None, None, name))
            scratch.extend(q for q in fetched if q.graph_name == name)
        return scratch, {"default_graph": [ox.DefaultGraph()], "named_graphs": named}


def answer(
    replica: Replica,
    text: str,
    options: dict[str, Any],
    dataset: dict[str, Any],
    max_rows: int | None,
    extra: bytes = b"",
) -> Any:
    """The query's answer as picklable pyoxigraph terms, or ("too-large",) past max_rows."""
    store, chosen = replica.dataset(dataset, extra)
    answer = store.query(text, **options, **chosen)
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
    replica = Replica(ox.Store())
    while True:
        try:
            message = receive(inbox)
        except EOFError:
            return
        kind = message[0]
        if kind == "open":
            replica = Replica(ox.Store(message[1]))
        elif kind == "read-only":
            replica = Replica(ox.Store.read_only(message[1]))
        elif kind == "load":
            replica.load(message[1])
        elif kind == "update":
            replica.update(message[1])
        elif kind == "change":
            replica.change(message[1], message[2])
        elif kind == "sync":  # the seed is in: the pool may send queries (and time them)
            send(outbox, ("loaded",))
        elif kind == "query":
            try:
                reply = ("ok", answer(replica, *message[1:]))
            except SyntaxError as error:
                reply = ("syntax", str(error))
            except Exception as error:
                reply = ("error", f"{type(error).__name__}: {error}")
            send(outbox, reply)


if __name__ == "__main__":
    main()
