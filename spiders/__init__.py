"""Scrapy spiders (thin adapters that turn an outlet definition into requests), their spider middleware and runner."""
