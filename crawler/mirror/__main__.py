"""``python -m crawler.mirror SNAPSHOT --port N``: serve a snapshot until interrupted."""

from crawler.mirror.server import main

main()
