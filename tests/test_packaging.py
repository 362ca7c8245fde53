"""The package as a user gets it: a wheel installed into a fresh virtualenv, run outside the checkout.

The wheel is built from this checkout, installed with its dependencies from
the same index the project uses, and run from a temporary folder with no
``PYTHONPATH``: ``archiver demo --no-serve``, then ``archiver serve`` and a
plain ``datasette archive.db`` (the plugins come through the ``datasette``
entry points). Each page, header and refusal asserted here is one that an
incomplete wheel lost (issue 16).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from archiver.serve import record_slug
from support import REPO

pytestmark = pytest.mark.slow

INSTALL_TIMEOUT = 900  # a fresh venv resolves and installs Scrapy, Datasette and their dependencies


def _run(
    *args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, args))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    )
    return proc


def _clean_env() -> dict[str, str]:
    """The environment of a user's shell: nothing that points back into the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "ARCHIVER_DATASETTE_DIR", "VIRTUAL_ENV")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel path, venv bin folder, a user's folder outside the checkout, that env)."""
    root = tmp_path_factory.mktemp("wheel")
    env = _clean_env()
    dist = root / "dist"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-w",
        dist,
        REPO,
        cwd=root,
        env=env,
        timeout=INSTALL_TIMEOUT,
    )
    [wheel] = list(dist.glob("news_archiver-*.whl"))
    _run(sys.executable, "-m", "venv", root / "venv", cwd=root, env=env)
    bin_dir = root / "venv" / "bin"
    _run(
        bin_dir / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        wheel,
        cwd=root,
        env=env,
        timeout=INSTALL_TIMEOUT,
    )
    user = root / "user"
    user.mkdir()
    return wheel, bin_dir, user, env


@pytest.fixture(scope="module")
def demo_archive(installed):
    """``archiver demo --out X --no-serve`` from the user's folder: the archive folder X."""
    _, bin_dir, user, env = installed
    proc = _run(bin_dir / "archiver", "demo", "--out", "demo-archive", "--no-serve", cwd=user, env=env)
    assert "new articles" in proc.stdout and "Dumping Scrapy stats" not in proc.stderr
    return user / "demo-archive"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A server process on 127.0.0.1; ``get``/``request`` return (status, headers, body)."""

    def __init__(self, args: list[str | Path], cwd: Path, env: dict[str, str], port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [str(a) for a in args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                self.get("/-/versions.json")
                return
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise AssertionError(f"{args} did not start:\n{self.output()}") from None
                time.sleep(0.3)

    def request(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
        req = urllib.request.Request(self.base + path, method=method, data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return (
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read().decode("utf-8", "replace"),
                )
        except urllib.error.HTTPError as exc:
            return (
                exc.code,
                {k.lower(): v for k, v in exc.headers.items()},
                exc.read().decode("utf-8", "replace"),
            )

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self.request(path)

    def output(self) -> str:
        return self.proc.stdout.read() if self.proc.stdout and self.proc.poll() is not None else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


def _first_article(archive: Path) -> tuple[str, str]:
    with sqlite3.connect(archive / "archive.db") as conn:
        ident, capture = conn.execute(
            "select id, capture_record_id from articles order by id limit 1"
        ).fetchone()
    return ident, capture


def _assert_archive_pages(server: Served, archive: Path) -> None:
    """The article page, the capture view in its sandbox, read-only refusal, security headers."""
    ident, capture = _first_article(archive)
    status, headers, body = server.get(f"/archive/articles/{ident}")
    assert status == 200 and 'class="archive-title"' in body, body[:2000]  # templates/row.html, article_page
    assert headers.get("x-content-type-options") == "nosniff"  # security_headers plugin
    status, headers, body = server.get(f"/-/snapshot/{record_slug(capture)}")
    assert status == 200 and '<iframe class="archive-frame" sandbox=""' in body  # capture view
    status, headers, _ = server.get(f"/-/snapshot/{record_slug(capture)}/raw")
    assert status == 200 and headers["content-security-policy"].startswith("sandbox")
    status, headers, _ = server.get("/archive-static/archive.css")  # static files, from the package
    assert status == 200 and headers["content-type"].startswith("text/css")
    status, _, body = server.get("/-/search?q=the")
    assert status == 200 and "archive-search" in body
    status, headers, body = server.request("/archive/articles", method="POST")
    assert status == 405 and "read-only" in body and headers.get("allow") == "GET, HEAD, OPTIONS"


def test_wheel_holds_every_part_under_one_import_name(installed):
    wheel = installed[0]
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "archiver/web/site/metadata.yml",
        "archiver/web/site/templates/row.html",
        "archiver/web/site/templates/capture.html",
        "archiver/web/plugins/capture.py",
        "archiver/web/plugins/replay.py",
        "archiver/web/plugins/screenshot.py",
        "archiver/demo/data/meridian-display.ttf",
        "archiver/spiders/news.py",
        "archiver/downloadermiddlewares/capture.py",
        "archiver/crawl/browser/render.py",
        "archiver/web/site/static/archive.css",
        "archiver/web/plugins/article_page.py",
        "archiver/web/plugins/read_only.py",
        "archiver/bundled_outlets/demo.toml",
        "archiver/demo/data/seed.json",
        "archiver/py.typed",
    ):
        assert expected in names, f"{expected} missing from {wheel.name}"
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[datasette]" in text and "archiver.web.plugins.read_only" in text
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"archiver"}, f"top-level import names in the wheel: {sorted(top)} (only 'archiver' may be)"


def test_installed_package_runs_from_site_packages(installed):
    _, bin_dir, user, env = installed
    proc = _run(
        bin_dir / "python", "-c", "import archiver, archiver.web; print(archiver.__file__)", cwd=user, env=env
    )
    assert "site-packages" in proc.stdout and str(REPO) not in proc.stdout
    version = _run(bin_dir / "archiver", "--version", cwd=user, env=env).stdout
    assert version.startswith("archiver ") and "extractor" in version and "Scrapy" in version
    assert "datasette" in version


def test_demo_crawls_from_the_bundled_outlet(demo_archive):
    with sqlite3.connect(demo_archive / "archive.db") as conn:
        (articles,) = conn.execute("select count(*) from articles").fetchone()
    assert articles > 10 and list((demo_archive / "warcs").glob("*.warc.gz"))


def test_archiver_serve_from_the_wheel(installed, demo_archive):
    _, bin_dir, user, env = installed
    port = _free_port()
    server = Served(
        [bin_dir / "archiver", "serve", demo_archive / "archive.db", "--port", port], user, env, port
    )
    try:
        _assert_archive_pages(server, demo_archive)
        status, _, body = server.get("/archive/search?q=the")  # canned query of metadata.yml
        assert status == 200
    finally:
        server.close()


def test_plain_datasette_loads_the_plugins_through_entry_points(installed, demo_archive):
    _, bin_dir, user, env = installed
    port = _free_port()
    server = Served(
        [bin_dir / "datasette", demo_archive / "archive.db", "--port", port, "--host", "127.0.0.1"],
        user,
        env,
        port,
    )
    try:
        _assert_archive_pages(server, demo_archive)
    finally:
        server.close()
