"""Wards: official boundaries, their loading, lookup and indicators."""
