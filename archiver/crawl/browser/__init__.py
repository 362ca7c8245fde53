"""Outlets whose articles are built by scripts.

Two halves, both framework-free:

* :mod:`archiver.crawl.browser.shell` tells, from the HTML an HTTP crawl received,
  that a page is a script-built shell (an app root with nothing in it, a JSON
  state blob, a "turn on JavaScript" notice, a JSON-LD ``articleBody`` that the
  visible page does not show), so the crawl flags it ``needs_browser`` instead
  of storing an empty or wrong article.
* :mod:`archiver.crawl.browser.render` drives one headless Chromium (Playwright) for a
  crawl in browser mode: every request the page makes is checked by the caller's
  address guard and handed to the caller to archive, and the rendered DOM and a
  full-page screenshot come back to be stored as WARC ``resource`` records.
"""
