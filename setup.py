"""For scrapyd-deploy, which builds the project egg with ``setup.py bdist_egg`` (and would write
a setup.py of its own, without crawler/sina/channels.yaml, if none existed). Everything else is in
pyproject.toml: metadata, packages, package data and the ``scrapy`` settings entry point."""

from setuptools import setup

setup()
