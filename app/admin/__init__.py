"""HTML pages for admins."""
