"""What the Datasette plugins in ``datasette/`` show, computed without Datasette.

The plugins are thin: they read request parameters, run these functions and render
templates. Everything here takes plain values (rows, bytes, lists), so it is tested
without a server: an archived response read back from its WARC record and the headers
that make serving it safe (``capture``), word diffs (``diff``), SVG bar charts
(``charts``), the search page's SQL (``search``), replay rewriting (``rewrite``).
Citations come from :mod:`archiver.tools.cite`, the same as ``archiver cite``.
"""

from .charts import stacked_bars_svg
from .diff import word_diff
from .search import SearchForm, search_sql
from .capture import RAW_CSP, CaptureError, CaptureView, load_capture, record_slug, slug_record_id

__all__ = [
    "RAW_CSP",
    "SearchForm",
    "CaptureError",
    "CaptureView",
    "load_capture",
    "record_slug",
    "search_sql",
    "slug_record_id",
    "stacked_bars_svg",
    "word_diff",
]
