"""Scrapy glue: the capture download handler and middleware, and the item pipelines."""
