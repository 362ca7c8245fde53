"""Fuzz the cleaner and the WARC reader with hypothesis for a fixed time.

Two targets, each a property that must hold for *any* input:

* ``extract``: :func:`archiver.clean.extract` on arbitrary bytes/str returns an
  :class:`~archiver.article.Article` within ``--slow`` seconds and never reports
  an internal error (``reason`` starting ``"extractor error"`` counts as a crash:
  the cleaner swallows exceptions so a crawl goes on, but each one is a bug);
* ``warc``: :func:`archiver.warc.reader.iter_records` with ``on_error`` on a
  mutated WARC file (flipped bytes, cuts, splices, garbage) never raises and
  returns within ``--slow`` seconds, and every error it reports names the file.

Inputs are drawn by hypothesis strategies that mix random bytes, HTML-shaped
token soup and mutations of real seeds (the demo outlet's pages and a WARC the
project's own writer produces). Rounds of ``--examples`` run with fresh seeds
until ``--duration`` seconds have passed; the figures printed at the end are
executions, crashes, hangs and the slowest input's time per target. Crashing
inputs are saved under ``--crashes`` for replay::

    python bench/fuzz.py --duration 600            # the 10-minute run
    python bench/fuzz.py --duration 30 --target warc

The strategies here are shared with ``tests/test_fuzz_properties.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from archiver.article import Article  # noqa: E402

# ------------------------------------------------------------------ seeds
_HTML_TOKENS = [
    "<html>",
    "</html>",
    "<head>",
    "<body>",
    "<div class='x'>",
    "</div>",
    "<p>",
    "</p>",
    "<article>",
    "</article>",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<meta charset='",
    "windows-1251",
    "utf-8",
    "'>",
    "<title>",
    "</title>",
    "<a href='",
    "/x",
    "'>",
    "</a>",
    "<table><tr><td>",
    "<h1>",
    "</h1>",
    "&amp;",
    "&#x0;",
    "&#1114112;",
    "&nbsp;",
    "\x00",
    "\ufeff",
    "\u202e",
    "<svg><foreignObject>",
    "<template>",
    "<noscript>",
    "<iframe srcdoc='<p>x'>",
    "<meta property='og:type' content='article'>",
    '<script type=\'application/ld+json\'>{"@type":"NewsArticle","headline":',
    "[[[[",
    "{{",
    '"',
    "<time datetime='9999-99-99'>",
    "<!DOCTYPE html>",
    "<?xml version='1.0' encoding='x'?>",
    "READ MORE: ",
    "<p>" + "word " * 50 + "</p>",
    "<div>" * 20,
    "</div>" * 20,
    "<b><i></b></i>",
    "<br/>",
    "\r\n",
    "\t",
]


def _demo_pages() -> list[bytes]:
    try:
        from archiver.demo.site import build_site

        site = build_site("http://127.0.0.1:8000")
        pages = [
            p.body for p in site.pages.values() if p.content_type.startswith(("text/html", "application"))
        ]
        return sorted(pages, key=len)[:: max(1, len(pages) // 12)][:12]
    except Exception:  # the demo is a convenience here, never a requirement
        return [b"<html><body><article><h1>T</h1><p>" + b"text " * 80 + b"</p></article></body></html>"]


def seed_warc() -> bytes:
    """A small, valid .warc.gz written by the project's own writer (warcinfo, exchange, conversion)."""
    from archiver.warc.writer import WarcWriter

    with tempfile.TemporaryDirectory() as tmp:
        when = datetime(2024, 6, 1, tzinfo=timezone.utc)
        with WarcWriter(tmp, "seed", warcinfo={"outlet": "seed"}) as writer:
            for i in range(3):
                body = b"<html><body><p>page %d</p></body></html>" % i
                capture = writer.write_exchange(
                    url=f"http://127.0.0.1/{i}",
                    fetched_at=when,
                    request_bytes=b"GET /%d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % i,
                    response_bytes=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
                    % (len(body), body),
                )
                writer.write_conversion(
                    url=capture.url,
                    refers_to=capture.record_id,
                    fetched_at=when,
                    payload=json.dumps({"article": {"url": capture.url}}).encode(),
                )
            writer.write_exchange(
                url="http://127.0.0.1/dead",
                fetched_at=when,
                request_bytes=b"GET /dead HTTP/1.1\r\n\r\n",
                response_bytes=None,
                error="ConnectionRefusedError",
            )
            path = writer.files[0]
            return path.read_bytes()


_SEED_CACHE: dict[str, list[bytes]] = {}


def seeds(kind: str) -> list[bytes]:
    if kind not in _SEED_CACHE:
        _SEED_CACHE[kind] = _demo_pages() if kind == "html" else [seed_warc()]
    return _SEED_CACHE[kind]


