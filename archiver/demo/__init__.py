"""The bundled demo outlet: a deterministic WordPress-style news site and a local server for it.

Tests and ``make demo`` crawl it instead of a real outlet: it carries the
furniture real outlets have (comment forms, share bars, "READ MORE:" promos,
"More like this" teasers, cookie banners, newsletter boxes, ads), sitemaps,
feeds and a robots.txt, and it knows the clean text every article must yield.

Names are imported lazily so that ``python -m archiver.demo.site`` and
``python -m archiver.demo.server`` run their modules without a double import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archiver.demo.model import DemoArticle, DemoSite, Page
    from archiver.demo.server import DemoServer
    from archiver.demo.site import FURNITURE_STRINGS, build_site

__all__ = ["FURNITURE_STRINGS", "DemoArticle", "DemoServer", "DemoSite", "Page", "build_site"]

_HOMES = {
    "DemoArticle": "archiver.demo.model",
    "DemoSite": "archiver.demo.model",
    "Page": "archiver.demo.model",
    "DemoServer": "archiver.demo.server",
    "FURNITURE_STRINGS": "archiver.demo.site",
    "build_site": "archiver.demo.site",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'archiver.demo' has no attribute {name!r}")
