"""The loopback mirror of a saved Sina site, for tests, the demo and debugging; never on the
crawl path of a live run.

``server`` serves a snapshot folder (``python -m crawler.mirror SNAPSHOT --port N``),
``roll_feed`` its roll API, ``faults`` injected faults, ``warc_site`` a WARC archive instead
(``--warc ARCHIVE…``), and ``handler`` the download handler
that ``crawler.plumbing.addons.SinaMirrorAddon`` switches in when ``SINA_MIRROR`` is set.
"""
