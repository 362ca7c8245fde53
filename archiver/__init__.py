"""News archiver: crawl outlets into WARC, clean articles, index them in SQLite.

The package is the framework-free core. Scrapy glue lives in the top-level
``spiders`` and ``pipelines`` packages; Datasette configuration in ``datasette/``.
"""

__version__ = "0.1.0"
SOFTWARE = f"news-archiver/{__version__}"
USER_AGENT = (
    f"news-archiver/{__version__} (+https://github.com/news-archiver/news-archiver; "
    "archival crawler; respects robots.txt)"
)

__all__ = ["__version__", "SOFTWARE", "USER_AGENT"]
