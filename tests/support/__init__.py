"""Helpers the tests share: saved pages and golden outputs, crawl commands, private sites."""
