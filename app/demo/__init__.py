"""Demo data for `flask seed-demo`: pure builders (no database) and product images."""
