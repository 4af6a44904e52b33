"""The build pipeline: load -> anchor provenance -> reason -> validate -> export.

A finished build is cached under the build directory, keyed by the content of every source file,
the base IRI and the graph layer's own code, so a server start after an unchanged build only
parses one N-Quads file instead of running owlrl again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from rdflib import Dataset

from cajkg.graph import formats
from cajkg.graph.article import split_sentences
from cajkg.graph.inferred import InferredGraphs
from cajkg.graph.iris import Base
from cajkg.graph.load import SourceError, load_dataset, parse_graph
from cajkg.graph.provenance import ProvenanceError, anchor_mentions
from cajkg.graph.reason import InconsistencyError
from cajkg.graph.reasoner import infer
from cajkg.graph.sources import Sources, default_sources
from cajkg.graph.validate import validate

log = logging.getLogger(__name__)


class BuildError(Exception):
    """The sources do not make a valid graph; the message is meant for a person.

    `exit_code` follows pySHACL: 1 the data do not conform, 2 a source cannot be read.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class BuildConfig:
    """Where the build reads and writes."""

    sources: Sources
    base: Base
    out_dir: Path

    @classmethod
    def from_env(cls) -> BuildConfig:
        """Defaults: the packaged sources, CAJKG_BASE, and CAJKG_BUILD_DIR (./build)."""
        return cls(
            sources=default_sources(),
            base=Base.from_env(),
            out_dir=Path(os.environ.get("CAJKG_BUILD_DIR", "build")),
        )


def _check_present(sources: Sources) -> None:
    missing = [source.name for source in sources.all() if not source.is_file()]
    if missing:
        raise BuildError(f"missing source files: {', '.join(missing)}", exit_code=2)


def _code(package: Traversable) -> Iterator[Traversable]:
    """Every Python file of the graph package, its subpackages' included (the reasoner's
    rules decide the cached inferred graphs, which the stores trust: `reasoner.FINGERPRINT`)."""
    for entry in package.iterdir():
        if entry.is_dir():
            yield from _code(entry)
        elif entry.name.endswith(".py"):
            yield entry


def cache_key(config: BuildConfig) -> str:
    """A digest of everything that determines the built dataset."""
    _check_present(config.sources)
    digest = hashlib.sha256(config.base.iri.encode())
    code = resources.files("cajkg.graph")
    inputs = [
        *config.sources.all(),
        *sorted(_code(code), key=lambda f: str(f)),
    ]
    for source in inputs:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:24]


def assemble(config: BuildConfig) -> Dataset:
    """Run the pipeline without touching the cache; raise BuildError with a readable report."""
    _check_present(config.sources)
    try:
        ds = load_dataset(config.sources, config.base)
    except SourceError as err:
        raise BuildError(str(err), exit_code=2) from None
    try:
        article = config.sources.article.read_text(encoding="utf-8")
        anchor_mentions(ds, split_sentences(article), config.base)
    except ProvenanceError as err:
        raise BuildError(str(err)) from None
    try:
        inferred = infer(ds)
    except InconsistencyError as err:
        raise BuildError("The graph is inconsistent:\n" + "\n".join(err.messages)) from None
    report = validate(ds, parse_graph(config.sources.shapes), inferred)
    if not report.conforms:
        raise BuildError(report.text)
    for name, graph in InferredGraphs().split(inferred).items():
        target = ds.graph(name)
        target += graph
    return ds


def _verified(cached: Path) -> bytes | None:
    """The cache's bytes, or None when it is missing, damaged or cut short (its digest differs).

    A damaged cache is never served: the caller rebuilds, which costs seconds, not data.
    """
    digest = cached.with_suffix(".sha256")
    if not cached.is_file():
        return None
    data = cached.read_bytes()
    if not digest.is_file() or digest.read_text().strip() != hashlib.sha256(data).hexdigest():
        log.warning("build cache %s does not match its digest; rebuilding", cached)
        return None
    return data


def _read_cache(cached: Path) -> Dataset | None:
    """The cached dataset, or None when the cache is missing, damaged or does not parse."""
    data = _verified(cached)
    if data is None:
        return None
    try:
        ds = formats.parse_dataset(data, formats.named("nquads"))
    except Exception as error:  # any parser failure means the same: rebuild
        log.warning("build cache %s does not parse (%s); rebuilding", cached, error)
        return None
    return ds


def _write_cache(cached: Path, ds: Dataset) -> None:
    """Write the cache and its digest; the digest goes last, so a torn write reads as damaged."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    data = formats.serialize_graph(ds, formats.named("nquads"))
    partial = cached.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(cached)
    cached.with_suffix(".sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")
    for stale in cached.parent.iterdir():
        if stale.stem != cached.stem:
            stale.unlink()


def build_nquads(config: BuildConfig | None = None) -> bytes:
    """The complete dataset as N-Quads, from the cache when fresh (building it otherwise): the
    embedded stores load it into Oxigraph directly, without rdflib's parser, which took 24 s of
    a 51 s cold start at a million triples."""
    config = config or BuildConfig.from_env()
    cached = config.out_dir / "cache" / f"{cache_key(config)}.nq"
    data = _verified(cached)
    if data is None:
        _write_cache(cached, assemble(config))
        data = _verified(cached)
    if data is None:
        raise BuildError(f"the build cache {cached} could not be written")
    return data


def build_dataset(config: BuildConfig | None = None) -> Dataset:
    """The complete dataset (asserted graphs plus cjg:inferred and cjg:inferred-schema), from
    the cache when fresh."""
    config = config or BuildConfig.from_env()
    cached = config.out_dir / "cache" / f"{cache_key(config)}.nq"
    ds = _read_cache(cached)
    if ds is None:
        ds = assemble(config)
        _write_cache(cached, ds)
    return ds
