"""The ``archiver`` command: a thin layer over the library.

Each command parses its options, calls one library function and turns the
library's errors (which already say what to do) into a message and a
non-zero exit status.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from archiver import __version__
from archiver.crawl.session import OutputDirError, prepare_out_dir
from archiver.outlets import OutletError, available_outlets, load_outlet, outlet_dirs


def _parse_set(values: tuple[str, ...]) -> dict[str, Any]:
    """``--set KEY=VALUE`` options as Scrapy settings (JSON values where they parse)."""
    out: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(
                f"{item!r}: use KEY=VALUE, e.g. --set DOWNLOAD_DELAY=2", param_hint="--set"
            )
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    if out.get("ARCHIVER_WARC_PREFIX"):  # it names files: it must not lead out of the archive folder
        from archiver.warc.writer import check_prefix

        try:
            check_prefix(str(out["ARCHIVER_WARC_PREFIX"]))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--set") from None
    return out


def _load_outlet_or_exit(name: str, home: str | None = None, dirs: tuple[Path, ...] = ()) -> Any:
    try:
        outlet = load_outlet(name, dirs=outlet_dirs(dirs))
    except OutletError as exc:
        raise click.ClickException(str(exc)) from None
    return outlet.rebase(home) if home else outlet


def _prepare_or_exit(out: Path) -> Path:
    try:
        return prepare_out_dir(out)
    except OutputDirError as exc:
        raise click.ClickException(str(exc)) from None


def _ensure_idle_or_exit(out: Path, prefix: str) -> None:
    from archiver.crawl.resume import CrawlRunning, ensure_idle

    try:
        ensure_idle(out, prefix)
    except CrawlRunning as exc:
        raise click.ClickException(str(exc)) from None


def version_text() -> str:
    """What ``archiver --version`` prints: ours, the extractor's, and the libraries' that shape the archive."""
    from importlib.metadata import PackageNotFoundError, version

    from archiver.clean import EXTRACTOR_NAME, EXTRACTOR_VERSION

    lines = [f"archiver {__version__}", f"extractor {EXTRACTOR_NAME} {EXTRACTOR_VERSION}"]
    for dist in ("Scrapy", "warcio", "datasette"):
        try:
            lines.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            lines.append(f"{dist} not installed")
    return "\n".join(lines)


#: ``--outlets-dir``: folders searched for outlet files before ./outlets and the bundled ones.
outlets_dir_option = click.option(
    "--outlets-dir",
    "outlets_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Look for outlet files here first (then ./outlets, then the outlets that ship with the project).",
)

#: ``-v`` / ``-vv``: Scrapy's log (INFO / DEBUG); by default only warnings, the progress line and the summary.
verbose_option = click.option(
    "-v", "--verbose", count=True, help="Show Scrapy's log (-vv: its debug log too)."
)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group()
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the versions of archiver, its extractor, Scrapy, warcio and Datasette, and exit.",
)
def cli() -> None:
    """Crawl news outlets into WARC files, clean each article, index and serve the archive."""


@cli.command()
@click.argument("outlets_", metavar="[OUTLET]...", nargs=-1)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Archive folder (warcs/ and archive.db go there).",
)
@click.option(
    "--all", "all_outlets", is_flag=True, help="Crawl every outlet file (of --outlets-dir) together."
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit 3 if an outlet failed, 4 if one drifted, 5 if one found no new article though it "
    "usually does, saying why (for cron).",
)
@click.option("--home", help="Crawl the outlet from another origin (e.g. a local mirror).")
@click.option("--max-pages", type=int, help="Stop after this many pages (overrides the outlet file).")
@click.option("--set", "set_", multiple=True, metavar="KEY=VALUE", help="Override a Scrapy setting.")
@click.option(
    "--fresh",
    is_flag=True,
    help="Start a new crawl even if the last one in --out did not finish "
    "(default: resume it). With --redis: clear the shared queue first (first worker only).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Run as one worker of a distributed crawl sharing its queue in Redis (redis://HOST:PORT/DB).",
)
@click.option("--worker-id", help="With --redis: this worker's id; its archive goes to DIR/workers/ID.")
@click.option(
    "--incremental/--full",
    default=None,
    help="Skip archived articles that cannot have changed (sitemap lastmod, revisit schedule). "
    "Default: on with --all or several outlets, off for one.",
)
@click.option("--quiet", is_flag=True, help="No progress line, no summary: warnings and errors only (cron).")
@click.option(
    "--json-log", is_flag=True, help="Log JSON lines on stderr; print the summary as one JSON object."
)
@click.option(
    "--render",
    type=click.Choice(["http", "browser"]),
    help="Capture pages as received (http) or as headless Chromium renders them (browser); "
    "default: the outlet file's `render`.",
)
@click.option(
    "--screenshots",
    is_flag=True,
    help="In HTTP mode, a full-page screenshot of each page as the archive replays it (scripts off, "
    "nothing from the live web).",
)
@outlets_dir_option
@verbose_option
def crawl(
    outlets_: tuple[str, ...],
    out: Path,
    all_outlets: bool,
    check: bool,
    home: str | None,
    max_pages: int | None,
    set_: tuple[str, ...],
    fresh: bool,
    redis_url: str | None,
    worker_id: str | None,
    incremental: bool | None,
    quiet: bool,
    json_log: bool,
    outlets_dirs: tuple[Path, ...],
    verbose: int,
    render: str | None = None,
    screenshots: bool = False,
) -> None:
    """Crawl OUTLET (a name in outlets/ or a .toml path) into the archive folder --out.

    Several outlets (or --all) are crawled together in one process, each with
    its own politeness, crawl row, WARC prefix and resume state; a summary
    table follows. An interrupted crawl (killed, crashed, Ctrl-C) is resumed
    by running the same command again: nothing already archived is fetched twice.
    """
    import dataclasses

    from archiver.extensions.progress import progress_settings
    from archiver.spiders.runner import run_crawl

    if incremental is not None:
        set_ = (f"ARCHIVER_INCREMENTAL={'true' if incremental else 'false'}", *set_)
    if all_outlets or len(outlets_) != 1:
        if home or redis_url:
            raise click.UsageError("--home and --redis take one outlet, not several or --all")
        _crawl_many(
            outlets_,
            out,
            all_outlets=all_outlets,
            dirs=list(outlets_dirs) or None,
            max_pages=max_pages,
            overrides={
                **progress_settings(quiet=quiet, json_log=json_log, verbose=verbose),
                **({"ARCHIVER_FRESH": True} if fresh else {}),
                **_parse_set(set_),
            },
            quiet=quiet,
            json_log=json_log,
            check=check,
        )
        return
    outlet = outlets_[0]
    definition = _load_outlet_or_exit(outlet, home, outlets_dirs)
    if max_pages:
        definition = dataclasses.replace(definition, max_pages=max_pages)
    overrides = progress_settings(quiet=quiet, json_log=json_log, verbose=verbose)
    if render:
        overrides["ARCHIVER_RENDER"] = render
    if screenshots:
        overrides["ARCHIVER_SCREENSHOTS_HTTP"] = True
    if redis_url:
        from archiver.scheduler.distributed import worker_setup

        try:
            out, worker = worker_setup(redis_url, worker_id, definition.name, out, fresh=fresh)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        overrides.update(worker)
    elif fresh:
        overrides["ARCHIVER_FRESH"] = True
    out = _prepare_or_exit(out)
    _ensure_idle_or_exit(out, overrides.get("ARCHIVER_WARC_PREFIX") or definition.name)
    stats = run_crawl(definition, out, overrides={**overrides, **_parse_set(set_)})
    if not quiet:
        _report(stats, out, as_json=json_log)
    _exit_if_failed(stats)
    if check:
        _exit_on_health(out, [definition.name], {})


def _crawl_many(
    names: tuple[str, ...],
    out: Path,
    *,
    all_outlets: bool,
    dirs: list[Path] | None,
    max_pages: int | None,
    overrides: dict[str, Any],
    quiet: bool,
    json_log: bool,
    check: bool,
) -> None:
    """Crawl several outlets in one process (spiders/fleet.py); a failing one is reported, the others go on."""
    import dataclasses

    from archiver.crawl.fleet import resolve, summary_json, summary_lines
    from archiver.spiders.fleet import run_fleet

    if not names and not all_outlets:
        raise click.UsageError("name at least one outlet, or give --all")
    if overrides.get("ARCHIVER_WARC_PREFIX"):
        raise click.UsageError("ARCHIVER_WARC_PREFIX names one outlet's files: not with several outlets")
    runs = resolve(names, all_outlets=all_outlets, dirs=dirs)
    if not runs:
        raise click.ClickException("no outlet files found: add outlets/<name>.toml or name the files")
    if max_pages:
        for run in runs:
            if run.outlet is not None:
                run.outlet = dataclasses.replace(run.outlet, max_pages=max_pages)
    for run in runs:
        if run.error:
            click.echo(f"error: outlet {run.name}: {run.error}", err=True)
    out = _prepare_or_exit(out)
    run_fleet(runs, out, overrides=overrides)
    if json_log:
        click.echo(json.dumps({"archive": str(out), "outlets": summary_json(runs)}, default=str))
    elif not quiet:
        for line in summary_lines(runs):
            click.echo(line)
    failed_early = {run.name: run.problems for run in runs if run.error or not run.stats}
    if check:
        _exit_on_health(out, [run.name for run in runs if run.name not in failed_early], failed_early)
    if any(not run.ok for run in runs):
        sys.exit(1)


def _exit_on_health(out: Path, outlets: list[str], failed_early: dict[str, list[Any]]) -> None:
    """``--check``: say what is wrong with each outlet and exit with the most severe kind's status."""
    from archiver.tools.health import exit_code, health_report
    from archiver.store import Archive

    problems: dict[str, list[Any]] = dict(failed_early)
    with Archive(out / "archive.db") as archive:
        for health in health_report(archive.db, outlets):
            if health.problems:
                problems[health.outlet] = health.problems
    every = [p for found in problems.values() for p in found]
    for name, found in sorted(problems.items()):
        for problem in found:
            click.echo(f"check: outlet {name}: {problem.kind}: {problem.message}", err=True)
    code = exit_code(every)
    if code:
        sys.exit(code)


