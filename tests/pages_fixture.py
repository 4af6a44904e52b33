"""The small dataset and build directory the page tests share (tests/data/pages/facts.trig).

It is the real ontology and article with two sentences' facts and a hand-written inferred graph,
loaded and anchored by the real pipeline; no reasoner runs, so the tests stay fast.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Literal

from cajkg.graph.article import split_sentences
from cajkg.graph.dataset_description import describe_dataset as void_description
from cajkg.graph.export import DUMPS, dump_format
from cajkg.graph.formats import serialize_graph
from cajkg.graph.iris import Base
from cajkg.graph.load import load_dataset
from cajkg.graph.provenance import anchor_mentions
from cajkg.graph.sources import Sources, default_sources
from cajkg.graph.store.memory import MemoryStore

FACTS = Path(__file__).parent / "data" / "pages" / "facts.trig"


def fixture_dataset() -> Dataset:
    """Ontology, article and the fixture facts, mentions anchored in the article."""
    real = default_sources()
    ds = load_dataset(Sources(real.ontology, real.article, (FACTS,), real.shapes))
    anchor_mentions(ds, split_sentences(real.article.read_text(encoding="utf-8")))
    return ds


def write_build(ds: Dataset, folder: Path) -> None:
    """Write the dumps and the VoID file as `cajkg build` does, without reasoning again."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, select in DUMPS:
        (folder / name).write_bytes(serialize_graph(select(ds, Base()), dump_format(name)))
    downloads = {name: dump_format(name).media_type for name, _ in DUMPS}
    void = void_description(ds, Base(), downloads, "2025-12-20T00:00:00+00:00")
    (folder / "void.ttl").write_bytes(serialize_graph(void, dump_format("void.ttl")))
    (folder / "cache").mkdir(exist_ok=True)


def evil_store(dataset: Dataset, label: str) -> MemoryStore:
    """A store over `dataset` with one more state whose label carries markup, written through
    SPARQL Update as an attacker with a token would."""
    store = MemoryStore(dataset)
    store.update(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX cajkg: <https://w3id.org/cajkg/ontology#> "
        "PREFIX cjr: <https://w3id.org/cajkg/resource/> "
        "INSERT DATA { GRAPH <https://w3id.org/cajkg/graph/entities> { "
        f"cjr:Evil a cajkg:State ; rdfs:label {Literal(label, lang='en').n3()} ; "
        "cajkg:locatedIn cjr:Japan . } }"
    )
    return store
