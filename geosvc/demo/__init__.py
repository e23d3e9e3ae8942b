"""Synthetic, reproducible demo data: service requests with planted hotspots and surveys."""