@cli.command()
@click.option(
    "--out", "out", type=click.Path(path_type=Path), default=Path("demo-archive"), show_default=True
)
@click.option("--port", type=int, default=8001, show_default=True, help="Datasette port.")
@click.option("--no-serve", is_flag=True, help="Crawl the demo outlet and exit without serving.")
@verbose_option
def demo(out: Path, port: int, no_serve: bool, verbose: int) -> None:
    """Serve the bundled demo outlet on 127.0.0.1, crawl it into --out, then serve the archive."""
    from archiver.demo.server import DemoServer
    from archiver.extensions.progress import progress_settings
    from archiver.spiders.runner import LOCAL_SETTINGS, run_crawl

    out = _prepare_or_exit(out)
    with DemoServer() as site:
        click.echo(f"demo outlet served at {site.url}")
        outlet = _load_outlet_or_exit("demo", site.url)
        stats = run_crawl(outlet, out, overrides={**LOCAL_SETTINGS, **progress_settings(verbose=verbose)})
    _report(stats, out)
    _exit_if_failed(stats)
    if not no_serve:
        from archiver.serve.app import serve

        serve(out / "archive.db", port=port)


def _exit_if_failed(stats: dict[str, Any]) -> None:
    """Exit non-zero when the crawl could not start or could not write its archive."""
    if "finish_reason" not in stats and "start_time" not in stats:
        raise click.ClickException("the crawl did not start: see the error above (a bad --set value?)")
    error = stats.get("archiver/archive/write_error")
    if error:
        from archiver.extensions.write_failure import ADVICE

        raise click.ClickException(f"the crawl stopped early: {error}. To go on: {ADVICE}.")


