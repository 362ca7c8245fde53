"""Scrapy downloader middlewares: address guard, Retry-After, conditional requests, WARC capture."""
