"""The one import name: every folder of Scrapy glue installs under ``archiver``, none at the top level."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GLUE = {
    "archiver.spiders": "spiders",
    "archiver.pipelines": "pipelines",
    "archiver.handlers": "handlers",
    "archiver.downloadermiddlewares": "downloadermiddlewares",
    "archiver.extensions": "extensions",
    "archiver.scheduler": "scheduler",
}
#: The design card's other folders, installed under ``archiver`` too (the Datasette plugin, its site
#: files, the bundled outlet files).
DATA = {
    "archiver.web.plugins": "datasette/plugins",
    "archiver.web.site": "datasette",
    "archiver.bundled_outlets": "outlets",
}


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_glue_folders_are_mapped_under_archiver() -> None:
    assert _setuptools()["package-dir"] == {**GLUE, **DATA}
    for name, folder in GLUE.items():
        module = importlib.import_module(name)
        assert Path(module.__file__).resolve().parent == REPO / folder, name


def test_every_package_of_the_tree_is_listed_and_nothing_generic_is() -> None:
    listed = set(_setuptools()["packages"])
    found = (
        {".".join(path.parent.relative_to(REPO).parts) for path in (REPO / "archiver").rglob("__init__.py")}
        | set(GLUE)
        | set(DATA)
    )
    assert found == listed
    assert all(name == "archiver" or name.startswith("archiver.") for name in listed)
    assert not (REPO / "datasette" / "__init__.py").exists(), "it would shadow the datasette package"


def test_settings_name_only_importable_components() -> None:
    from scrapy.utils.misc import load_object

    from archiver import settings

    paths = [
        *(h for h in settings.DOWNLOAD_HANDLERS.values() if h is not None),  # None: a scheme switched off
        *(
            m for m, order in settings.DOWNLOADER_MIDDLEWARES.items() if order is not None
        ),  # None: Scrapy's, off
        *settings.SPIDER_MIDDLEWARES,
        *settings.EXTENSIONS,
        *settings.ITEM_PIPELINES,
        *([settings.DUPEFILTER_CLASS] if hasattr(settings, "DUPEFILTER_CLASS") else []),
    ]
    for path in paths:
        assert path.startswith("archiver."), path
        load_object(path)
