"""Spiders: navigation only. Reading a page is crawler.pages' job."""
