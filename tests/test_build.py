"""The build pipeline on small fixture sources: errors name the file and line or the sentence,
inferred triples stay in their own graph, and the cache is keyed by content."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, BNode, Dataset, URIRef

from cajkg.graph.article import split_sentences
from cajkg.graph.build import BuildConfig, BuildError, assemble, build_dataset, cache_key
from cajkg.graph.iris import CAJKG, G_INFERRED, G_PROVENANCE, GRAPH, RES, Base
from cajkg.graph.sources import Sources, default_sources

DATA = Path(__file__).parent / "data" / "build"


def config(tmp_path: Path, *facts: str, base: Base | None = None) -> BuildConfig:
    sources = Sources(
        ontology=(DATA / "onto.ttl",),
        article=default_sources().article,
        facts=tuple(DATA / name for name in facts),
        shapes=DATA / "shapes.ttl",
    )
    return BuildConfig(sources, base or Base(), tmp_path)


def test_article_splits_into_44_sentences_with_exact_offsets():
    text = default_sources().article.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    assert len(sentences) == 44
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert "am 20. Dezember in Tokio stattfand." in sentences[3].text  # no split after "20."
    assert sentences[-1].text.startswith("Der nächste Gipfel")


def test_inferred_triples_live_only_in_the_inferred_graph(tmp_path):
    ds = assemble(config(tmp_path, "facts.trig"))
    inferred = ds.graph(G_INFERRED)
    assert (RES.Tokyo, CAJKG.locatedIn, RES.Asia) in inferred  # transitivity
    assert (RES.Tokyo, RDF.type, CAJKG.Place) in inferred  # subclass
    assert (RES.Tokyo, CAJKG.locatedIn, RES.Asia) not in ds.graph(GRAPH.s04)
    asserted = [g for g in ds.graphs() if g.identifier != G_INFERRED]
    for graph in asserted:
        assert not any((t in inferred) for t in graph)


def test_noise_is_dropped(tmp_path):
    inferred = assemble(config(tmp_path, "facts.trig")).graph(G_INFERRED)
    assert not any(s == o for s, p, o in inferred.triples((None, OWL.sameAs, None)))
    assert not any(str(s).startswith("http://www.w3.org/") for s in inferred.subjects())
    assert (RES.Tokyo, RDF.type, OWL.Thing) not in inferred


def test_mentions_get_offsets_into_the_article(tmp_path):
    ds = assemble(config(tmp_path, "facts.trig"))
    text = default_sources().article.read_text(encoding="utf-8")
    prov = ds.graph(G_PROVENANCE)
    mention = next(prov.subjects(CAJKG.mentionOf, RES.Tokyo))
    start = int(prov.value(mention, CAJKG.startOffset))
    end = int(prov.value(mention, CAJKG.endOffset))
    assert text[start:end] == "Tokio"
    assert str(prov.value(mention, CAJKG.inSentence)).endswith("/sentence/s04")


def test_mentions_are_named_by_their_sentence_offsets_and_entity(tmp_path):
    """The blank node the curator wrote becomes BASE mention/<sentence>-<start>-<end>-<entity>
    (offsets within the sentence), the same on every build, under the deployment's base."""
    text = default_sources().article.read_text(encoding="utf-8")
    s04 = split_sentences(text)[3]
    at = s04.text.index("Tokio")
    expected = f"https://w3id.org/cajkg/mention/s04-{at}-{at + 5}-Tokyo"
    for run in ("first", "second"):
        prov = assemble(config(tmp_path / run, "facts.trig")).graph(G_PROVENANCE)
        assert [str(m) for m in prov.subjects(RDF.type, CAJKG.Mention)] == [expected]
        assert (GRAPH.s04, CAJKG.mention, URIRef(expected)) in prov
        assert not any(isinstance(t, BNode) for triple in prov for t in triple)
    base = Base("http://example.org/kg/")
    prov = assemble(config(tmp_path / "based", "facts.trig", base=base)).graph(
        base.rebase(G_PROVENANCE)
    )
    mention = URIRef(expected.replace("https://w3id.org/cajkg/", base.iri))
    assert (mention, base.rebase(CAJKG.startOffset), None) in prov
    assert (mention, base.rebase(CAJKG.mentionOf), base.rebase(RES.Tokyo)) in prov


@pytest.mark.parametrize(
    ("facts", "expected", "code"),
    [
        ("bad-syntax.trig", "bad-syntax.trig:4:", 2),
        ("stray.trig", "stray.trig: 1 triples outside any named graph", 2),
        ("bad-quote.trig", "quote 'Osaka' is not in sentence s05", 1),
        ("inconsistent.trig", "Kassym-Jomart-Tokayev", 1),
        ("unshaped.trig", "A city lies in some place. [asserted in s44]", 1),
    ],
)
def test_bad_sources_fail_with_a_readable_message(tmp_path, facts, expected, code):
    with pytest.raises(BuildError) as err:
        assemble(config(tmp_path, "facts.trig", facts))
    assert expected in str(err.value)
    assert err.value.exit_code == code
    assert "Traceback" not in str(err.value)


def test_build_is_cached_by_content(tmp_path):
    cfg = config(tmp_path, "facts.trig")
    first = build_dataset(cfg)
    cached = tmp_path / "cache" / f"{cache_key(cfg)}.nq"
    assert cached.is_file()
    second = build_dataset(cfg)
    assert len(second) == len(first)
    assert cache_key(config(tmp_path, "facts.trig", "unshaped.trig")) != cache_key(cfg)


def test_base_is_configurable(tmp_path):
    ds = assemble(config(tmp_path, "facts.trig", base=Base("http://localhost:8000/")))
    subjects = {str(s) for s, _, _, _ in ds.quads((None, None, None, None))}
    assert "http://localhost:8000/resource/Tokyo" in subjects
    assert not any(s.startswith("https://w3id.org/cajkg/resource/") for s in subjects)
    assert isinstance(ds, Dataset)


@pytest.mark.parametrize("damage", ["garbage", "cut at a line"])
def test_a_damaged_cache_is_rebuilt_not_served(tmp_path, damage):
    cfg = config(tmp_path, "facts.trig")
    complete = len(build_dataset(cfg))
    cached = tmp_path / "cache" / f"{cache_key(cfg)}.nq"
    lines = cached.read_bytes().splitlines(keepends=True)
    cached.write_bytes(b"<urn:x> <urn:y> \x00 .\n" if damage == "garbage" else b"".join(lines[:5]))
    assert len(build_dataset(cfg)) == complete
    assert build_dataset(cfg) is not None and cached.read_bytes().count(b"\n") == len(lines)