def _report(stats: dict[str, Any], out: Path, *, as_json: bool = False) -> None:
    """Print the crawl's figures: what an archivist checks after a run (``as_json``: one JSON line)."""
    from archiver.extensions.progress import summary_rows
    from archiver.warc.files import warcs_in

    start, end = stats.get("start_time"), stats.get("finish_time")
    seconds = (end - start).total_seconds() if start and end else 0.0
    warc_bytes = sum(p.stat().st_size for p in warcs_in(out / "warcs"))
    rows = [
        ("pages", stats.get("response_received_count", 0)),
        ("articles stored", stats.get("archiver/articles/stored", 0)),
        ("new articles", stats.get("archiver/articles/new", 0)),
        ("new versions", stats.get("archiver/articles/new_versions", 0)),
        ("unchanged", stats.get("archiver/articles/unchanged", 0)),
        ("revisits", stats.get("archiver/recrawl/revisits", 0)),
        ("WARC records", stats.get("archiver/warc/records", 0)),
        ("WARC bytes", warc_bytes),
        ("errors", stats.get("log_count/ERROR", 0)),
        ("seconds", round(seconds, 2)),
        ("finish reason", stats.get("finish_reason", "?")),
    ]
    rows[-1:-1] = summary_rows(stats, seconds, warc_bytes)
    if as_json:
        click.echo(
            json.dumps(
                {"archive": str(out), **{name.replace(" ", "_"): value for name, value in rows}}, default=str
            )
        )
        return
    for name, value in rows:
        click.echo(f"{name:>16}: {value}")
    click.echo(f"{'archive':>16}: {out}")


