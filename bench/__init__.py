"""Benchmarks: each measures geosvc against a baseline in the same run and prints the ratio."""
