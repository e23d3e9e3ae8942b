"""Density clusters of incidents: DBSCAN in metres, cluster summaries, and their identities
across runs. Pure."""
