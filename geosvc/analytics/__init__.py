"""Analytics, grouped by what they compute.

The pure statistics never see a connection: ``clustering``, ``hotspots``, ``trends``,
``needs``, ``delivery`` and ``scoreboard``, with ``periods`` and ``projection`` shared by
them. ``repo`` reads their inputs from the database and stores their results; ``jobs``
runs them: a whole analysis run, and the war room's live clusters.
"""
