"""Where truth is kept: the crawl state (SQLite or Redis), coverage marks, the manifest's lines,
atomic file writes and the crawl locks."""
