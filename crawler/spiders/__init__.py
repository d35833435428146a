"""Spiders: navigation only. Reading a page is crawler.sina.pages' job."""
