"""Outlet definitions: small TOML files that say what to crawl and how to tell articles.

An outlet file (``outlets/<name>.toml``; every key in "Outlet files" in
``docs/architecture.md``) names the home page, sitemaps, feeds, the URL rules that say
which pages are articles, a page budget, a date window and the cleaner's selectors.
Loading validates everything up front, so a typo stops the crawl before any request is
sent, with a message that names the file, the key and the fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

__all__ = ["Outlet", "OutletError", "load_outlet", "outlet_dirs", "available_outlets"]

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # checked with fullmatch: no trailing newline

#: Keys an outlet file may hold, with a short description used in error messages.
KEYS: dict[str, str] = {
    "name": "the outlet's short name (letters, digits, - and _)",
    "title": "a human-readable name",
    "home": "the outlet's home page URL",
    "domains": "list of allowed host names",
    "start_urls": "list of URLs to start from",
    "sitemap_urls": "list of sitemap or sitemap-index URLs",
    "feed_urls": "list of RSS/Atom feed URLs",
    "article_allow": "list of regexes; a URL path matching one is an article",
    "article_deny": "list of regexes; a URL path matching one is never an article",
    "follow_deny": "list of regexes; links whose path matches are not followed",
    "max_pages": "positive integer: stop after this many responses",
    "max_depth": "non-negative integer: how many links deep to follow",
    "requisites_obey_robots": "true (default) or false: whether robots.txt applies to page requisites",
    "date_from": "ISO date: skip articles published before it",
    "date_until": "ISO date: skip articles published after it",
    "selectors": "table with `body` and `remove` lists of CSS selectors",
    "render": '"http" (default) or "browser": load article pages in headless Chromium',
    "revisit": "table: re-check archived articles daily up to `daily_until` days old, weekly up to "
    "`weekly_until`, then every `then_every` days (incremental crawls)",
}
#: How an outlet's pages are captured: as received over HTTP, or as a browser renders them.
RENDER_MODES = ("http", "browser")
REVISIT_KEYS = ("daily_until", "weekly_until", "then_every")
SELECTOR_KEYS = {"body", "remove"}


class OutletError(ValueError):
    """An outlet definition that cannot be used; the message says how to fix it."""


@dataclasses.dataclass(frozen=True)
class Outlet:
    """A validated outlet definition. URLs are absolute, regexes compiled."""

    name: str
    home: str
    domains: tuple[str, ...]
    title: str = ""
    start_urls: tuple[str, ...] = ()
    sitemap_urls: tuple[str, ...] = ()
    feed_urls: tuple[str, ...] = ()
    article_allow: tuple[re.Pattern[str], ...] = ()
    article_deny: tuple[re.Pattern[str], ...] = ()
    follow_deny: tuple[re.Pattern[str], ...] = ()
    max_pages: int | None = None
    max_depth: int | None = None
    requisites_obey_robots: bool = True
    date_from: dt.date | None = None
    date_until: dt.date | None = None
    body_selectors: tuple[str, ...] = ()
    remove_selectors: tuple[str, ...] = ()
    render: str = "http"
    #: ``[revisit]`` of the file: (daily_until, weekly_until, then_every) in days (archiver/crawl/incremental.py).
    revisit: tuple[float, float, float] = (7, 30, 30)
    source: str = ""

    # -- URL rules ---------------------------------------------------------

    def allows_host(self, url: str) -> bool:
        """True when ``url``'s host is one of the outlet's domains or a subdomain."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def url_verdict(self, url: str) -> bool | None:
        """What the URL rules say of ``url``: True (article), False (never), None (undecided).

        Rules match the path plus query, so ``^/2024/`` style patterns read
        naturally. An undecided URL is judged by the page's own signals
        (``og:type=article``, JSON-LD ``NewsArticle``), so an incomplete
        allow-list does not lose articles.
        """
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if any(p.search(target) for p in self.article_deny):
            return False
        if any(p.search(target) for p in self.article_allow):
            return True
        return None

    def may_follow(self, url: str) -> bool:
        """True when a link to ``url`` may be followed (inside the outlet, not denied)."""
        if not self.allows_host(url):
            return False
        path = urlsplit(url).path
        return not any(p.search(path) for p in self.follow_deny)

    def in_date_window(self, published: str | None) -> bool:
        """True when ``published`` (ISO 8601) is inside the window, or unknown."""
        if not published or (self.date_from is None and self.date_until is None):
            return True
        try:
            day = dt.date.fromisoformat(published[:10])
        except ValueError:
            return True
        if self.date_from and day < self.date_from:
            return False
        if self.date_until and day > self.date_until:
            return False
        return True

    def rebase(self, home: str) -> "Outlet":
        """The same outlet served from another origin (the demo on a free port).

        Every URL on the old origin moves to the new one, and the new host
        replaces the old one in ``domains``.
        """
        old = urlsplit(self.home)
        new = urlsplit(home)

        def move(url: str) -> str:
            parts = urlsplit(url)
            if parts.netloc != old.netloc:
                return url
            return parts._replace(scheme=new.scheme, netloc=new.netloc).geturl()

        old_host = (old.hostname or "").lower()
        domains = tuple((new.hostname or "").lower() if d == old_host else d for d in self.domains)
        return dataclasses.replace(
            self,
            home=move(self.home),
            domains=domains,
            start_urls=tuple(map(move, self.start_urls)),
            sitemap_urls=tuple(map(move, self.sitemap_urls)),
            feed_urls=tuple(map(move, self.feed_urls)),
        )

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly view, for the crawl record and warcinfo."""
        return {
            "name": self.name,
            "home": self.home,
            "domains": list(self.domains),
            "start_urls": list(self.start_urls),
            "sitemap_urls": list(self.sitemap_urls),
            "feed_urls": list(self.feed_urls),
            "article_allow": [p.pattern for p in self.article_allow],
            "article_deny": [p.pattern for p in self.article_deny],
            "max_pages": self.max_pages,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_until": self.date_until.isoformat() if self.date_until else None,
            "render": self.render,
        }


def bundled_outlets_dir() -> Path:
    """The outlet files that ship with the project.

    An installed wheel holds them as ``archiver/bundled_outlets/`` (``outlets/``
    mapped into the package by ``pyproject.toml``); a checkout as ``outlets/``.
    """
    installed = Path(__file__).resolve().parent / "bundled_outlets"
    return installed if installed.is_dir() else Path(__file__).resolve().parent.parent / "outlets"


def outlet_dirs(extra: Iterable[str | Path] = ()) -> list[Path]:
    """Where outlet files are looked up, first match wins.

    The folders given (``--outlets-dir``), then ``./outlets``, then the
    outlets that ship with the project (:func:`bundled_outlets_dir`).
    """
    dirs = [*(Path(d) for d in extra), Path.cwd() / "outlets", bundled_outlets_dir()]
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [s.resolve() for s in seen]:
            seen.append(d)
    return seen


def available_outlets(dirs: Iterable[Path] | None = None) -> list[str]:
    """Names of the outlets that can be loaded by name."""
    names: set[str] = set()
    for d in dirs if dirs is not None else outlet_dirs():
        names.update(p.stem for p in Path(d).glob("*.toml"))
    return sorted(names)


def load_outlet(name_or_path: str | Path, *, dirs: Iterable[Path] | None = None) -> Outlet:
    """Load and validate an outlet by name (looked up in :func:`outlet_dirs`) or by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        if not NAME_RE.fullmatch(str(name_or_path)):
            raise OutletError(
                f"{name_or_path!r} is not a valid outlet name: use lowercase letters, "
                "digits, '-' and '_' (or give a path to a .toml file)"
            )
        search = list(dirs) if dirs is not None else outlet_dirs()
        for d in search:
            candidate = Path(d) / f"{name_or_path}.toml"
            if candidate.is_file():
                path = candidate
                break
        else:
            known = ", ".join(available_outlets(search)) or "none"
            raise OutletError(
                f"unknown outlet {str(name_or_path)!r}: no {name_or_path}.toml in "
                f"{', '.join(str(d) for d in search) or 'any outlets/ folder'} "
                f"(known outlets: {known})"
            )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutletError(f"{path}: no such outlet file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OutletError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    return parse_outlet(raw, source=str(path))


def parse_outlet(raw: dict[str, Any], *, source: str = "<outlet>") -> Outlet:
    """Validate a decoded outlet mapping; the keys: docs/architecture.md, "Outlet files"."""
    keys = _Keys(raw, source)
    for key in raw:
        if key not in KEYS:
            close = [k for k in KEYS if k.startswith(key[:3])]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise keys.fail(key, f"unknown key{hint}; allowed keys: {', '.join(KEYS)}")

    name = raw.get("name") or Path(source).stem
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise keys.fail("name", "use lowercase letters, digits, '-' and '_' (at most 64)")
    home, start_urls = _home_and_start(keys)
    domains = _domains(keys, home)
    body, remove = _selectors(keys)
    render = raw.get("render", "http")
    if render not in RENDER_MODES:
        raise keys.fail("render", f"expected one of {', '.join(map(repr, RENDER_MODES))}, got {render!r}")
    outlet = Outlet(
        name=name,
        title=str(raw.get("title", name)),
        home=home,
        domains=domains,
        start_urls=start_urls,
        sitemap_urls=keys.url_list("sitemap_urls", home),
        feed_urls=keys.url_list("feed_urls", home),
        article_allow=keys.regex_list("article_allow"),
        article_deny=keys.regex_list("article_deny"),
        follow_deny=keys.regex_list("follow_deny"),
        max_pages=keys.positive_int("max_pages", 1),
        max_depth=keys.positive_int("max_depth", 0),
        date_from=keys.date("date_from"),
        date_until=keys.date("date_until"),
        body_selectors=body,
        remove_selectors=remove,
        render=render,
        revisit=_revisit(raw.get("revisit", {}), keys.fail),
        requisites_obey_robots=_boolean(raw, "requisites_obey_robots", True, keys.fail),
        source=source,
    )
    if outlet.date_from and outlet.date_until and outlet.date_from > outlet.date_until:
        raise keys.fail("date_until", "is before date_from; swap them")
    return outlet


class _Keys:
    """Typed reads of an outlet mapping's keys, each failing with a message naming file and key."""

    def __init__(self, raw: dict[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source

    def fail(self, key: str, problem: str) -> OutletError:
        return OutletError(f"{self.source}: key {key!r}: {problem}")

    def url_list(self, key: str, base: str) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"expected a list of URLs, got {value!r}")
        out = []
        for v in value:
            absolute = urljoin(base, v) if base else v
            if urlsplit(absolute).scheme not in ("http", "https"):
                raise self.fail(key, f"{v!r} is not an http(s) URL; give an absolute URL or set 'home'")
            out.append(absolute)
        return tuple(out)

    def regex_list(self, key: str) -> tuple[re.Pattern[str], ...]:
        value = self.raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of regular expressions, got {value!r}")
        compiled = []
        for v in value:
            try:
                compiled.append(re.compile(v))
            except (re.error, TypeError) as exc:
                raise self.fail(key, f"bad regular expression {v!r}: {exc}") from None
        return tuple(compiled)

    def positive_int(self, key: str, minimum: int) -> int | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(key, f"expected an integer >= {minimum}, got {value!r}")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"expected an ISO date like 2024-06-01, got {value!r}") from None


def _home_and_start(keys: _Keys) -> tuple[str, tuple[str, ...]]:
    """``home`` (given, or the origin of the first URL given) and the start URLs (default: home)."""
    home = keys.raw.get("home", "")
    if home and (not isinstance(home, str) or urlsplit(home).scheme not in ("http", "https")):
        raise keys.fail("home", f"{home!r} is not an http(s) URL, e.g. 'https://www.example.com/'")
    start_urls = keys.url_list("start_urls", home)
    if not home:
        firsts = start_urls or keys.url_list("sitemap_urls", "") or keys.url_list("feed_urls", "")
        if not firsts:
            raise keys.fail("home", "give 'home' or at least one of start_urls/sitemap_urls/feed_urls")
        home = urljoin(firsts[0], "/")
    return home, start_urls or (home,)


def _domains(keys: _Keys, home: str) -> tuple[str, ...]:
    """The host names the crawl stays on (default: home's)."""
    domains = keys.raw.get("domains")
    if domains is None:
        domains = [urlsplit(home).hostname or ""]
    if isinstance(domains, str):
        domains = [domains]
    if (
        not isinstance(domains, list)
        or not domains
        or not all(isinstance(d, str) and d.strip() and "/" not in d for d in domains)
    ):
        raise keys.fail(
            "domains", f"expected a non-empty list of host names like ['example.com'], got {domains!r}"
        )
    return tuple(d.strip().lower() for d in domains)


def _selectors(keys: _Keys) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``[selectors] body`` and ``remove``, each checked by the CSS engine the cleaner uses."""
    selectors = keys.raw.get("selectors", {})
    if not isinstance(selectors, dict):
        raise keys.fail("selectors", "expected a table: [selectors] body = [...] remove = [...]")
    for key in selectors:
        if key not in SELECTOR_KEYS:
            raise keys.fail(f"selectors.{key}", "unknown key; allowed: body, remove")
    body, remove = (tuple(_selector_list(selectors, k, keys.fail)) for k in ("body", "remove"))
    return body, remove


def _boolean(raw: dict[str, Any], key: str, default: bool, fail: Any) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise fail(key, f"expected true or false, got {value!r}")
    return value


def _selector_list(table: dict[str, Any], key: str, fail: Any) -> list[str]:
    """Validate a list of CSS selectors with soupsieve, which the cleaner uses."""
    import soupsieve

    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise fail(f"selectors.{key}", f"expected a list of CSS selectors, got {value!r}")
    for sel in value:
        try:
            soupsieve.compile(sel)
        except Exception as exc:  # soupsieve raises SelectorSyntaxError and others
            raise fail(f"selectors.{key}", f"bad CSS selector {sel!r}: {exc}") from None
    return value


def _revisit(table: Any, fail: Any) -> tuple[float, float, float]:
    """The ``[revisit]`` table: ages and interval in days, positive numbers, daily_until <= weekly_until."""
    if not isinstance(table, dict):
        raise fail("revisit", "expected a table: [revisit] daily_until = 7 weekly_until = 30 then_every = 30")
    values: dict[str, float] = {"daily_until": 7, "weekly_until": 30, "then_every": 30}
    for key, value in table.items():
        if key not in values:
            raise fail(f"revisit.{key}", f"unknown key; allowed: {', '.join(REVISIT_KEYS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise fail(f"revisit.{key}", f"expected a positive number of days, got {value!r}")
        values[key] = value
    if values["daily_until"] > values["weekly_until"]:
        raise fail("revisit.weekly_until", "is shorter than daily_until; make it at least as long")
    return (values["daily_until"], values["weekly_until"], values["then_every"])
