"""`cajkg push` and `cajkg pull`: the built graph into a remote SPARQL store, and back out.

Two standalone click commands; `cajkg.server.cli` registers them on the `cajkg` group
(`main.add_command(push)`, `main.add_command(pull)`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cajkg.graph.build import BuildConfig, BuildError

_F = Callable[..., Any]


def _remote_options(command: _F) -> _F:
    """--endpoint, --update-endpoint and the credentials, shared by push and pull."""
    options = [
        click.option(
            "--endpoint",
            envvar="CAJKG_SPARQL_ENDPOINT",
            required=True,
            help="Query URL of the remote store (CAJKG_SPARQL_ENDPOINT), "
            "e.g. http://127.0.0.1:7878/query.",
        ),
        click.option(
            "--update-endpoint",
            envvar="CAJKG_SPARQL_UPDATE_ENDPOINT",
            help="Update URL (CAJKG_SPARQL_UPDATE_ENDPOINT); default: --endpoint.",
        ),
        click.option(
            "--user",
            envvar="CAJKG_SPARQL_USER",
            help="HTTP basic user for the remote store (CAJKG_SPARQL_USER).",
        ),
        click.option(
            "--password",
            envvar="CAJKG_SPARQL_PASSWORD",
            help="HTTP basic password (CAJKG_SPARQL_PASSWORD); prefer the variable, "
            "since command lines are visible to other users.",
        ),
        click.option(
            "--token",
            envvar="CAJKG_SPARQL_TOKEN",
            help="Bearer token for the remote store (CAJKG_SPARQL_TOKEN); "
            "not together with --user/--password.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _client(
    endpoint: str,
    update_endpoint: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
) -> Any:
    from cajkg.graph.store.remote import SparqlClient

    if token and (user or password):
        raise click.UsageError("give either --user/--password or --token, not both")
    if bool(user) != bool(password):
        raise click.UsageError("--user and --password go together")
    return SparqlClient(endpoint, update_endpoint, user=user, password=password, token=token)


@click.command()
@_remote_options
@click.option(
    "--build-dir",
    envvar="CAJKG_BUILD_DIR",
    default="build",
    show_default=True,
    help="Where the build cache is (CAJKG_BUILD_DIR); built first when stale.",
)
@click.option(
    "--batch-size",
    default=2000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Triples per INSERT DATA request.",
)
def push(
    endpoint: str,
    update_endpoint: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    build_dir: str,
    batch_size: int,
) -> None:
    """Load the built graph into a remote SPARQL 1.1 store as named graphs.

    Every graph (ontology, facts, provenance, inferred) replaces the graph of the same name in
    the store, so running push again never duplicates anything; if a push stops midway, run it
    again to complete it.
    """
    from cajkg.graph.build import build_dataset
    from cajkg.graph.transfer import TransferError, size
    from cajkg.graph.transfer import push as push_dataset

    client = _client(endpoint, update_endpoint, user, password, token)
    config = dataclasses.replace(BuildConfig.from_env(), out_dir=Path(build_dir))
    try:
        ds = build_dataset(config)
    except BuildError as err:
        raise click.ClickException(str(err)) from None
    with click.progressbar(
        length=size(ds, config.base),
        label=f"pushing to {update_endpoint or endpoint}",
        show_pos=True,
    ) as bar:
        try:
            report = push_dataset(
                ds, client, base=config.base, batch_size=batch_size, progress=bar.update
            )
        except TransferError as err:
            raise click.ClickException(str(err)) from None
    click.echo(
        f"pushed {report.triples} triples in {report.graphs} graphs ({report.batches} requests)"
    )
    for name in report.dropped:
        click.echo(f"dropped stale graph {name}")


@click.command()
@_remote_options
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
def pull(
    endpoint: str,
    update_endpoint: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    output: Path,
) -> None:
    """Save every cajkg graph the remote store holds to OUTPUT (.trig or .nq)."""
    from cajkg.graph.iris import Base
    from cajkg.graph.transfer import TransferError, remote_size
    from cajkg.graph.transfer import pull as pull_dataset

    client = _client(endpoint, update_endpoint, user, password, token)
    base = Base.from_env()
    try:
        total = remote_size(client, base)
    except TransferError as err:
        raise click.ClickException(str(err)) from None
    with click.progressbar(length=total, label=f"pulling from {endpoint}", show_pos=True) as bar:
        try:
            ds = pull_dataset(client, output, base=base, progress=bar.update)
        except TransferError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"wrote {len(ds)} triples in {len(list(ds.graphs())) - 1} graphs to {output}")
