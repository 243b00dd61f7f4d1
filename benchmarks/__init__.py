"""Benchmarks for npdesk (`make bench`). Results and machine notes go to docs/benchmarks.md."""
