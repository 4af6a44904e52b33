"""The `cajkg` command through click's CliRunner: build, validate (exit 0, 1 and 2), stats, query,
export and `serve --get`, on the packaged sources, each with a real build in a scratch folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph

from cajkg.server.cli import main

DATA = Path(__file__).parent / "data" / "build"
SUMMIT = "https://w3id.org/cajkg/resource/first-summit"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Result]:
    """`cajkg build` into a scratch folder (the other commands then read its cache)."""
    folder = tmp_path_factory.mktemp("build")
    return folder, CliRunner().invoke(main, ["build", "--build-dir", str(folder)])


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_build_writes_every_dump(built):
    folder, result = built
    assert result.exit_code == 0, result.output
    written = {Path(line.removeprefix("wrote ")).name for line in result.output.splitlines()}
    assert {"dataset.trig", "dataset.nq", "ontology.ttl", "void.ttl"} <= written
    dataset = Dataset()
    dataset.parse(folder / "dataset.nq", format="nquads")
    assert len(dataset) > 1000


def test_validate_exit_0_on_the_packaged_sources():
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid: ")


def test_validate_exit_1_when_the_facts_do_not_conform():
    result = run("validate", "--facts", str(DATA / "bad-quote.trig"))
    assert result.exit_code == 1, result.output
    assert "quote 'Osaka' is not in sentence s05" in result.output
    assert "Traceback" not in result.output


def test_validate_exit_2_when_a_source_cannot_be_read(tmp_path):
    result = run("validate", "--facts", str(DATA / "bad-syntax.trig"))
    assert result.exit_code == 2, result.output
    assert "bad-syntax.trig:4:" in result.output
    missing = run("validate", "--facts", str(tmp_path / "missing.trig"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.output


def test_stats_counts_graphs_and_classes(built):
    folder, _ = built
    result = run("stats", "--build-dir", str(folder))
    assert result.exit_code == 0, result.output
    assert "https://w3id.org/cajkg/graph/s44" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("asserted "))
    asserted, inferred, schema = (int(part.split()[-1]) for part in line.split(","))
    assert asserted > 0 and inferred > 0 and schema > 0
    assert any(x.split()[:1] == ["Summit"] for x in result.output.splitlines())


def test_query_select_ask_construct_and_refusals(built):
    folder = str(built[0])
    select = run(
        "query", "--build-dir", folder, f"SELECT ?place WHERE {{ <{SUMMIT}> ?p ?place }} LIMIT 3"
    )
    assert select.exit_code == 0, select.output
    assert select.output.splitlines()[0].strip() == "place"
    assert select.output.rstrip().endswith("(3 rows)")
    assert run("query", "--build-dir", folder, "ASK { ?s ?p ?o }").output.strip() == "yes"
    as_json = run(
        "query", "--build-dir", folder, "--format", "json", "SELECT * { ?s ?p ?o } LIMIT 2"
    )
    assert len(json.loads(as_json.output)["results"]["bindings"]) == 2
    construct = run(
        "query",
        "--build-dir",
        folder,
        "--format",
        "turtle",
        f"CONSTRUCT {{ <{SUMMIT}> ?p ?o }} WHERE {{ <{SUMMIT}> ?p ?o }}",
    )
    assert construct.exit_code == 0, construct.output
    assert len(Graph().parse(data=construct.output, format="turtle")) > 3
    bad = run("query", "--build-dir", folder, "SELECT WHERE {")
    assert bad.exit_code == 1 and "Error:" in bad.output and "Traceback" not in bad.output
    wrong = run("query", "--build-dir", folder, "--format", "turtle", "ASK {}")
    assert wrong.exit_code == 2 and "--format" in wrong.output


def test_query_reads_an_rq_file(built, tmp_path):
    rq = tmp_path / "count.rq"
    rq.write_text(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/cajkg/graph/s04> { ?s ?p ?o } }"
    )
    result = run("query", "--build-dir", str(built[0]), "--no-infer", str(rq))
    assert result.exit_code == 0, result.output
    assert int(result.output.splitlines()[2].split('"')[1]) > 0


def test_query_full_reads_the_schema_level_inferences(built):
    folder = str(built[0])
    text = (
        "ASK { <https://w3id.org/cajkg/ontology#locatedIn> a "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> }"
    )
    default = run("query", "--build-dir", folder, text)
    full = run("query", "--build-dir", folder, "--full", text)
    assert (default.exit_code, full.exit_code) == (0, 0), default.output + full.output
    assert (default.output.strip(), full.output.strip()) == ("no", "yes")
    both = run("query", "--build-dir", folder, "--full", "--no-infer", text)
    assert both.exit_code == 2 and "--no-infer" in both.output


def test_export_the_dataset_and_one_graph(built, tmp_path):
    folder = str(built[0])
    out = tmp_path / "all.nq"
    result = run("export", "--build-dir", folder, "--format", "nquads", "-o", str(out))
    assert result.exit_code == 0, result.output
    dataset = Dataset()
    dataset.parse(out, format="nquads")
    built_quads = Dataset()
    built_quads.parse(built[0] / "dataset.nq", format="nquads")
    assert len(dataset) == len(built_quads)
    one = run(
        "export",
        "--build-dir",
        folder,
        "--graph",
        "https://w3id.org/cajkg/graph/s04",
        "--format",
        "turtle",
    )
    assert one.exit_code == 0, one.output
    assert len(Graph().parse(data=one.output, format="turtle")) > 0
    unknown = run("export", "--build-dir", folder, "--graph", "urn:x:none", "--format", "turtle")
    assert unknown.exit_code == 2 and "no graph named <urn:x:none>" in unknown.output
    bad_format = run("export", "--build-dir", folder, "--format", "turtle")
    assert bad_format.exit_code == 2 and "choose one of" in bad_format.output


def test_serve_get_answers_one_request_without_a_port(built, tmp_path):
    env = {
        "CAJKG_BUILD_DIR": str(built[0]),
        "CAJKG_DATA_DIR": str(tmp_path / "var"),
        "CAJKG_QUERY_WORKERS": "1",
    }
    ok = run("serve", "--store", "memory", "--get", "/sparql?query=ASK%7B%7D", env=env)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["boolean"] is True
    missing = run("serve", "--store", "memory", "--get", "/no-such-page", env=env)
    assert missing.exit_code == 1
    no_endpoint = run("serve", "--store", "sparql", "--get", "/", env=env)
    assert no_endpoint.exit_code == 2 and "--store sparql needs --endpoint" in no_endpoint.output
