"""Scrapy item pipelines: clean each page, store each article."""
