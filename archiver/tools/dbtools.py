"""``archiver db``: maintenance commands for big archive databases (a thin layer over
:mod:`archiver.store.maintenance`)."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.store import StoreError


@click.group()
def db() -> None:
    """Maintain an archive database: optimize it, or show its sizes."""


@db.command()
@click.argument("archive", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--wait",
    type=float,
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for a crawl writing the archive to finish (otherwise refuse at once).",
)
@click.option("--vacuum/--no-vacuum", default=None, help="Force VACUUM on or off (default: when worth it).")
def optimize(archive: Path, wait: float, vacuum: bool | None) -> None:
    """Merge the full-text index, ANALYZE, and VACUUM when worth it; print the time each took.

    ARCHIVE is an archive folder or its archive.db.
    """
    from archiver.store.maintenance import optimize as run

    try:
        run(archive, wait=wait, vacuum=vacuum, report=click.echo)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@db.command()
@click.argument("archive", type=click.Path(exists=True, path_type=Path))
def stats(archive: Path) -> None:
    """Row counts and sizes of every table and index, and the full-text index's size.

    Read-only: safe while a crawl writes the archive.
    """
    from archiver.store.maintenance import stats as read

    try:
        found = read(archive)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("\n".join(found.lines()))
