"""The `cajkg` command: build, validate, stats, query, export, serve.

Commands that only need the graph import the graph layer alone; `serve` imports the web layer
when it runs, so `cajkg build` works without Flask being importable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cajkg.graph.build import BuildConfig, BuildError


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
def validate() -> None:
    """Check the sources: syntax, provenance, SHACL, consistency.

    Exit status as pySHACL's: 0 valid, 1 not valid, 2 a source file cannot be read.
    """
    from cajkg.graph.build import assemble

    try:
        ds = assemble(_config(None))
    except BuildError as err:
        click.echo(str(err), err=True)
        sys.exit(err.exit_code)
    click.echo(f"valid: {len(ds)} triples in {sum(1 for _ in ds.graphs()) - 1} named graphs")
