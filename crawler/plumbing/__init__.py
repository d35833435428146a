"""Scrapy plumbing shared by the spiders: add-ons, middlewares, extensions, feed exporters, the
`-a` argument checks, the reading step, the worker pool and the project's `scrapy crawl` command."""