@cli.command()
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The page's URL (resolves links, canonical URL).")
@click.option("--json", "as_json", is_flag=True, help="Print the article and its metadata as JSON.")
@click.option(
    "--explain",
    is_flag=True,
    help="Also print, on stderr, each decision: the body chosen, what each rule cut.",
)
def extract(page: Path, url: str, as_json: bool, explain: bool) -> None:
    """Print the clean text (or --json) of a saved HTML PAGE."""
    from archiver.clean import explain as explain_article

    article, decisions = explain_article(page.read_bytes(), url)
    if explain:
        for d in decisions:
            click.echo(f"{d.rule:<32} {d.what:<40} {d.chars:>6}  {d.text}", err=True)
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    if article.title:
        click.echo(article.title + "\n")
    click.echo(article.text)
    if not article.text and article.reason:
        click.echo(f"(no text: {article.reason})", err=True)


def _exit_on_problems(problems: list[str]) -> None:
    """Print each problem a command met on stderr and exit 1 if there was any."""
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)


@cli.command()
@click.argument("warcs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--db", "db", type=click.Path(path_type=Path), required=True, help="Database to (re)build.")
def reindex(warcs: tuple[Path, ...], db: Path) -> None:
    """Rebuild captures and articles in --db from WARC files or folders alone."""
    from archiver.tools.reindex import reindex as run_reindex

    result = run_reindex(list(warcs), db)
    click.echo(f"{result.files} files, {result.captures} captures, {result.articles} articles -> {db}")
    _exit_on_problems(result.errors)


@cli.command()
@click.argument(
    "folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--db", "db", type=click.Path(path_type=Path), required=True, help="Database to merge into.")
