"""Outlet definitions: loading, validation messages, URL rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archiver.outlets import OutletError, load_outlet, parse_outlet


def write(tmp_path: Path, text: str, name: str = "paper.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_outlet_loads_with_absolute_urls():
    outlet = load_outlet("demo")
    assert outlet.name == "demo"
    assert outlet.domains == ("127.0.0.1",)
    assert outlet.sitemap_urls == ("http://127.0.0.1:8000/sitemap_index.xml",)
    assert outlet.url_verdict("http://127.0.0.1:8000/2024/06/21/belarus/") is True
    assert outlet.url_verdict("http://127.0.0.1:8000/tag/ukraine/") is False
    assert outlet.url_verdict("http://127.0.0.1:8000/about/") is None


def test_rebase_moves_every_url_and_domain():
    outlet = load_outlet("demo").rebase("http://127.0.0.1:54321/")
    assert outlet.home == "http://127.0.0.1:54321/"
    assert all(u.startswith("http://127.0.0.1:54321/") for u in outlet.start_urls + outlet.feed_urls)
    assert outlet.allows_host("http://127.0.0.1:54321/x")
    assert not outlet.allows_host("http://example.org/x")


def test_subdomains_are_allowed_and_lookalikes_are_not():
    outlet = parse_outlet({"name": "p", "home": "https://paper.example/"})
    assert outlet.allows_host("https://www.paper.example/a")
    assert not outlet.allows_host("https://notpaper.example/a")


@pytest.mark.parametrize(
    "text, key, fix",
    [
        (
            'name = "p"\nhome = "https://p.example/"\nstart_url = ["/"]\n',
            "start_url",
            "did you mean 'start_urls'",
        ),
        (
            'name = "p"\nhome = "https://p.example/"\narticle_allow = ["(unclosed"]\n',
            "article_allow",
            "bad regular expression",
        ),
        ('name = "p"\nstart_urls = ["/relative"]\n', "start_urls", "not an http(s) URL"),
        ('name = "p"\nhome = "https://p.example/"\ndomains = []\n', "domains", "non-empty list"),
        ('name = "p"\nhome = "https://p.example/"\nmax_pages = 0\n', "max_pages", "integer >= 1"),
        ('name = "p"\nhome = "https://p.example/"\ndate_from = "June"\n', "date_from", "ISO date"),
        (
            'name = "p"\nhome = "https://p.example/"\n[selectors]\nbody = ["div[[["]\n',
            "selectors.body",
            "bad CSS selector",
        ),
        ('name = "Bad Name"\nhome = "https://p.example/"\n', "name", "lowercase letters"),
    ],
)
def test_bad_outlet_file_names_file_key_and_fix(tmp_path, text, key, fix):
    path = write(tmp_path, text)
    with pytest.raises(OutletError) as info:
        load_outlet(path)
    message = str(info.value)
    assert str(path) in message
    assert repr(key) in message
    assert fix in message


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    path = write(tmp_path, "name = \n")
    with pytest.raises(OutletError, match="not valid TOML"):
        load_outlet(path)


def test_unknown_outlet_lists_known_ones(tmp_path):
    write(tmp_path, 'home = "https://p.example/"\n', "paper.toml")
    with pytest.raises(OutletError) as info:
        load_outlet("nosuch", dirs=[tmp_path])
    assert "unknown outlet 'nosuch'" in str(info.value)
    assert "paper" in str(info.value)


def test_date_window():
    outlet = parse_outlet(
        {
            "name": "p",
            "home": "https://p.example/",
            "date_from": "2024-06-01",
            "date_until": dt.date(2024, 6, 30),
        }
    )
    assert outlet.in_date_window("2024-06-15T10:00:00+01:00")
    assert not outlet.in_date_window("2024-05-31T23:00:00Z")
    assert not outlet.in_date_window("2024-07-01")
    assert outlet.in_date_window(None)  # unknown dates are fetched and judged on the page
