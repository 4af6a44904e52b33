"""Dumps of a built dataset, each written through the format registry.

| file | contents |
| --- | --- |
| dataset.trig, dataset.nq, dataset.jsonld | every named graph, both inferred graphs included |
| union.ttl, union.nt | the union of all graphs as one graph (no graph names) |
| ontology.ttl, ontology.rdf | the ontology graph |
| ontology-with-individuals.owl | RDF/XML for Protégé: the ontology plus every asserted fact |
| article-en.ttl | the English rendering of the article (graph cjg:translation-en) |
| void.ttl | the VoID/DCAT description with triple counts |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef

from cajkg.graph import formats
from cajkg.graph.build import BuildConfig, build_dataset, cache_key
from cajkg.graph.dataset_description import describe_dataset
from cajkg.graph.iris import (
    G_INFERRED,
    G_INFERRED_SCHEMA,
    G_ONTOLOGY,
    G_TRANSLATION_EN,
    PREFIXES,
    Base,
)


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def union(ds: Dataset) -> Graph:
    """Every triple of every graph, without graph names."""
    graph = _bind(Graph())
    for s, p, o, _ in ds.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def ontology(ds: Dataset) -> Graph:
    """The ontology graph on its own."""
    graph = _bind(Graph())
    graph += ds.graph(G_ONTOLOGY)
    return graph


def english(ds: Dataset, base: Base) -> Graph:
    """The English rendering of the article, for readers who want the text without the facts."""
    graph = _bind(Graph())
    graph += ds.graph(base.rebase(G_TRANSLATION_EN))
    return graph


def protege(ds: Dataset, base: Base) -> Graph:
    """One OWL ontology with the modules merged and every asserted fact as individuals.

    The module headers and their owl:imports go (their content is merged in); inferred triples
    stay out, since Protégé's reasoners derive them again.
    """
    graph = _bind(Graph())
    headers = set(ds.graph(G_ONTOLOGY).subjects(RDF.type, OWL.Ontology))
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        if name not in (G_INFERRED, G_INFERRED_SCHEMA) and s not in headers:
            graph.add((s, p, o))
    iri = URIRef(base.iri + "ontology/with-individuals")
    graph.add((iri, RDF.type, OWL.Ontology))
    graph.add(
        (iri, RDFS.label, Literal("cajkg ontology with all individuals and facts", lang="en"))
    )
    graph.add(
        (
            iri,
            RDFS.comment,
            Literal(
                "The cajkg ontology modules and every asserted fact, merged for Protégé.",
                lang="en",
            ),
        )
    )
    return graph


Selection = Callable[[Dataset, Base], Graph]

DUMPS: tuple[tuple[str, Selection], ...] = (
    ("dataset.trig", lambda ds, base: ds),
    ("dataset.nq", lambda ds, base: ds),
    ("dataset.jsonld", lambda ds, base: ds),
    ("union.ttl", lambda ds, base: union(ds)),
    ("union.nt", lambda ds, base: union(ds)),
    ("ontology.ttl", lambda ds, base: ontology(ds)),
    ("ontology.rdf", lambda ds, base: ontology(ds)),
    ("ontology-with-individuals.owl", protege),
    ("article-en.ttl", english),
)


def dump_format(filename: str) -> formats.Format:
    """The format of a dump file, by extension (.owl is RDF/XML)."""
    extension = "rdf" if filename.endswith(".owl") else filename.rsplit(".", 1)[-1]
    fmt = formats.by_extension(extension)
    if fmt is None:
        raise ValueError(f"no format for {filename}")
    return fmt


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


# The cache key of the build the dumps were written from (written last, so torn writes show).
STAMP = ".dumps-key"


def dumps_are_current(config: BuildConfig) -> bool:
    """Whether the build directory holds every dump, written from the current sources."""
    stamp = config.out_dir / STAMP
    names = [*(name for name, _ in DUMPS), "void.ttl"]
    return (
        stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == cache_key(config)
        and all((config.out_dir / name).is_file() for name in names)
    )


def write_dumps(config: BuildConfig) -> list[Path]:
    """Build (or load from cache) and write every dump; returns the files written."""
    ds = build_dataset(config)
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)
    config.out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, select in DUMPS:
        path = config.out_dir / filename
        _write(path, formats.serialize_graph(select(ds, config.base), dump_format(filename)))
        written.append(path)
    downloads = {name: dump_format(name).media_type for name, _ in (*DUMPS, ("void.ttl", None))}
    modified = datetime.now(UTC).replace(microsecond=0).isoformat()
    void = describe_dataset(ds, config.base, downloads, modified)
    path = config.out_dir / "void.ttl"
    _write(path, formats.serialize_graph(_bind(void), dump_format(path.name)))
    written.append(path)
    _write(config.out_dir / STAMP, (cache_key(config) + "\n").encode("utf-8"))
    return written
