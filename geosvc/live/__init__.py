"""The live event bus: the ``live_event`` log, its NOTIFY, the hub and the SSE stream.

Domains publish into it (a request's event, a live cluster's change) in their own
transactions; the war room and other live pages read from it. It imports no domain.
"""
