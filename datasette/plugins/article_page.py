"""The article page: Datasette's row page of ``articles``, made readable and citable.

``extra_template_vars`` gives ``templates/row.html`` an ``article_page``
value on that page only (other row pages stay Datasette's): the text as
paragraphs, authors and tags, the capture, the citation, the versions and,
with ``?from=N&to=M``, a word-level diff between two versions.
"""

from __future__ import annotations


from datasette import hookimpl
from datasette.utils import tilde_decode

from archiver.tools.cite import Citation, as_bibtex, as_html, as_text, memento_url
from archiver.serve.diff import word_diff
from archiver.serve.site import archive_dir, has_plugin, replay_link
from archiver.store.columns import json_list
from archiver.timestamps import timestamp14
from archiver.serve.capture import record_slug

#: The versions table (migration 0002), used when it exists.
VERSIONS_TABLE = "article_versions"


def paragraphs(text: str) -> list[str]:
    """The clean text's paragraphs (separated by blank lines)."""
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


async def _versions(db, row: dict) -> list[dict]:
    """Every version of the article, oldest first, numbered from 1.

    Read from ``article_versions`` when the archive has it (migration 0002); an
    archive without it has one version, the current row.
    """
    versions: list[dict] = []
    if await db.table_exists(VERSIONS_TABLE):
        columns = set(await db.table_columns(VERSIONS_TABLE))
        if {"article_id", "text"} <= columns:
            order = ", ".join(c for c in ("version", "fetched_at") if c in columns) or "rowid"
            result = await db.execute(
                f"select * from {VERSIONS_TABLE} where article_id = ? order by {order}", [row["id"]]
            )
            versions = [dict(r) for r in result.rows]
    if not versions:
        versions = [row]
    out = []
    for n, version in enumerate(versions, start=1):
        text = version.get("text") or ""
        out.append(
            {
                "n": n,
                "text": text,
                "fetched_at": version.get("fetched_at") or "",
                "text_sha256": version.get("text_sha256") or "",
                "word_count": version.get("word_count") or len(text.split()),
                "capture_record_id": version.get("capture_record_id"),
                "capture_slug": record_slug(version["capture_record_id"])
                if version.get("capture_record_id")
                else None,
            }
        )
    return out


def _citation(row: dict, capture: dict | None, versions: list[dict], base_url: str, archive_dir) -> dict:
    """The article's citation in ``archiver cite``'s formats (text, BibTeX, Robust Link).

    Built from the rows this page already read through Datasette's connection
    (``archiver.tools.cite.load_citation`` opens its own, which leaves a ``-wal``
    file beside an immutable database), with the same fields and formatters.
    """
    from archiver.tools.snapshot import snapshots_for

    latest = versions[-1] if versions else {}
    snapshots = snapshots_for(archive_dir, row["capture_record_id"])
    c = Citation(
        article_id=row["id"],
        url=row["url"],
        title=row.get("title"),
        authors=json_list(row.get("authors")),
        outlet=row.get("outlet"),
        site_name=row.get("site_name"),
        published=row.get("published"),
        captured=row["fetched_at"],
        archived_url="",
        payload_sha256=capture.get("payload_sha256") if capture else None,
        text_sha256=row["text_sha256"],
        capture_record_id=row["capture_record_id"],
        version=latest.get("n") if len(versions) > 1 or "current_version" in row else None,
        versions=len(versions) if "versions" in row else None,
        snapshot_id=snapshots[-1]["id"] if snapshots else None,
        screenshot_sha256=row.get("screenshot_sha256"),
    )
    c.archived_url = memento_url(base_url, c.timestamp14, c.url)
    return {"text": as_text(c), "bibtex": as_bibtex(c), "html": as_html(c), "archived_url": c.archived_url}


def _pick(request, name: str, default: int, count: int) -> int:
    try:
        value = int(request.args.get(name) or default)
    except ValueError:
        value = default
    return min(max(value, 1), count)


async def article_context(datasette, db, request, article_id: str) -> dict | None:
    result = await db.execute("select * from articles where id = ?", [article_id])
    first = result.first()
    if first is None:
        return None
    row = dict(first)
    capture = (
        await db.execute("select * from captures where record_id = ?", [row["capture_record_id"]])
    ).first()
    versions = await _versions(db, row)
    base = datasette.absolute_url(request, datasette.urls.path("")) if request else ""
    stamp = timestamp14(row.get("fetched_at") or "")
    context = {
        "row": row,
        "authors": json_list(row.get("authors")),
        "tags": json_list(row.get("tags")),
        "paragraphs": paragraphs(row.get("text") or ""),
        "capture": dict(capture) if capture else None,
        "capture_slug": record_slug(row["capture_record_id"]),
        "citation": _citation(row, dict(capture) if capture else None, versions, base, archive_dir(db)),
        "versions": versions,
        "memento": has_plugin("memento.py"),
        "timemap_url": datasette.urls.path(f"/timemap/{row['url']}") if has_plugin("memento.py") else None,
        "replay_url": replay_link(datasette, url=row["url"], timestamp=stamp),
        "outlet_url": datasette.urls.path(f"/-/outlet/{row['outlet']}") if row.get("outlet") else None,
        "diff": None,
        "screenshot_url": datasette.urls.path(f"/-/screenshot/{record_slug(row['screenshot_record_id'])}.png")
        if row.get("screenshot_record_id")
        else None,
    }
    if len(versions) > 1 or "from" in request.args:
        old = _pick(request, "from", len(versions) - 1 or 1, len(versions))
        new = _pick(request, "to", len(versions), len(versions))
        ops = word_diff(versions[old - 1]["text"], versions[new - 1]["text"])
        context["diff"] = {
            "from": old,
            "to": new,
            "ops": ops,
            "changes": sum(
                1 for i, (op, _) in enumerate(ops) if op != "equal" and (i == 0 or ops[i - 1][0] == "equal")
            ),
        }
    return context


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "articles" or request is None:
        return {}

    async def inner():
        db = datasette.get_database(database)
        pks = request.url_vars.get("pks") or ""
        article_page = await article_context(datasette, db, request, tilde_decode(pks))
        return {"article_page": article_page}

    return inner