def ingest(folders: tuple[Path, ...], db: Path) -> None:
    """Merge archive folders (e.g. the workers of a distributed crawl) into --db; running it twice changes nothing."""
    from archiver.tools.ingest import IngestError
    from archiver.tools.ingest import ingest as run_ingest

    try:
        result = run_ingest(list(folders), db)
    except IngestError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{result} -> {db}")
    _exit_on_problems(result.index.errors)


@cli.command()
@click.argument("archive", type=click.Path(exists=True, file_okay=False, path_type=Path))
def index(archive: Path) -> None:
    """(Re)build the CDXJ index of every crawl in ARCHIVE under ARCHIVE/indexes/."""
    from archiver.warc.cdxj import rebuild_indexes

    try:
        result = rebuild_indexes(archive)
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for path, count in result.indexes.items():
        click.echo(f"{count:>8} captures -> {path}")
    _exit_on_problems(result.errors)


@cli.command()
@click.argument("archive", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The NAME.wacz file to write.",
)
@click.option("--outlet", help="Only this outlet's captures.")
@click.option("--since", help="Only captures at or after this date/time (YYYY-MM-DD or ISO 8601, UTC).")
@click.option(
    "--until", help="Only captures at or before this date/time (a bare date includes the whole day)."
)
def snapshot(archive: Path, out: Path, outlet: str | None, since: str | None, until: str | None) -> None:
    """Package a selection of ARCHIVE as a WACZ 1.1.1 file (WARCs, CDXJ, pages, article database)."""
    from archiver.tools.snapshot import SnapshotError, create_snapshot

    try:
        result = create_snapshot(archive, out, outlet=outlet, since=since, until=until)
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{result.captures} captures, {result.articles} articles, {result.records} records, "
        f"{result.bytes} bytes -> {result.path}"
    )
    click.echo(f"snapshot id: {result.snapshot_id}")


@cli.command()
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--outlet", help="Only this outlet's articles.")
def reclean(out: Path, outlet: str | None) -> None:
    """Re-derive article texts in archive folder OUT with the current cleaner; changed texts become new versions."""
    from archiver.tools.reclean import RecleanError
    from archiver.tools.reclean import reclean as run_reclean

    try:
        result = run_reclean(out, outlet=outlet)
    except RecleanError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{result.checked} articles checked: {result.changed} new versions, "
        f"{result.unchanged} unchanged, {result.skipped} skipped (no text now), {len(result.errors)} errors"
    )
    for name in result.warc_files:
        click.echo(f"conversion records written to {out / 'warcs' / name}")
    _exit_on_problems(result.errors)


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--id",
    "expected_id",
    metavar="SNAPSHOT_ID",
    help="The snapshot id a citation gives: the .wacz must be it.",
)
def verify(path: Path, expected_id: str | None) -> None:
    """Recompute every digest of an archive folder or a NAME.wacz; exit 1 naming each mismatch."""
    from archiver.tools.verify import VerifyError, verify as run_verify

    try:
        report = run_verify(path, expected_id=expected_id)
    except VerifyError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in report.problems:
        click.echo(f"FAIL {problem}")
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.argument("article")
@click.option(
    "--archive",
    "--db",
    "archive",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Archive folder (or its archive.db).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "bibtex", "csl-json", "ris", "html"]),
    default="text",
    show_default=True,
)
@click.option("--at", help="Cite the version current at this time (14 digits, a date or ISO 8601).")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8001",
    show_default=True,
    help="Where the archive is served: archived URLs are BASE/<14 digits>/<url>.",
)
def cite(article: str, archive: Path, fmt: str, at: str | None, base_url: str) -> None:
    """Print a citation of ARTICLE (an article id or its URL), with its archived URL and digests."""
    from archiver.tools.cite import CitationError, cite as make_citation

    try:
        click.echo(make_citation(archive, article, fmt=fmt, at=at, base_url=base_url), nl=fmt != "ris")
    except CitationError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--port", type=int, default=8001, show_default=True)
