"""Scrapy scheduler components: the Redis-shared frontier of a distributed crawl."""
