"""Property tests: the cleaner and the WARC reader return, quickly, on any input.

The strategies and the two properties live in ``bench/fuzz.py`` (which runs
them for minutes); here a few hundred examples run in seconds, plus the inputs
that the long fuzz run once found crashing, kept as explicit examples.
"""

from __future__ import annotations

import sys
import time

from hypothesis import HealthCheck, example, given, settings

from support import REPO

sys.path.insert(0, str(REPO / "bench"))
import fuzz  # noqa: E402  (bench/fuzz.py: strategies and properties)

#: Seconds one input may take: far above the slowest seen (~0.2 s), far below a hang.
BOUND = 5.0
FAST = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    took = time.perf_counter() - start
    assert took < BOUND, f"took {took:.1f}s"
    return result


@FAST
@given(fuzz.html_inputs())
# found by bench/fuzz.py: a charset name holding a NUL byte made codecs.lookup raise ValueError
@example(b"<meta charset='v\x00x'><p>text</p>")
# found by bench/fuzz.py: 1000 nested elements overflowed the recursive renderer
@example("<div>" * 1000 + "<p>deep text</p>")
@example("<table><tr><td>" * 400 + "cell")
# found by bench/fuzz.py: a canonical/og:url/og:image URL urljoin cannot parse raised ValueError
@example('<link rel="canonical" href="http://127.][0.0.1:8000/tag/x/"><p>text</p>')
@example('<meta property="og:image" content="http://[broken/x.png"><p>text</p>')
def test_extract_returns_an_article_for_any_input(data):
    article = timed(fuzz.run_extract, data)
    assert article.text or article.reason, "an empty article must say why"


def test_unparsable_canonical_url_keeps_the_article():
    article = fuzz.run_extract(
        '<html><head><link rel="canonical" href="http://[broken/"></head><body><article><p>'
        + "Words of the article. " * 20
        + "</p></article></body></html>"
    )
    assert "Words of the article." in article.text and article.canonical_url is None


def test_deeply_nested_text_is_kept():
    article = fuzz.run_extract(
        "<html><body><article>"
        + "<div>" * 1000
        + "<p>"
        + "Deep words here. " * 20
        + "</p>"
        + "</div>" * 1000
        + "</article></body></html>"
    )
    assert "Deep words here." in article.text


@FAST
@given(fuzz.warc_inputs(bombs=False))
@example(b"")
@example(b"\x1f\x8b\x08" + b"\x00" * 20)
def test_warc_reader_never_raises_with_on_error(data):
    errors = timed(fuzz.run_warc, data)
    assert all("fuzz.warc.gz" in e for e in errors)


def test_seed_warc_reads_cleanly(tmp_path):
    """The seed really is a valid WARC, so mutations of it exercise the deep paths."""
    from archiver.warc.reader import iter_records

    path = tmp_path / "seed.warc.gz"
    path.write_bytes(fuzz.seed_warc())
    types = [r.rec_type for r in iter_records(path)]
    assert types[0] == "warcinfo" and types.count("response") == 3 and types.count("conversion") == 3


@FAST
@given(fuzz.wacz_inputs())
def test_verify_of_hostile_zips_never_escapes_nor_crashes(data):
    """Issue 11: hostile member names and sizes (bench/fuzz.py's wacz target, briefly)."""
    timed(fuzz.run_wacz, data)
