"""geosvc: where municipal basic services fail, and whether the municipality answered."""

__version__ = "0.1.0"
