"""Scrapy extensions: crawl progress and stopping the crawl when the archive cannot be written."""
