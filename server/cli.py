"""The `cajkg` command: build, validate, stats, query, explain, export, serve.

Commands that only need the graph import the graph layer alone; `serve` imports the web layer
when it runs, so `cajkg build` works without Flask being importable.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cajkg.graph.build import BuildConfig, BuildError
from cajkg.server.cli_transfer import pull, push

T = TypeVar("T")


def _config(build_dir: str | None) -> BuildConfig:
    config = BuildConfig.from_env()
    if build_dir:
        config = BuildConfig(config.sources, config.base, Path(build_dir))
    return config


build_dir_option = click.option(
    "--build-dir",
    envvar="CAJKG_BUILD_DIR",
    default="build",
    show_default=True,
    help="Where dumps and the closure cache are written (CAJKG_BUILD_DIR).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """cajkg: the Central Asia + Japan summit knowledge graph."""


@main.command()
@build_dir_option
def build(build_dir: str) -> None:
    """Load, validate and reason over the sources, then write every dump to the build directory."""
    from cajkg.graph.export import write_dumps

    config = _config(build_dir)
    try:
        written = write_dumps(config)
    except BuildError as err:
        raise click.ClickException(str(err)) from None
    for path in written:
        click.echo(f"wrote {path}")


@main.command()
@click.option(
    "--facts",
    "extra_facts",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A fact file (TriG) to check along with the packaged sources, before adding it; "
    "repeatable.",
)
def validate(extra_facts: tuple[Path, ...]) -> None:
    """Check the sources: syntax, provenance, SHACL, consistency.

    Exit status as pySHACL's: 0 valid, 1 not valid, 2 a source file cannot be read.
    """
    from cajkg.graph.build import assemble

    config = _config(None)
    sources = dataclasses.replace(config.sources, facts=(*config.sources.facts, *extra_facts))
    try:
        ds = assemble(dataclasses.replace(config, sources=sources))
    except BuildError as err:
        click.echo(str(err), err=True)
        sys.exit(err.exit_code)
    click.echo(f"valid: {len(ds)} triples in {sum(1 for _ in ds.graphs()) - 1} named graphs")


@main.command()
@build_dir_option
def stats(build_dir: str) -> None:
    """Triples per named graph, and entities per class (asserted, and with inference)."""
    from cajkg.graph.build import build_dataset
    from cajkg.graph.stats import compute

    try:
        counts = compute(build_dataset(_config(build_dir)))
    except BuildError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{'graph':<60} {'triples':>8}")
    for graph, n in sorted(counts.graphs.items()):
        click.echo(f"{graph:<60} {n:>8}")
    click.echo(
        f"asserted {counts.asserted}, inferred {counts.inferred}, "
        f"inferred about the schema {counts.inferred_schema}\n"
    )
    click.echo(f"{'class':<30} {'asserted':>8} {'inferred':>8}")
    for cls, (asserted, total) in counts.classes.items():
        click.echo(f"{cls:<30} {asserted:>8} {total:>8}")


@main.command()
@build_dir_option
@click.option(
    "--format",
    "format_name",
    default="trig",
    show_default=True,
    help="trig, nquads or jsonld for the whole dataset; turtle, ntriples or rdfxml with --graph.",
)
@click.option(
    "--graph", "graph_iri", help="Export one named graph (an IRI) instead of the dataset."
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)
def export(build_dir: str, format_name: str, graph_iri: str | None, output: str | None) -> None:
    """Write the built dataset, or one named graph, in any supported RDF format."""
    from rdflib import Graph, URIRef

    from cajkg.graph import formats
    from cajkg.graph.build import build_dataset

    kind = formats.GRAPH if graph_iri else formats.DATASET
    fmt = formats.by_name(format_name, kind)
    if fmt is None:
        names = ", ".join(f.name for f in formats.for_kind(kind))
        raise click.BadParameter(f"{format_name!r}; choose one of: {names}", param_hint="--format")
    try:
        ds = build_dataset(_config(build_dir))
    except BuildError as err:
        raise click.ClickException(str(err)) from None
    selected: Graph = ds
    if graph_iri:
        if graph_iri not in {str(g.identifier) for g in ds.graphs()}:
            raise click.BadParameter(f"no graph named <{graph_iri}>", param_hint="--graph")
        selected = ds.graph(URIRef(graph_iri))
    data = formats.serialize_graph(selected, fmt)
    if output:
        Path(output).write_bytes(data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@main.command()
@build_dir_option
@click.argument("query")
@click.option(
    "--infer/--no-infer",
    default=True,
    show_default=True,
    help="Answer with or without the inferred graph (cjg:inferred).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Answer from the whole OWL 2 RL closure: cjg:inferred-schema in the default graph too.",
)
@click.option(
    "--format",
    "format_name",
    default="table",
    show_default=True,
    help="table, or any result format: csv, tsv, json, xml; turtle etc. for CONSTRUCT.",
)
def query(build_dir: str, query: str, infer: bool, full: bool, format_name: str) -> None:
    """Run QUERY (SPARQL text, or the path of an .rq file) against the local graph."""
    from cajkg.graph import formats
    from cajkg.graph.build import build_dataset
    from cajkg.graph.store.base import StoreError
    from cajkg.graph.store.memory import MemoryStore

    if full and not infer:
        raise click.UsageError("--full reads the whole closure; it cannot go with --no-infer")
    text = Path(query).read_text(encoding="utf-8") if query.endswith(".rq") else query
    try:
        store = MemoryStore(build_dataset(_config(build_dir)), workers=1)
        try:
            result = store.query(text, infer="full" if full and infer else infer)
        finally:
            store.close()
    except (BuildError, StoreError) as err:
        raise click.ClickException(str(err)) from None
    kind = formats.result_kind(result)
    fmt = formats.by_name(format_name, kind, negotiable_only=False)
    if fmt is None:
        names = ", ".join(f.name for f in formats.for_kind(kind))
        raise click.BadParameter(f"{format_name!r}; for this query: {names}", param_hint="--format")
    click.echo(formats.serialize_result(result, fmt).decode("utf-8"), nl=False)


def _tree(proof: object, lists: dict[Any, list[Any]], indent: str = "") -> list[str]:
    """A proof as terminal lines: the triple, its rule, its axioms and premises indented."""
    from cajkg.graph.explain import Proof

    assert isinstance(proof, Proof)
    s, p, o = (term.n3() for term in proof.triple)
    if proof.triple[2] in lists:
        o = "( " + " ".join(member.n3() for member in lists[proof.triple[2]]) + " )"
    label = {"asserted": "ASSERTED", "axiom": "AXIOM", "axiomatic": "AXIOMATIC"}
    lines = [f"{indent}{label.get(proof.kind, 'INFERRED')} {s} {p} {o}"]
    for source in proof.sources:
        kind = f" ({source.kind})" if source.kind else ""
        lines.append(f"{indent}  in {source.graph or 'the default graph'}{kind}")
        if source.note:
            lines.append(f"{indent}    curator's note: {source.note}")
        for sentence in source.sentences:
            lines.append(f"{indent}    sentence {sentence.position}: {sentence.text}")
            for m in sentence.mentions:
                lines.append(f'{indent}      "{m.quote}" at {m.start}-{m.end}')
    for step in proof.steps:
        lines.append(f"{indent}  by {step.rule}")
        for child in (*step.axioms, *step.premises):
            if str(child.triple[1]).endswith(("#first", "#rest")):
                continue  # the list of an axiom: shown by the axiom itself
            lines += _tree(child, lists, indent + "    ")
    if proof.truncated:
        lines.append(f"{indent}  (cut at the size limit)")
    return lines


def _reasoned(build_dir: str, compute: Callable[[Any, Any], T]) -> T:
    """`compute(store, base)` on a memory store of the built graph with the incremental
    reasoner in this process (what explanations need); 'not in the graph' exits 1."""
    from cajkg.graph.build import build_dataset
    from cajkg.graph.explain import NotExplainable, NotInDataset
    from cajkg.graph.impact import NotAsserted
    from cajkg.graph.reasoner import IncrementalReasoner
    from cajkg.graph.store.memory import MemoryStore

    config = _config(build_dir)
    try:
        store = MemoryStore(build_dataset(config), reasoner=IncrementalReasoner(), workers=1)
    except BuildError as err:
        raise click.ClickException(str(err)) from None
    try:
        return compute(store, config.base)
    except (NotInDataset, NotExplainable, NotAsserted) as err:
        raise click.ClickException(str(err)) from None
    finally:
        store.close()


def _echo_json(document: object) -> None:
    import json

    click.echo(json.dumps(document, ensure_ascii=False, indent=1))


def _term(text: str, name: str, literal: bool = False) -> Any:
    """An IRI (bare, <...>, or prefixed: rdf, rdfs, owl, cajkg, cjr, cjs, cjg, ...) or, when
    `literal`, an N-Triples literal, read from the command line."""
    from rdflib import OWL, RDF, RDFS, Literal, URIRef
    from rdflib.util import from_n3

    from cajkg.graph.iris import PREFIXES

    prefix, _, local = text.partition(":")
    known = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), **PREFIXES}
    if prefix in known:
        return URIRef(known[prefix] + local)
    try:
        node = from_n3(text if text.startswith(('"', "<")) else f"<{text}>")
    except Exception as error:  # rdflib raises several kinds for a malformed term
        raise click.BadParameter(str(error), param_hint=name) from None
    if isinstance(node, URIRef) or (literal and isinstance(node, Literal)):
        return node
    raise click.BadParameter(f"not an IRI: {text!r}", param_hint=name)


@main.command()
@build_dir_option
@click.argument("subject")
@click.argument("predicate")
@click.argument("obj", metavar="OBJECT")
@click.option("--graph", "graph_iri", default=None, help="Explain the triple in this graph only.")
@click.option("--all", "all_proofs", is_flag=True, help="Every non-circular proof, not one.")
@click.option("--json", "as_json", is_flag=True, help="The JSON document /explain serves.")
def explain(
    build_dir: str,
    subject: str,
    predicate: str,
    obj: str,
    graph_iri: str | None,
    all_proofs: bool,
    as_json: bool,
) -> None:
    """Why does the graph say SUBJECT PREDICATE OBJECT? IRIs (bare or <...>, or a cajkg prefix
    such as cjr:Japan); OBJECT may be an N-Triples literal. Exit 1 when it is not in the graph."""
    from rdflib import URIRef

    from cajkg.graph import explain as explaining

    triple = (_term(subject, "SUBJECT"), _term(predicate, "PREDICATE"), _term(obj, "OBJECT", True))
    graph = URIRef(str(_term(graph_iri, "--graph"))) if graph_iri else None
    found = _reasoned(
        build_dir,
        lambda store, base: explaining.explain(
            store, triple, graph=graph, all_proofs=all_proofs, base=base
        ),
    )
    if as_json:
        _echo_json(explaining.as_json(found))
        return
    click.echo("\n".join(_tree(found.proof, found.lists)))
    limits = explaining.limits()
    click.echo(
        f"({'all proofs' if all_proofs else 'the shortest proof'}; at most "
        f"{limits['maxDepth']} steps deep, {limits['maxNodes']} statements)"
    )


@main.command()
@build_dir_option
@click.argument("triple", nargs=-1, metavar="[SUBJECT PREDICATE OBJECT]")
@click.option("--graph", "graph_iri", default=None, help="Retract the triple from this graph only.")
@click.option(
    "--sentence", default=None, help="The facts drawn from this sentence alone (cjs:s12)."
)
@click.option(
    "--axiom", default=None, help="The ontology's axioms about this term (cajkg:leaderOf)."
)
@click.option(
    "--predicate", default=None, help="With --axiom: only its axioms with this predicate."
)
@click.option("--no-answers", is_flag=True, help="Leave out the competency answers (faster).")
@click.option("--json", "as_json", is_flag=True, help="The JSON document /explain/impact serves.")
def impact(
    build_dir: str,
    triple: tuple[str, ...],
    graph_iri: str | None,
    sentence: str | None,
    axiom: str | None,
    predicate: str | None,
    no_answers: bool,
    as_json: bool,
) -> None:
    """What depends on this? The inferred triples that would disappear and the competency
    answers that would change if an asserted triple (SUBJECT PREDICATE OBJECT), a sentence
    (--sentence) or an ontology axiom (--axiom) were retracted. Nothing is retracted.
    Exit 1 when it is not in the graph."""
    from cajkg.graph import impact as impacts

    given = [
        name
        for name, value in (("a triple", triple), ("--sentence", sentence), ("--axiom", axiom))
        if value
    ]
    if len(given) != 1:
        raise click.UsageError("give one of SUBJECT PREDICATE OBJECT, --sentence or --axiom")
    if triple and len(triple) != 3:
        raise click.UsageError(f"a triple is SUBJECT PREDICATE OBJECT, not {len(triple)} terms")
    if predicate and not axiom:
        raise click.UsageError("--predicate goes with --axiom")
    if graph_iri and not triple:
        raise click.UsageError("--graph goes with a triple")
    answers = not no_answers

    def compute(store: Any, base: Any) -> impacts.Impact:
        if sentence:
            return impacts.of_sentence(
                store, _term(sentence, "--sentence"), base=base, answers=answers
            )
        if axiom:
            return impacts.of_axiom(
                store,
                _term(axiom, "--axiom"),
                predicate=_term(predicate, "--predicate") if predicate else None,
                base=base,
                answers=answers,
            )
        s, p, o = triple
        return impacts.of_triple(
            store,
            (_term(s, "SUBJECT"), _term(p, "PREDICATE"), _term(o, "OBJECT", True)),
            graph=_term(graph_iri, "--graph") if graph_iri else None,
            base=base,
            answers=answers,
        )

    found = _reasoned(build_dir, compute)
    if as_json:
        _echo_json(impacts.as_json(found))
        return
    click.echo("\n".join(impacts.lines(found, _short)))


def _short(node: Any) -> str:
    """A term with the project's prefixes, for the terminal."""
    from rdflib import OWL, RDF, RDFS, URIRef

    from cajkg.graph.iris import PREFIXES

    if isinstance(node, URIRef):
        known = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), **PREFIXES}
        for prefix, namespace in known.items():
            local = str(node)[len(namespace) :]
            if (
                str(node).startswith(namespace)
                and local
                and all(c.isalnum() or c in "-_." for c in local)
            ):
                return f"{prefix}:{local}"
    return str(node.n3())


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on. 0.0.0.0 exposes the endpoint to the whole network.",
)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=int,
    help="Request threads (queries also wait for one of CAJKG_QUERY_WORKERS).",
)
@click.option(
    "--store",
    "store_kind",
    envvar="CAJKG_STORE",
    default="memory",
    show_default=True,
    type=click.Choice(["memory", "oxigraph", "sparql"]),
    help="memory: Oxigraph in memory, journalled; oxigraph: embedded and persistent in --data-dir; "
    "sparql: a remote SPARQL 1.1 server at --endpoint (CAJKG_STORE).",
)
@click.option(
    "--data-dir",
    envvar="CAJKG_DATA_DIR",
    default="var",
    show_default=True,
    help="Journal of writes (memory) or the database (oxigraph) (CAJKG_DATA_DIR).",
)
@click.option(
    "--endpoint",
    envvar="CAJKG_SPARQL_ENDPOINT",
    help="With --store sparql: the remote query URL (CAJKG_SPARQL_ENDPOINT).",
)
@click.option(
    "--update-endpoint",
    envvar="CAJKG_SPARQL_UPDATE_ENDPOINT",
    help="With --store sparql: the remote update URL (default: --endpoint).",
)
@click.option(
    "--get",
    "get_path",
    metavar="PATH",
    help="Answer one GET request for PATH in-process, print it and exit "
    "(non-zero unless 200): a smoke test that needs no port.",
)
def serve(
    host: str,
    port: int,
    threads: int,
    store_kind: str,
    data_dir: str,
    endpoint: str | None,
    update_endpoint: str | None,
    get_path: str | None,
) -> None:
    """Serve the SPARQL endpoint, linked-data pages and the query workbench."""
    from cajkg.graph.store.base import StoreError
    from cajkg.server import create_app
    from cajkg.server.search import warm as warm_search
    from cajkg.server.wsgi import serve as run

    if store_kind == "sparql" and not endpoint:
        raise click.UsageError("--store sparql needs --endpoint (or CAJKG_SPARQL_ENDPOINT)")
    overrides = {
        "CAJKG_STORE": store_kind,
        "CAJKG_DATA_DIR": data_dir,
        "CAJKG_SPARQL_ENDPOINT": endpoint or "",
        "CAJKG_SPARQL_UPDATE_ENDPOINT": update_endpoint or "",
    }
    try:
        app = create_app(overrides)
    except (BuildError, StoreError, ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None
    if get_path is not None:
        try:
            response = app.test_client().get(get_path)
        finally:
            app.extensions["cajkg.store"].close()
        click.echo(response.get_data(as_text=True))
        sys.exit(0 if response.status_code == 200 else 1)
    click.echo(
        f"cajkg: serving http://{host}:{port}/ (SPARQL endpoint at /sparql, store: {store_kind})"
    )
    warm_search(app)  # in the background, after the store's own warm-up
    run(app, host=host, port=port, threads=threads)


main.add_command(push)
main.add_command(pull)
