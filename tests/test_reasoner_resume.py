"""Resuming the reasoner from a stored inferred graph equals seeding it, and stores trust only
their own code's inferred graphs.

A store that kept the inferred graphs (the build cache, the persistent store, the journal's
inferred changes) resumes the reasoner from them instead of deriving the closure again: 80 s
against about 25 s at a million triples. Resuming is exact only if the index it builds is the
one seeding builds, noise included, and if every later write gives the same change; and a
store must resume only from inferred graphs computed by the same reasoner code.
"""

from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest
from rdflib import RDFS, Dataset, Graph, URIRef

from cajkg.graph.build import build_dataset
from cajkg.graph.iris import G_INFERRED, G_INFERRED_SCHEMA, RES
from cajkg.graph.reasoner import FINGERPRINT, IncrementalReasoner, Materializer
from cajkg.graph.reasoner.index import collector_paused
from cajkg.graph.store.journal import Journal
from cajkg.graph.store.memory import MemoryStore
from cajkg.graph.store.oxigraph import INFERRED_BY, OxigraphStore
from cajkg.graph.store.terms import from_ox, nquads, quads_from, triple_of

COMPUTED = {G_INFERRED, G_INFERRED_SCHEMA}


def _split(dataset: Dataset) -> tuple[list, list]:
    asserted, inferred = [], []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        (inferred if name in COMPUTED else asserted).append((s, p, o))
    return asserted, inferred


def _copies(triples: list, k: int) -> list:
    """k copies of the individuals (the ontology shared): a larger graph of the same shape."""

    def rename(term, i):
        return URIRef(f"{term}-copy{i}") if isinstance(term, URIRef) and term in own else term

    own = {t for triple in triples for t in triple if str(t).startswith(str(RES))}
    return [tuple(rename(t, i) for t in triple) for i in range(k) for triple in triples]


def _closure(m: Materializer) -> set:
    return {m.terms.decode(t) for t in m.idx}


@pytest.fixture(scope="module")
def built() -> tuple[list, list]:
    return _split(build_dataset())


@pytest.mark.parametrize("copies", [1, 3])
def test_resumed_index_equals_the_seeded_one(built, copies):
    asserted, _ = built
    asserted = _copies(asserted, copies) if copies > 1 else asserted
    seeded = Materializer(asserted)
    resumed = Materializer(asserted, closure=list(seeded.inferred_triples()))
    assert resumed.mode == seeded.mode == "incremental"
    assert _closure(resumed) == _closure(seeded)  # the noise given back too
    assert set(resumed.inferred_triples()) == set(seeded.inferred_triples())
    assert resumed.errors == seeded.errors == []


def test_every_write_after_resuming_changes_what_seeding_changes(built):
    asserted, inferred = built
    seeded = Materializer(asserted)
    resumed = Materializer(asserted, closure=inferred)
    rng = random.Random(15)
    instance = [t for t in asserted if str(t[0]).startswith(str(RES))]
    for round_ in range(12):
        gone = rng.sample(instance, 8)
        fresh = [(URIRef(f"{s}-new{round_}"), p, o) for s, p, o in rng.sample(instance, 8)]
        for change in ((gone, []), ([], gone), (fresh, []), ([], fresh)):
            added, removed = change
            a = seeded.remove(removed).then(seeded.add(added), seeded.inferred_triples)
            b = resumed.remove(removed).then(resumed.add(added), resumed.inferred_triples)
            assert (a.added, a.removed) == (b.added, b.removed)
    assert _closure(resumed) == _closure(seeded)


def test_reading_oxigraphs_terms_builds_the_index_reading_rdflibs_does():
    """Stores hand the reasoner their own terms to decode (each distinct term once)."""
    asserted, inferred = [], []
    for q in quads_from(build_dataset()):
        computed = q.graph_name.value in {str(g) for g in COMPUTED}
        (inferred if computed else asserted).append((q.subject, q.predicate, q.object))
    decoded: list = []

    def decode(term):
        decoded.append(term)
        return from_ox(term)

    def rdflib(triples):
        return [tuple(from_ox(t) for t in triple) for triple in triples]

    for closure in (None, inferred):
        read = Materializer(asserted, closure=closure, decode=decode)
        rdf_closure = None if closure is None else rdflib(closure)
        plain = Materializer(rdflib(asserted), closure=rdf_closure)
        assert _closure(read) == _closure(plain)
        assert set(read.inferred_triples()) == set(plain.inferred_triples())
        assert len(decoded) == len(set(decoded))  # one decoding per distinct term
        decoded.clear()


