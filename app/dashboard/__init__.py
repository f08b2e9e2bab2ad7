"""HTML pages for cooperative members."""
