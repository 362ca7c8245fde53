"""Outlets whose articles are built by scripts, in two framework-free halves.

* :mod:`archiver.crawl.browser.shell` tells, from the HTML an HTTP crawl received,
  that a page is a script-built shell, so the crawl flags it ``needs_browser``
  instead of storing an empty or wrong article;
* :mod:`archiver.crawl.browser.render` drives one headless Chromium (Playwright) for a
  crawl in browser mode: every request the page makes is checked and archived, and
  the rendered DOM and a screenshot come back as WARC ``resource`` records.

The signs, the modes and the reasons: "Script-built outlets" in ``docs/architecture.md``.
"""
