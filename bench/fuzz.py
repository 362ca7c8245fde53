"""Fuzz the cleaner and the WARC reader with hypothesis for a fixed time.

Two targets, each a property that must hold for *any* input:

* ``extract``: :func:`archiver.clean.extract` on arbitrary bytes/str returns an
  :class:`~archiver.article.Article` within ``--slow`` seconds and never reports
  an internal error (``reason`` starting ``"extractor error"`` counts as a crash:
  the cleaner swallows exceptions so a crawl goes on, but each one is a bug);
* ``warc``: :func:`archiver.warc.reader.iter_records` with ``on_error`` on a
  mutated WARC file (flipped bytes, cuts, splices, garbage), on records with
  hostile lengths (negative, huge, hex, float, blank ``Content-Length``) and
  huge headers, and on gzip members that inflate past the reader's limit,
  never raises, returns within ``--slow`` seconds, never yields a block over
  ``MAX_RECORD_BYTES``, and every error it reports names the file;
* ``wacz``: :func:`archiver.tools.verify.verify` on zips whose members have hostile
  names (``..``, absolute, backslashes, control characters, symbolic links)
  and sizes (unlisted, lying about their size, inflating to many MB) never
  raises (but ``VerifyError`` for an unreadable zip), never leaves a file
  outside its temporary folder, and reports every hostile name.

Inputs are drawn by hypothesis strategies that mix random bytes, HTML-shaped
token soup and mutations of real seeds (the demo outlet's pages and a WARC the
project's own writer produces). Rounds of ``--examples`` run with fresh seeds
until ``--duration`` seconds have passed; the figures printed at the end are
executions, crashes, hangs, the slowest input's time per target and the
peak memory of the run. Crashing
inputs are saved under ``--crashes`` for replay::

    python bench/fuzz.py --duration 600            # the 10-minute run
    python bench/fuzz.py --duration 30 --target warc

The strategies here are shared with ``tests/test_fuzz_properties.py``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import resource
import signal
import sys
import tempfile
import time
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: archiver without an install

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
    from archiver.warc import HttpExchange, WarcWriter

    with tempfile.TemporaryDirectory() as tmp:
        when = datetime(2024, 6, 1, tzinfo=timezone.utc)
        with WarcWriter(tmp, "seed", warcinfo={"outlet": "seed"}) as writer:
            for i in range(3):
                body = b"<html><body><p>page %d</p></body></html>" % i
                capture = writer.write(
                    HttpExchange(
                        url=f"http://127.0.0.1/{i}",
                        fetched_at=when,
                        request_bytes=b"GET /%d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % i,
                        response_bytes=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
                        % (len(body), body),
                    )
                )
                writer.write_conversion(
                    url=capture.url,
                    refers_to=capture.record_id,
                    fetched_at=when,
                    payload=json.dumps({"article": {"url": capture.url}}).encode(),
                )
            writer.write(
                HttpExchange(
                    url="http://127.0.0.1/dead",
                    fetched_at=when,
                    request_bytes=b"GET /dead HTTP/1.1\r\n\r\n",
                    response_bytes=None,
                    error="ConnectionRefusedError",
                )
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


HOSTILE_LENGTHS = ["-1", "-239", "0x10", "1e9", "1.5", " ", "", "99999999999999999999", "+5", "５", "12 34"]


@st.composite
def hostile_record(draw: st.DrawFn) -> bytes:
    """One WARC record with a hostile Content-Length or an oversized header, gzipped or plain."""
    length = draw(st.one_of(st.sampled_from(HOSTILE_LENGTHS), st.integers(-(2**40), 2**40).map(str)))
    pad = b"a" * draw(st.sampled_from([0, 10, 70_000, 1_100_000, 2_000_000]))
    head = b"WARC/1.1\r\nWARC-Type: resource\r\nX-Pad: " + pad + b"\r\nContent-Length: " + length.encode()
    rec = head + b"\r\n\r\n" + draw(st.binary(max_size=256)) + b"\r\n\r\n"
    return gzip.compress(rec, compresslevel=1) if draw(st.booleans()) else rec


def bomb_member() -> bytes:
    """A gzip member of a WARC record that inflates past the reader's limit (built once, in pieces)."""
    if "bomb" not in _SEED_CACHE:
        from archiver.warc.reader import MAX_RECORD_BYTES

        size = MAX_RECORD_BYTES + (1 << 20)
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(1 << 20)
        head = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: %d\r\n\r\n" % size
        parts = [comp.compress(head)] + [comp.compress(zeros) for _ in range(size >> 20)] + [comp.flush()]
        _SEED_CACHE["bomb"] = [b"".join(parts)]
    return _SEED_CACHE["bomb"][0]


