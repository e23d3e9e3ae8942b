"""What a planner reads: a ward's profile, the needs and hotspot maps, printable reports.

The pieces read the newest analysis run (``geosvc.analytics.repo.runs``) and never change it.
``classes`` holds the map classifications that the planner page, the folium maps and the
reports share, so a ward has the same colour everywhere.
"""
