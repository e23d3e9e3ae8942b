"""The live event log: what publish writes, in which order, what it never carries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy import event as sqlalchemy_event

from geosvc.analytics.clustering.clusters import ClusterParams
from geosvc.analytics.jobs.live_clusters import update_live_clusters
from geosvc.analytics.jobs.live_worker import _request_event_id, services_of
from geosvc.errors import InvalidInputError
from geosvc.live.events import (
    LIVE_CHANNEL,
    Topic,
    event_bounds,
    prune_events,
    publish,
    publish_many,
    read_events,
    resume_point,
)
from geosvc.live.hub import libpq_url
from geosvc.requests.escalation import escalate_due
from geosvc.requests.intake import IntakePolicy, NewRequest, create_request
from geosvc.requests.lifecycle import Change, change_request, publish_request_event
from geosvc.requests.transitions import Action, Resolution
from geosvc.requests.working_days import WorkingCalendar
from tests.live.conftest import CONTACT, PERSONAL, LiveDb, lodge
from tests.requests.conftest import JOBURG

POLICY = IntakePolicy(calendar=WorkingCalendar(), reference_prefix="EVT")
REQUEST_KEYS = {
    "event_id", "event", "at", "breach", "reference", "kind", "service_code", "service_name",
    "service_group", "urgent", "status", "priority", "ward_code", "ward_name",
    "municipality_code", "lon", "lat", "requested_at", "due_at", "escalations", "breaches",
    "duplicate_of",
}  # fmt: skip


def _newest(conn: Connection) -> int:
    return event_bounds(conn)[1]


def _new_request(conn: Connection, at: datetime, service: str = "pothole", **fields: object):  # type: ignore[no-untyped-def]
    new = NewRequest(
        service_code=service,
        lon=float(fields.pop("lon", JOBURG[0])),  # type: ignore[arg-type]
        lat=float(fields.pop("lat", JOBURG[1])),  # type: ignore[arg-type]
        contact=CONTACT,
        description=PERSONAL["description"],
        address=PERSONAL["address_string"],
    )
    return create_request(conn, new, POLICY, at)


def _no_personal_data(payload: object) -> None:
    body = json.dumps(payload)
    for name, value in PERSONAL.items():
        assert value not in body, f"the {name} reached a live event"
    for word in ("contact", "description", "address", "actor", "note", "email", "phone"):
        assert f'"{word}"' not in body


def test_a_new_request_is_published_with_the_board_view_only(conn: Connection) -> None:
    before = _newest(conn)
    record = _new_request(conn, datetime.now(UTC))
    (event,) = read_events(conn, before)
    assert event.topic == "request"
    assert set(event.payload) == REQUEST_KEYS
    assert event.payload["reference"] == record.reference
    assert event.payload["event"] == "received"
    assert event.payload["service_code"] == "pothole"
    assert event.payload["service_name"] == "Pothole"
    assert event.payload["ward_code"] == record.ward_code == "79800060"
    assert event.payload["ward_name"].endswith("Ward 60")
    assert (event.payload["lon"], event.payload["lat"]) == pytest.approx(JOBURG)
    assert event.payload["status"] == "received"
    assert event.payload["breaches"] == []
    _no_personal_data(event.payload)


def test_every_change_is_published_in_order(conn: Connection) -> None:
    calendar = WorkingCalendar()
    before = _newest(conn)
    lodged_at = datetime.now(UTC) - timedelta(days=40)
    record = _new_request(conn, lodged_at)
    escalate_due(conn, calendar, now=lodged_at + timedelta(days=10), limit=None)
    change_request(
        conn, record.reference, Change(Action.ACKNOWLEDGE, "officer"), calendar, datetime.now(UTC)
    )
    closing = Change(Action.CLOSE, "officer", note="Filled", resolution=Resolution.FIXED)
    change_request(conn, record.reference, closing, calendar, datetime.now(UTC))
    events = [e for e in read_events(conn, before) if e.payload["reference"] == record.reference]
    kinds = [e.payload["event"] for e in events]
    assert kinds[0] == "received"
    assert kinds[-2:] == ["acknowledged", "closed"]
    escalations = [e.payload for e in events if e.payload["event"] == "escalated"]
    assert {e["breach"] for e in escalations} == {"acknowledge"}
    assert "acknowledge" in escalations[0]["breaches"]
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert len({e.id for e in events}) == len(events)
    assert events[-1].payload["status"] == "closed"
    assert events[-1].payload["breaches"] == []  # a closed request's clocks are stopped
    for event in events:
        _no_personal_data(event.payload)


def test_publish_names_a_wrong_topic(conn: Connection) -> None:
    with pytest.raises(InvalidInputError, match="request, cluster"):
        publish(conn, "weather", {"rain": True})


def test_publish_many_keeps_the_order_it_was_given(conn: Connection) -> None:
    ids = publish_many(conn, Topic.CLUSTER, [{"n": n} for n in range(5)])
    assert ids == sorted(ids)
    assert len(set(ids)) == 5
    events = read_events(conn, ids[0] - 1)
    assert [(e.id, e.payload["n"]) for e in events] == list(zip(ids, range(5), strict=True))
    assert read_events(conn, ids[0] - 1, limit=2) == events[:2]


def test_cluster_changes_are_published_with_their_shape(conn: Connection) -> None:
    now = datetime.now(UTC)
    # A 3 x 2 grid of potholes 120 m apart: beyond the duplicate radius (100 m), and each
    # has four others within DBSCAN's 250 m.
    for step in range(6):
        lon, lat = JOBURG[0] + 0.0012 * (step % 3), JOBURG[1] + 0.0011 * (step // 3)
        _new_request(conn, now - timedelta(minutes=step), lon=lon, lat=lat)
    before = _newest(conn)
    params = ClusterParams(eps_m=250, min_count=5)
    update_live_clusters(conn, "pothole", params, window_h=24, now=now)
    clusters = [e for e in read_events(conn, before) if e.topic == "cluster"]
    grown = [e.payload for e in clusters if e.payload["count"] >= 6]
    assert len(grown) == 1
    cluster = grown[0]
    assert cluster["service_code"] == "pothole"
    assert cluster["service_group"] == "roads"
    assert cluster["state"] == "new"
    assert cluster["last_2h"] >= 6
    assert cluster["wards"]
    assert len(cluster["ward_names"]) == len(cluster["wards"])
    assert cluster["hull"]["type"] in {"Polygon", "LineString"}
    assert cluster["lon"] == pytest.approx(JOBURG[0] + 0.0012, abs=0.0003)
    assert cluster["lat"] == pytest.approx(JOBURG[1] + 0.00055, abs=0.0003)
    assert cluster["first_at"] < cluster["last_at"]
    # Closing the requests empties the cluster: its closing is published too.
    conn.execute(text("UPDATE service_request SET status = 'closed', closed_at = now(), "
                      "resolution = 'fixed' WHERE service_code = 'pothole'"))  # fmt: skip
    before = _newest(conn)
    update_live_clusters(conn, "pothole", params, window_h=24, now=now)
    closed = [e.payload for e in read_events(conn, before) if e.payload["key"] == cluster["key"]]
    assert [c["state"] for c in closed] == ["closed"]


def test_old_events_are_pruned(conn: Connection) -> None:
    ids = publish_many(conn, Topic.CLUSTER, [{"n": n} for n in range(3)])
    conn.execute(
        text("UPDATE live_event SET created_at = now() - interval '8 days' WHERE id = ANY(:ids)"),
        {"ids": ids[:2]},
    )
    assert prune_events(conn, timedelta(days=7)) >= 2
    assert [e.id for e in read_events(conn, ids[0] - 1)] == ids[2:]


def test_the_resume_point_is_before_recent_transactions(conn: Connection) -> None:
    conn.execute(text("DELETE FROM live_event"))
    assert resume_point(conn) == 0
    old = publish_many(conn, Topic.CLUSTER, [{"n": 1}, {"n": 2}])
    conn.execute(
        text("UPDATE live_event SET created_at = now() - interval '1 hour' WHERE id = ANY(:ids)"),
        {"ids": old},
    )
    assert resume_point(conn) == old[-1]  # nothing recent: the newest id
    recent = publish_many(conn, Topic.CLUSTER, [{"n": 3}, {"n": 4}])
    assert resume_point(conn) == recent[0] - 1  # recent events are sent again


def test_notify_is_sent_on_commit_and_never_on_rollback(live_db: LiveDb) -> None:
    with psycopg.connect(libpq_url(live_db.url), autocommit=True) as listener:
        listener.execute(f"LISTEN {LIVE_CHANNEL}")
        with live_db.engine.connect() as conn:
            transaction = conn.begin()
            publish(conn, "cluster", {"rolled": "back"})
            transaction.rollback()
        assert list(listener.notifies(timeout=0.5)) == []
        with live_db.engine.begin() as conn:
            event_id = publish(conn, "cluster", {"kept": True})
        (notice,) = list(listener.notifies(timeout=2, stop_after=1))
        assert json.loads(notice.payload) == {"id": event_id, "topic": "cluster"}


def test_the_cluster_worker_hears_request_events_only(live_db: LiveDb) -> None:
    record = lodge(live_db.engine, "water_leak")
    with live_db.engine.begin() as conn:
        cluster_id = publish(conn, "cluster", {"service_code": "pothole"})
        (request_id,) = [
            e.id
            for e in read_events(conn, cluster_id - 5)
            if e.payload.get("reference") == record.reference
        ][:1]
    assert services_of(live_db.engine, {request_id, cluster_id}) == {"water_leak"}
    assert _request_event_id(json.dumps({"id": request_id, "topic": "request"})) == request_id
    assert _request_event_id(json.dumps({"id": cluster_id, "topic": "cluster"})) == -1
    assert _request_event_id("not json") == -1


def test_a_published_event_costs_three_statements(conn: Connection) -> None:
    """Intake pays for the log: one view query, one insert, one NOTIFY per event.

    Counted, not timed: the project keeps timings in bench/, never in tests.
    """
    _new_request(conn, datetime.now(UTC), lon=JOBURG[0] + 0.01)
    event_id = conn.execute(text("SELECT max(id) FROM request_event")).scalar_one()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sqlalchemy_event.listen(conn, "before_cursor_execute", count)
    try:
        live_id = publish_request_event(conn, event_id)
    finally:
        sqlalchemy_event.remove(conn, "before_cursor_execute", count)
    assert len(statements) == 3, statements
    (published,) = read_events(conn, live_id - 1, limit=1)
    assert published.payload["event_id"] == event_id