@st.composite
def spliced(draw: st.DrawFn, bombs: bool = True) -> bytes:
    """A real WARC with hostile records (and sometimes a bomb member) spliced between its members."""
    seed = seeds("warc")[0]
    parts = [seed[: len(seed) // 2]] if draw(st.booleans()) else []
    parts += draw(st.lists(hostile_record(), min_size=1, max_size=3))
    if bombs and draw(st.integers(0, 9)) == 0:
        parts.append(bomb_member())
    return b"".join(parts) + seed


def warc_inputs(bombs: bool = True) -> st.SearchStrategy[bytes]:
    """Mutated WARC files, hostile lengths and headers, bombs, plus empty, tiny and random ones.

    ``bombs=False`` leaves out the member that inflates past the limit (seconds each on a
    loaded machine; the quick property test has tests/test_security_archives.py for it).
    """
    return st.one_of(
        mutated(st.sampled_from(seeds("warc"))),
        spliced(bombs),
        st.binary(max_size=512),
        st.just(b""),
        st.just(b"WARC/1.1\r\n"),
    )


HOSTILE_NAMES = [
    "../escaped",
    "archive/../../escaped",
    "archive/../../../escaped",
    "/tmp/escaped-abs",
    "C:/escaped",
    "archive\\..\\..\\escaped",
    "archive/escaped\n",
    "archive//escaped",
    "archive/./escaped",
]
PLAIN_NAMES = [
    "archive/data.warc.gz",
    "data/archive.db",
    "indexes/index.cdx",
    "pages/pages.jsonl",
    "other.bin",
]


@st.composite
def wacz_inputs(draw: st.DrawFn) -> bytes:
    """A zip shaped like a WACZ whose members are hostile by name, by size or by what they hold."""
    import io
    import zipfile

    members: list[tuple[str, bytes, bool, bool]] = []  # name, data, listed, symbolic link
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.one_of(st.sampled_from(HOSTILE_NAMES), st.sampled_from(PLAIN_NAMES)))
        kind = draw(st.sampled_from(["warc", "spliced", "random", "zeros"]))
        if kind == "warc":
            data = seeds("warc")[0]
        elif kind == "spliced":
            data = draw(spliced(bombs=False))
        elif kind == "zeros":
            data = bytes(draw(st.sampled_from([0, 1 << 10, 1 << 20, 16 << 20])))
        else:
            data = draw(st.binary(max_size=512))
        members.append((name, data, draw(st.booleans()), draw(st.integers(0, 7)) == 0))
    resources = [
        {
            "path": name,
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "bytes": len(data) if draw(st.booleans()) else draw(st.integers(0, 1 << 30)),
        }
        for name, data, listed, _ in members
        if listed
    ]
    package = json.dumps({"profile": "data-package", "resources": resources}).encode()
    buf = io.BytesIO()
    warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # duplicates are hostile input too
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, _, link in members:
            info = zipfile.ZipInfo(name)
            if link:
                info.external_attr = 0o120777 << 16
                data = b"/tmp/escaped-link"
            zf.writestr(info, data, zipfile.ZIP_DEFLATED)
        zf.writestr("datapackage.json", package)
        digest = {"hash": "sha256:" + hashlib.sha256(package).hexdigest()}
        zf.writestr("datapackage-digest.json", json.dumps(digest))
    return buf.getvalue()


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
    from archiver.warc.reader import MAX_RECORD_BYTES, WarcError, iter_records

    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        path = Path(tmp) / "fuzz.warc.gz"
        path.write_bytes(data)
        errors: list[WarcError] = []
        count = 0
        for record in iter_records(path, on_error=errors.append):
            count += 1
            assert isinstance(record.block, bytes)
            _ = record.status, record.payload  # parse the HTTP head too
            assert len(record.block) <= MAX_RECORD_BYTES, (record.offset, len(record.block))
        for err in errors:
            assert isinstance(err, WarcError) and str(path) in str(err), err
        return [str(e) for e in errors]


def run_wacz(data: bytes, directory: Path | None = None) -> list[str]:
    """The verify property: no crash, nothing written outside its temporary folder, hostile names named."""
    import zipfile

    from archiver.tools.verify import VerifyError, verify
    from archiver.tools.zipsafe import unsafe_reason

    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        (root / "t").mkdir()
        path = root / "in" / "fuzz.wacz"
        path.write_bytes(data)
        saved, tempfile.tempdir = tempfile.tempdir, str(root / "t")
        try:
            report = verify(path, max_bytes=64 << 20)
        except VerifyError:
            return ["unreadable zip"]
        finally:
            tempfile.tempdir = saved
        left = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p != path and p.parent != root)
        assert left == [] and sorted(p.name for p in root.iterdir()) == ["in", "t"], left
        assert not Path("/tmp/escaped-abs").exists() and not Path("/tmp/escaped-link").exists()
        messages = [str(p) for p in report.problems]
        with zipfile.ZipFile(path) as zf:
            hostile = [i.filename for i in zf.infolist() if unsafe_reason(i.filename)]
        for name in hostile:
            assert any(repr(name) in m and "hostile" in m for m in messages), (name, messages)
        return messages


TARGETS: dict[str, tuple[Callable[[], st.SearchStrategy], Callable]] = {
    "extract": (html_inputs, run_extract),
    "warc": (warc_inputs, run_warc),
    "wacz": (wacz_inputs, run_wacz),
}


# ------------------------------------------------------------------ driver
@dataclass
class Figures:
    target: str
    executions: int = 0
    crashes: int = 0
    hangs: int = 0
    crash_samples: list[str] = field(default_factory=list)
    slowest: float = 0.0
    slowest_size: int = 0
    largest: int = 0
    seconds: float = 0.0


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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the whole run: {peak:.0f} MiB (the WARC reader caps a record at 128 MiB)")
    if args.json:
        args.json.write_text(json.dumps([f.__dict__ for f in results], indent=2))
    return 1 if any(f.crashes or f.hangs for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
