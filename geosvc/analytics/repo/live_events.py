"""The live event log as the live cluster worker reads it: the service types its request
events name (the LISTEN itself is the bus's: ``geosvc.live.repo.listen_blocking``)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from geosvc.live.events import Topic


def request_services(conn: Connection, event_ids: set[int]) -> set[str]:
    """The service types of the request events ``event_ids`` of the live event log."""
    rows = conn.execute(
        text(
            "SELECT DISTINCT payload ->> 'service_code' FROM live_event "
            "WHERE id = ANY(:ids) AND topic = :topic AND payload ? 'service_code'"
        ),
        {"ids": sorted(event_ids), "topic": Topic.REQUEST.value},
    ).scalars()
    return {str(code) for code in rows}
