"""Scrapy download handlers: the HTTP/1.1 handler that tees the raw bytes of each exchange."""
