"""News archiver: crawl outlets into WARC, clean articles, index them in SQLite.

The one import name of the project. Its own folder is the framework-free core;
the Scrapy glue (``archiver.spiders``, ``archiver.pipelines``, ...) lives in the
checkout's top-level folders, mapped here by pyproject.toml (docs/architecture.md,
"Layout"). Datasette configuration is in ``datasette/``.
"""

__version__ = "0.1.0"
SOFTWARE = f"news-archiver/{__version__}"
USER_AGENT = (
    f"news-archiver/{__version__} (+https://github.com/news-archiver/news-archiver; "
    "archival crawler; respects robots.txt)"
)

__all__ = ["__version__", "SOFTWARE", "USER_AGENT"]
