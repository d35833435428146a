"""The Scrapy project: settings, item schema, spiders and the framework-free page readers."""
