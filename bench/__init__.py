"""Benchmarks that print ratios of paths measured side by side: ``python -m bench``."""
