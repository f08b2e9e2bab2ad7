"""HTML pages for shoppers."""
