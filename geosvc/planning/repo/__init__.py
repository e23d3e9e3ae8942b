"""What the planner reads from the database, as rows and frames; nothing here writes.

``catalogue`` reads service types and wards, ``results`` the newest run's stored results,
``evidence`` the live requests and survey indicators, ``frames`` ward outlines with results.
"""