def test_the_collector_is_paused_while_seeding_and_given_back_as_it_was(built):
    asserted, inferred = built
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        IncrementalReasoner().resume(asserted, inferred)  # nested: the outer pause holds
        assert not gc.isenabled()
    assert gc.isenabled()
    IncrementalReasoner().seed(asserted)
    assert gc.isenabled()
    gc.disable()
    try:
        IncrementalReasoner().seed(asserted)
        assert not gc.isenabled()  # an application's own choice is kept
    finally:
        gc.enable()


def test_a_closure_with_derived_schema_is_derived_again(built):
    asserted, inferred = built
    odd = (URIRef(RES + "Nothing-really"), RDFS.subClassOf, URIRef(RES + "Else"))
    resumed = Materializer(asserted, closure=[*inferred, odd])
    assert odd not in set(resumed.inferred_triples())
    assert set(resumed.inferred_triples()) == set(Materializer(asserted).inferred_triples())


def _stale(dataset: Dataset) -> tuple[bytes, tuple]:
    """The dataset as N-Quads with one inferred triple left out, and that triple."""
    quads = list(quads_from(dataset))
    missing = next(q for q in quads if q.graph_name.value == str(G_INFERRED))
    return nquads(q for q in quads if q != missing), missing


def _inferred(store) -> Graph:
    graph = store.graph(G_INFERRED)
    assert graph is not None
    return graph


def _warmed(store):
    store.warm().join(timeout=120)
    return store


def test_the_memory_store_resumes_only_from_its_own_codes_inferred_graphs(tmp_path: Path):
    data, missing = _stale(build_dataset())
    triple = triple_of(missing)
    trusted = _warmed(MemoryStore(data, reasoner=IncrementalReasoner(), inferred_by=FINGERPRINT))
    foreign = _warmed(MemoryStore(data, reasoner=IncrementalReasoner(), inferred_by="other"))
    try:
        assert triple not in _inferred(trusted)  # resumed: the stored graph is taken as it is
        assert triple in _inferred(foreign)  # seeded: a stale graph is repaired
    finally:
        trusted.close()
        foreign.close()


def test_a_journal_written_by_other_code_makes_the_memory_store_seed(tmp_path: Path):
    data, missing = _stale(build_dataset())
    triple = triple_of(missing)
    journal = Journal(tmp_path)
    journal.append({"v": 2, "by": "an older reasoner"})
    store = _warmed(
        MemoryStore(data, reasoner=IncrementalReasoner(), journal=journal, inferred_by=FINGERPRINT)
    )
    try:
        assert triple in _inferred(store)
    finally:
        store.close()


def test_the_persistent_store_records_whose_inferred_graphs_it_keeps(tmp_path: Path):
    data, missing = _stale(build_dataset())
    triple = triple_of(missing)
    store = OxigraphStore(tmp_path, reasoner=IncrementalReasoner(), workers=1)
    store.load(data, inferred_by=FINGERPRINT)
    store.close()
    assert (tmp_path / INFERRED_BY).read_text().strip() == FINGERPRINT
    reopened = _warmed(OxigraphStore(tmp_path, reasoner=IncrementalReasoner(), workers=1))
    try:
        assert triple not in _inferred(reopened)  # resumed
    finally:
        reopened.close()
    (tmp_path / INFERRED_BY).write_text("an older reasoner\n")
    repaired = _warmed(OxigraphStore(tmp_path, reasoner=IncrementalReasoner(), workers=1))
    try:
        assert triple in _inferred(repaired)  # seeded, and the file now names this code
        assert (tmp_path / INFERRED_BY).read_text().strip() == FINGERPRINT
    finally:
        repaired.close()
