"""Emerging and fading hotspots over a series of periods. Pure."""