# ------------------------------------------------------------------ strategies
@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """A seed with a few byte-level mutations: flips, cuts, inserts, duplicated stretches."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup", "zero", "truncate"]))
        if not data:
            data += draw(st.binary(max_size=64))
            continue
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 512))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 256))]
        elif op == "zero":
            data[at : at + 16] = bytes(len(data[at : at + 16]))
        else:
            del data[at:]
    return bytes(data)


def html_soup() -> st.SearchStrategy[str]:
    """HTML-shaped text: tokens that stress parsers (unclosed tags, odd entities, charsets)."""
    token = st.one_of(st.sampled_from(_HTML_TOKENS), st.text(max_size=20))
    return st.lists(token, max_size=200).map("".join)


def html_inputs() -> st.SearchStrategy[bytes | str]:
    """Anything the cleaner may be handed: bytes, str, soup, mutated real pages."""
    seed = st.sampled_from(seeds("html"))
    return st.one_of(
        st.binary(max_size=4096),
        st.text(max_size=2048),
        html_soup(),
        html_soup().map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.tuples(html_soup(), st.sampled_from(["utf-8", "cp1251", "utf-16", "latin-1"])).map(
            lambda p: p[0].encode(p[1], "replace")
        ),
        mutated(seed),
        # size and depth: a token repeated up to 200 KB (deep nesting, long runs of one tag)
        st.tuples(st.sampled_from(_HTML_TOKENS), st.integers(1, 20_000)).map(
            lambda p: (p[0] * p[1])[:200_000]
        ),
    )


def warc_inputs() -> st.SearchStrategy[bytes]:
    """Mutated WARC files, plus empty, tiny and random ones."""
    return st.one_of(
        mutated(st.sampled_from(seeds("warc"))),
        st.binary(max_size=512),
        st.just(b""),
        st.just(b"WARC/1.1\r\n"),
    )


# ------------------------------------------------------------------ targets
class Hang(BaseException):
    """Raised by the alarm: an input ran past the hang limit (BaseException: no one swallows it)."""


def run_extract(data: bytes | str) -> Article:
    """The extract property: an Article, never an internal error."""
    from archiver.clean import extract

    article = extract(data, "http://127.0.0.1/fuzz/")
    assert isinstance(article, Article), type(article)
    assert isinstance(article.text, str)
    if article.reason and article.reason.startswith("extractor error"):
        raise AssertionError(article.reason)
    return article


def run_warc(data: bytes, directory: Path | None = None) -> list[str]:
    """The reader property: no exception with on_error, each error names the file."""
    from archiver.warc.reader import WarcError, iter_records

    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        path = Path(tmp) / "fuzz.warc.gz"
        path.write_bytes(data)
        errors: list[WarcError] = []
        count = 0
        for record in iter_records(path, on_error=errors.append):
            count += 1
            assert isinstance(record.block, bytes)
            _ = record.status, record.payload  # parse the HTTP head too
        for err in errors:
            assert isinstance(err, WarcError) and str(path) in str(err), err
        return [str(e) for e in errors]


TARGETS: dict[str, tuple[Callable[[], st.SearchStrategy], Callable]] = {
    "extract": (html_inputs, run_extract),
    "warc": (warc_inputs, run_warc),
}


# ------------------------------------------------------------------ driver
@dataclass
class Figures:
    target: str
    executions: int = 0
    crashes: int = 0
    hangs: int = 0
    slowest: float = 0.0
    slowest_size: int = 0
    largest: int = 0
    seconds: float = 0.0
    crash_samples: list[str] = field(default_factory=list)


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


def fuzz(
    target: str, seconds: float, *, examples: int = 500, hang_after: int = 30, crashes_dir: Path | None = None
) -> Figures:
    """Run ``target`` under hypothesis in rounds until ``seconds`` have passed."""
    strategy_fn, check = TARGETS[target]
    figures = Figures(target)
    start = time.monotonic()
    signal.signal(signal.SIGALRM, _alarm)
    try:  # warm up (imports, lxml init) so the first example's time is not counted
        check(b"<p>warm-up</p>")
    except Exception:
        pass

    def save(data: bytes | str, why: str) -> None:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        name = f"{target}-{hashlib.sha1(raw).hexdigest()[:12]}"
        figures.crash_samples.append(f"{name}: {why[:200]}")
        if crashes_dir is not None:
            crashes_dir.mkdir(parents=True, exist_ok=True)
            (crashes_dir / name).write_bytes(raw)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy_fn())
    def one_round(data: bytes | str) -> None:
        if time.monotonic() - start > seconds:
            return
        figures.executions += 1
        t0 = time.perf_counter()
        signal.alarm(hang_after)
        try:
            check(data)
        except Hang:
            figures.hangs += 1
            save(data, f"no result after {hang_after}s")
        except Exception as exc:  # a crash: keep the input, go on fuzzing
            figures.crashes += 1
            save(data, f"{type(exc).__name__}: {exc}")
        finally:
            signal.alarm(0)
        took = time.perf_counter() - t0
        figures.largest = max(figures.largest, len(data))
        if took > figures.slowest:
            figures.slowest, figures.slowest_size = took, len(data)

    while time.monotonic() - start < seconds:
        one_round()
    figures.seconds = time.monotonic() - start
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=600.0, help="seconds in all (split between targets)"
    )
    parser.add_argument("--target", choices=["all", *TARGETS], default="all")
    parser.add_argument("--examples", type=int, default=500, help="examples per hypothesis round")
    parser.add_argument("--hang-after", type=int, default=30, help="seconds before an input counts as a hang")
    parser.add_argument("--crashes", type=Path, default=None, help="folder to save crashing inputs in")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    targets = list(TARGETS) if args.target == "all" else [args.target]
    results = [
        fuzz(
            t,
            args.duration / len(targets),
            examples=args.examples,
            hang_after=args.hang_after,
            crashes_dir=args.crashes,
        )
        for t in targets
    ]
    print(
        f"{'target':<10}{'seconds':>9}{'executions':>12}{'exec/s':>9}{'crashes':>9}{'hangs':>7}"
        f"{'slowest s':>11}{'its size':>10}{'largest':>9}"
    )
    for f in results:
        print(
            f"{f.target:<10}{f.seconds:>9.0f}{f.executions:>12}{f.executions / max(f.seconds, 1e-9):>9.1f}"
            f"{f.crashes:>9}{f.hangs:>7}{f.slowest:>11.3f}{f.slowest_size:>10}{f.largest:>9}"
        )
        for sample in f.crash_samples[:10]:
            print(f"  crash {sample}")
    if args.json:
        args.json.write_text(json.dumps([f.__dict__ for f in results], indent=2))
    return 1 if any(f.crashes or f.hangs for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
