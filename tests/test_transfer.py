"""push and pull against a real `oxigraph serve`: re-running push replaces instead of
duplicating, an interrupted push says so and a re-run completes it, pull round-trips."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from oxigraph_server import OxigraphServer, free_port
from test_stores import fixture_config

from cajkg.graph.build import assemble
from cajkg.graph.iris import GRAPH
from cajkg.graph.store.remote import SparqlClient
from cajkg.graph.store.terms import quads_from
from cajkg.graph.transfer import TransferError, pull, push, remote_size, size
from cajkg.server.cli_transfer import pull as pull_command
from cajkg.server.cli_transfer import push as push_command


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return assemble(fixture_config(tmp_path_factory.mktemp("build")))


@pytest.fixture
def server(tmp_path):
    server = OxigraphServer(tmp_path / "serve")
    yield server
    server.kill()


def client_for(server: OxigraphServer) -> SparqlClient:
    return SparqlClient(server.query_url, server.update_url)


def canonical(quads) -> set[str]:
    """Quads as strings after RDFC-1.0, so blank node labels do not matter."""
    dataset = ox.Dataset(list(quads))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def stored_size(client: SparqlClient) -> int:
    """The quads of every remote graph but the merge that push adds."""
    result = client.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != {GRAPH.asserted.n3()}) }}"
    )
    return int(next(iter(result))[0])


def merge_size(client: SparqlClient) -> int:
    result = client.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {GRAPH.asserted.n3()} {{ ?s ?p ?o }} }}"
    )
    return int(next(iter(result))[0])


def test_push_twice_does_not_duplicate(dataset, server):
    client = client_for(server)
    first = push(dataset, client, batch_size=50)
    second = push(dataset, client, batch_size=50)
    assert first == second
    assert len(dataset) == stored_size(client)
    assert first.triples == size(dataset) == len(dataset) + merge_size(client)
    assert first.batches > first.graphs  # the big graphs went in several batches


def test_push_writes_the_merge_of_the_asserted_graphs_each_triple_once(dataset, server):
    client = client_for(server)
    push(dataset, client)
    distinct = {
        (s, p, o)
        for s, p, o, g in dataset.quads((None, None, None, None))
        if g is not None and g not in (GRAPH.inferred, GRAPH["inferred-schema"])
    }
    assert merge_size(client) == len(distinct)


def test_push_replaces_stale_graphs_but_leaves_foreign_ones(dataset, server):
    client = client_for(server)
    client.update(
        "INSERT DATA { GRAPH <https://w3id.org/cajkg/graph/s98> { <urn:a> <urn:b> 1 } "
        "GRAPH <http://example.org/theirs> { <urn:a> <urn:b> 2 } }"
    )
    report = push(dataset, client)
    assert report.dropped == (GRAPH.s98,)
    assert stored_size(client) == len(dataset) + 1
    assert remote_size(client) == len(dataset)


def test_interrupted_push_is_reported_and_a_rerun_completes_it(dataset, server):
    client = client_for(server)
    batches = []

    def kill_after_three(count: int) -> None:
        batches.append(count)
        if len(batches) == 3:
            server.kill()

    with pytest.raises(TransferError) as error:
        push(dataset, client, batch_size=40, progress=kill_after_three)
    message = str(error.value)
    assert "after 120 of" in message
    assert "cannot reach" in message
    assert "run push again to complete it" in message
    server.start()
    assert 0 < stored_size(client) < len(dataset)
    push(dataset, client, batch_size=40)
    assert stored_size(client) == len(dataset)


def test_unreachable_store_is_a_clear_error(dataset):
    client = SparqlClient(f"http://127.0.0.1:{free_port()}/query")
    with pytest.raises(TransferError, match=r"cannot reach http://127\.0\.0\.1:"):
        push(dataset, client)


@pytest.mark.parametrize("name", ["dump.trig", "dump.nq"])
def test_pull_round_trips(dataset, server, tmp_path, name):
    client = client_for(server)
    push(dataset, client, batch_size=100)
    path = tmp_path / name
    pulled = pull(client, path)
    assert len(pulled) == len(dataset)
    assert canonical(ox.parse(path=str(path))) == canonical(quads_from(dataset))


def test_pull_refuses_a_format_without_graphs(server, tmp_path):
    with pytest.raises(TransferError, match="TriG"):
        pull(client_for(server), tmp_path / "dump.ttl")


def test_cli_pull_and_credentials(dataset, server, tmp_path):
    push(dataset, client_for(server))
    path = tmp_path / "backup.trig"
    runner = CliRunner()
    done = runner.invoke(pull_command, ["--endpoint", server.query_url, str(path)])
    assert done.exit_code == 0, done.output
    assert f"wrote {len(dataset)} triples" in done.output
    both = runner.invoke(
        push_command,
        ["--endpoint", server.query_url, "--token", "t", "--user", "u", "--password", "p"],
    )
    assert both.exit_code == 2
    assert "not both" in both.output


def test_cli_push_of_the_built_graph(server, tmp_path):
    from cajkg.graph.build import build_dataset

    built = build_dataset()
    done = CliRunner().invoke(
        push_command, ["--endpoint", server.query_url, "--update-endpoint", server.update_url]
    )
    assert done.exit_code == 0, done.output
    assert f"pushed {size(built)} triples" in done.output
    client = client_for(server)
    assert stored_size(client) + merge_size(client) == size(built)
