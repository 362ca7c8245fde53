"""Crawl-time work, framework-free: the archive session, discovery, traps, re-crawls, resume."""
