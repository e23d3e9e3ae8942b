"""The war room's board: what it loads when it opens and the shapes of what it shows.

The board follows ``geosvc.live``'s event stream after loading; its lists hold the same
views of requests (``geosvc.requests.repo``) and live clusters
(``geosvc.analytics.repo.live_clusters``) that the events carry.
"""
