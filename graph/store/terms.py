"""Terms between rdflib and pyoxigraph: the embedded stores keep data in Oxigraph, while the
HTTP layer, the reasoner and the update machinery speak rdflib."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from .base import StoreError

_XSD_STRING = str(XSD.string)

RDFTriple = tuple[Node, Node, Node]


_SCRATCH_S, _SCRATCH_P = ox.NamedNode("urn:cajkg:s"), ox.NamedNode("urn:cajkg:p")


@functools.lru_cache(maxsize=65536)
def _as_stored(lexical: str, datatype: str) -> Any:
    """A typed literal as Oxigraph stores it: it keeps numbers, booleans and some other types by
    value and writes them back canonically ("01" as "1", "0e0" as "0", xsd:negativeInteger as
    xsd:integer). Every term cajkg hands over takes that form first, so that what a write adds,
    what the reasoner was told and what a later removal reads back are the same terms."""
    scratch = ox.Store()
    scratch.add(
        ox.Quad(_SCRATCH_S, _SCRATCH_P, ox.Literal(lexical, datatype=ox.NamedNode(datatype)))
    )
    return next(iter(scratch)).object


def to_ox(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term (a typed literal in the form Oxigraph stores)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype and str(term.datatype) != _XSD_STRING:
            return _as_stored(str(term), str(term.datatype))
        return ox.Literal(str(term))
    raise StoreError(f"cannot store {term!r}")


def from_ox(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term (xsd:string literals become plain literals).

    Lexical forms are kept exactly as the engine has them: rdflib would otherwise rewrite them
    through Python values (`INF` as `inf`, `Z` as `+00:00`, hexBinary in lower case), which are
    different terms, some not even valid."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise StoreError(f"unsupported term in the store: {term!r}")


# Where the embedded stores keep the store's own default graph (the triples written to no named
# graph): Oxigraph's default graph holds the merge of every asserted graph, which queries read.
OWN_DEFAULT = ox.NamedNode("urn:x-cajkg:default-graph")


def graph_name(name: Node | None) -> Any:
    """An rdflib graph name for Oxigraph (None or rdflib's default graph id: `OWN_DEFAULT`)."""
    if name is None or name == DATASET_DEFAULT_GRAPH_ID:
        return OWN_DEFAULT
    return to_ox(name)


def rdflib_name(name: Any) -> URIRef | None:
    """The rdflib name of an Oxigraph graph name (None for the store's own default graph)."""
    if name == OWN_DEFAULT or isinstance(name, ox.DefaultGraph):
        return None
    return URIRef(name.value)


def triple_of(quad: Any) -> RDFTriple:
    """The rdflib triple of a pyoxigraph quad."""
    return from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)


def quad_of(triple: RDFTriple, name: Any) -> Any:
    """A pyoxigraph quad of an rdflib triple in the graph `name` (a pyoxigraph graph name)."""
    s, p, o = triple
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)


def quads_from(dataset: Dataset) -> Iterable[Any]:
    """Every quad of an rdflib dataset as pyoxigraph quads (the default graph's in
    `OWN_DEFAULT`)."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph_name(name))


def nquads(quads: Iterable[Any]) -> bytes:
    """pyoxigraph quads as N-Quads (blank node labels kept), for workers and pending files."""
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
