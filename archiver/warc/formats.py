"""The archive's own WARC vocabulary: payload content types and revisit profiles, one place each."""

from __future__ import annotations

#: Content type of the ``conversion`` records that hold an article's clean text.
ARTICLE_JSON_TYPE = "application/vnd.news-archiver.article+json"
#: Content type of the records that flag a capture as a paywall/consent/captcha page.
WALL_JSON_TYPE = "application/vnd.news-archiver.wall+json"
#: WARC 1.1 revisit profile for a payload identical to an earlier capture's.
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
#: WARC 1.1 revisit profile for a server's ``304 Not Modified`` (the payload was not sent again).
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
#: Content type of the records listing a page's requisites and what became of them.
REQUISITES_JSON_TYPE = "application/vnd.news-archiver.crawl.requisites+json"