def serve(db: Path, port: int) -> None:
    """Serve an archive database read-only with Datasette on 127.0.0.1."""
    from archiver.serve.app import serve as run_serve

    run_serve(db, port=port)


@cli.command()
@click.argument("archive", type=click.Path(exists=True, path_type=Path))
@click.option("--outlet", "outlet_names", multiple=True, help="Only this outlet (repeat for several).")
def status(archive: Path, outlet_names: tuple[str, ...]) -> None:
    """One line per outlet of ARCHIVE (a folder or its archive.db): last crawl, new articles, trend, problems."""
    from archiver.tools.health import health_report
    from archiver.store import Archive, StoreError, database_path

    if not database_path(archive).is_file():
        raise click.ClickException(f"no archive database in {archive}: crawl into it first")
    try:
        with Archive(archive) as store:
            report = health_report(store.db, list(outlet_names) or None)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if not report:
        click.echo("no crawl in this archive yet")
    for health in report:
        click.echo(health.line())


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--name", "new_name", help="With `new URL`: the outlet's name (default: from the host).")
@click.option(
    "--dir",
    "new_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("outlets"),
    show_default=True,
    help="With `new URL`: where to write <name>.toml.",
)
@click.option(
    "--dry-run", is_flag=True, help="With `new URL`: show what it found and would write; write nothing."
)
@click.option("--force", is_flag=True, help="With `new URL`: replace an existing <name>.toml.")
@outlets_dir_option
def outlets(
    names: tuple[str, ...],
    new_name: str | None,
    new_dir: Path,
    dry_run: bool,
    force: bool,
    outlets_dirs: tuple[Path, ...],
) -> None:
    """List the known outlets, or validate the named outlets / .toml files.

    `archiver outlets new URL` probes a site (robots.txt, sitemaps, feeds, home
    page links), infers its article URL rule, shows a dry run and writes
    outlets/<name>.toml.
    """
    if names[:1] == ("new",):
        if len(names) != 2:
            raise click.UsageError("give the outlet's home page: archiver outlets new URL")
        _new_outlet(names[1], new_name, new_dir, dry_run=dry_run, force=force)
        return
    dirs = outlet_dirs(outlets_dirs)
    for name in names or tuple(available_outlets(dirs)):
        try:
            outlet = load_outlet(name, dirs=dirs)
        except OutletError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{outlet.name:<16} {outlet.home}  ({outlet.source})")


def _add_db_group() -> None:
    """``archiver db optimize|stats`` (archiver/tools/dbtools.py)."""
    from archiver.tools.dbtools import db

    cli.add_command(db)


_add_db_group()


def _new_outlet(url: str, name: str | None, folder: Path, *, dry_run: bool, force: bool) -> None:
    """``archiver outlets new URL``: probe, show the dry run, write the file (archiver/tools/onboard.py)."""
    from archiver.tools.onboard import ProbeError, outlet_file, probe, suggest_name
    from archiver.outlets import NAME_RE, parse_outlet

    name = name or suggest_name(url)
    if not NAME_RE.fullmatch(name):
        raise click.BadParameter(f"{name!r}: use lowercase letters, digits, '-' and '_'", param_hint="--name")
    path = folder / f"{name}.toml"
    if path.exists() and not force and not dry_run:
        raise click.ClickException(f"{path} exists: choose another --name, or --force to replace it")
    try:
        found = probe(url)
    except ProbeError as exc:
        raise click.ClickException(str(exc)) from None
    for line in found.dry_run():
        click.echo(line)
    text = outlet_file(found, name)
    import tomllib

    parse_outlet(tomllib.loads(text), source=str(path))  # what we write must load
    if dry_run:
        click.echo(f"--- {path} (not written: --dry-run)")
        click.echo(text, nl=False)
        return
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    click.echo(f"wrote {path}: check it, then archiver crawl {path} --out DIR")


if __name__ == "__main__":  # pragma: no cover
    cli()
