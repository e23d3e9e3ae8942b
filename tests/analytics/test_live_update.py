"""A live update stores what a full clustering gives, and rewrites only the clusters it changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import shapely
from sqlalchemy import Connection, text

from geosvc.analytics.clustering.clusters import ClusterParams, cluster_incidents
from geosvc.analytics.jobs.live_clusters import update_live_clusters
from geosvc.analytics.repo.inputs import IncidentFilter, read_incident_points, read_incidents

NOW = datetime.now(UTC).replace(microsecond=0)
PARAMS = ClusterParams(eps_m=250, min_count=5)
CENTRES = [(28.0473, -26.2041), (28.0600, -26.1900), (28.0300, -26.2200)]  # Johannesburg
STEP = 0.0004  # about 40 m
_INSERT = """
    INSERT INTO service_request (reference, service_code, geom, requested_at, ward_code)
    SELECT :reference, 'pothole', p.geom, :at,
           (SELECT code FROM ward WHERE ST_Contains(ward.geom, p.geom) LIMIT 1)
    FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geom) AS p
"""
_STORED = """
    SELECT member_ids, wards, first_at, last_at, radius_m, ST_AsBinary(hull) AS hull,
           ST_AsBinary(centroid) AS centroid, state, updated_at
    FROM live_cluster WHERE service_code = 'pothole' AND state <> 'closed'
"""


def _pothole(conn: Connection, reference: str, lon: float, lat: float, at: datetime) -> None:
    conn.execute(text(_INSERT), {"reference": reference, "lon": lon, "lat": lat, "at": at})


def _groups(conn: Connection) -> None:
    """Three groups of six potholes, 40 m apart in a row; two lone potholes."""
    for g, (lon, lat) in enumerate(CENTRES):
        for i in range(6):
            at = NOW - timedelta(hours=g + 1, minutes=7 * i)
            _pothole(conn, f"LU-{g}-{i}", lon + i * STEP, lat, at)
    _pothole(conn, "LU-alone-1", 28.2, -25.75, NOW - timedelta(hours=2))
    _pothole(conn, "LU-alone-2", 28.25, -26.3, NOW - timedelta(hours=3))


def _full(conn: Connection) -> pd.DataFrame:
    """Every open pothole cluster recomputed from scratch, by its members."""
    where = IncidentFilter("pothole", open_only=True, since=NOW - timedelta(hours=24))
    clusters = cluster_incidents(read_incidents(conn, where), PARAMS).clusters
    return clusters.assign(key=clusters["member_ids"].map(tuple)).set_index("key")


def _stored(conn: Connection) -> pd.DataFrame:
    rows = pd.DataFrame(conn.execute(text(_STORED)).mappings().all())
    return rows.assign(key=rows["member_ids"].map(tuple)).set_index("key")


def _assert_as_full(stored: pd.Series, full: pd.Series) -> None:
    assert stored["wards"] == full["wards"]
    assert stored["first_at"] == full["first_at"]
    assert stored["last_at"] == full["last_at"]
    assert stored["radius_m"] == full["radius_m"]
    # Stored as WKT with six decimals (store.cluster_rows): to about 0.1 m.
    assert shapely.from_wkb(stored["hull"]).equals_exact(full["hull"], 1e-6)
    assert shapely.from_wkb(stored["centroid"]).equals_exact(full["centroid"], 1e-6)


def test_the_stored_clusters_are_a_full_clustering(conn: Connection) -> None:
    _groups(conn)
    update = update_live_clusters(conn, "pothole", PARAMS, window_h=24, now=NOW)
    full, stored = _full(conn), _stored(conn)
    assert (update.clusters, update.changed) == (3, 3)
    assert sorted(stored.index) == sorted(full.index)
    for members, row in stored.iterrows():
        _assert_as_full(row, full.loc[[members]].iloc[0])
        assert row["wards"]


def test_a_new_request_rewrites_only_its_cluster(conn: Connection) -> None:
    _groups(conn)
    for _ in range(2):  # new, then stable
        update_live_clusters(conn, "pothole", PARAMS, window_h=24, now=NOW)
    later = NOW + timedelta(minutes=1)
    lon, lat = CENTRES[1]
    _pothole(conn, "LU-new", lon + 2.5 * STEP, lat + STEP / 2, NOW)
    update = update_live_clusters(conn, "pothole", PARAMS, window_h=24, now=later)
    assert (update.clusters, update.changed, update.closed) == (3, 1, 0)
    full, stored = _full(conn), _stored(conn)
    assert sorted(stored.index) == sorted(full.index)
    rewritten = stored[stored["updated_at"] == later]
    assert [len(members) for members in rewritten.index] == [7]
    assert rewritten["state"].tolist() == ["growing"]
    assert set(stored.loc[stored["updated_at"] == NOW, "state"]) == {"stable"}
    for members, row in stored.iterrows():
        _assert_as_full(row, full.loc[[members]].iloc[0])


def test_an_update_without_incidents_or_clusters_writes_nothing(conn: Connection) -> None:
    update = update_live_clusters(conn, "streetlight", PARAMS, window_h=24, now=NOW)
    assert (update.incidents, update.clusters, update.changed, update.closed) == (0, 0, 0, 0)


def test_the_points_are_the_incidents_by_id(conn: Connection) -> None:
    _groups(conn)
    where = IncidentFilter("pothole", open_only=True, since=NOW - timedelta(hours=24))
    incidents = read_incidents(conn, where).sort_values("id")
    points = read_incident_points(conn, where)
    assert points.ids.tolist() == incidents["id"].tolist()
    assert points.lon.tolist() == incidents["lon"].tolist()
    assert points.lat.tolist() == incidents["lat"].tolist()
    nothing = read_incident_points(conn, IncidentFilter("no_such_service"))
    assert (len(nothing.ids), len(nothing.lon), len(nothing.lat)) == (0, 0, 0)
    chosen = incidents["id"].iloc[:3].tolist()
    assert sorted(read_incidents(conn, IncidentFilter(ids=chosen))["id"]) == chosen
