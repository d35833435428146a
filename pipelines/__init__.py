"""Item pipelines (one job each) and the post exporter."""
