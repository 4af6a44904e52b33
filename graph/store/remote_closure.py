"""What the neighbourhood reasoner reads from the remote store (`reasoner.neighbourhood.Source`):
the TBox, the closure triples (of the merge `cjg:asserted` and of `cjg:inferred`) that the rules
looked up, and, for the changes it does not follow, the whole merge. Terms travel as cajkg's
skolem IRIs and come back as blank nodes; the remote store's own blank nodes are left out, as
everywhere (no request could address them again)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from rdflib import RDF, BNode, Variable
from rdflib.term import Identifier, Node

from cajkg.graph.reasoner.neighbourhood import Fetched, Lookups
from cajkg.graph.reasoner.tbox import META_CLASSES, SCHEMA_PREDICATES, UNCOMPILED

from . import remote_write

if TYPE_CHECKING:
    from .remote import RemoteStore

log = logging.getLogger("cajkg.graph.store.remote")


class RemoteClosure:
    """The remote store's closure, as the neighbourhood reasoner asks for it."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def merge_triples(self) -> Iterable[tuple[Node, Node, Node]]:
        """The whole merge, for the changes the neighbourhood does not follow."""
        log.info("reasoning over the whole merge")
        return self.store._read(self.store.merged_graph)

    def schema_triples(self) -> Iterable[tuple[Node, Node, Node]]:
        """The merge's schema triples and RDF lists (the TBox)."""
        predicates = [*SCHEMA_PREDICATES, *UNCOMPILED, RDF.first, RDF.rest]
        text = remote_write.schema_query(self.store.merged_graph, predicates, META_CLASSES)
        graph = self.store.client.construct(text)
        for triple in [t for t in graph if any(isinstance(term, BNode) for term in t)]:
            graph.remove(triple)
        return self.store.skolem.triples(graph, back=True)

    def closure_around(self, lookups: Lookups) -> Fetched:
        """The merge's and the inferred graph's triples the reasoner looked up: one request for
        the lookups by node, one per predicate asked for as a whole, one for predicate use."""
        store, select = self.store, self.store.client.select
        graphs = (store.merged_graph, *store.inferred_graphs.names)
        sk = store.skolem.skolemize
        fetched = Fetched()
        if lookups.outgoing or lookups.incoming:
            out = [(sk(s), p) for s, p in lookups.outgoing]
            into = [(p, sk(o)) for p, o in lookups.incoming]
            self._keep(select(remote_write.around_query(graphs, out, into)).bindings, fetched)
        for predicate in lookups.predicates:
            text = remote_write.predicate_query(graphs, predicate, lookups.limit + 1)
            rows = select(text).bindings
            if len(rows) > lookups.limit:
                fetched.partial.add(predicate)
            self._keep(rows, fetched)
        if lookups.uses:
            rows = select(remote_write.uses_query(graphs, lookups.uses)).bindings
            fetched.used = {row[Variable("p")] for row in rows}
        return fetched

    def _keep(self, rows: Iterable[Mapping[Variable, Identifier]], into: Fetched) -> None:
        back, merged = self.store.skolem.deskolemize, self.store.merged_graph
        for row in rows:
            s, p, o = (row[Variable(v)] for v in "spo")
            if isinstance(s, BNode) or isinstance(o, BNode):
                continue  # the remote store's own blank nodes: never written by cajkg
            found = into.asserted if row[Variable("g")] == merged else into.inferred
            found.append((back(s), p, back(o)))
