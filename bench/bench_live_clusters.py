"""Updating live clusters after a new request at 100,000 open incidents: ours against PostGIS.

Run: .venv/bin/python -m bench.bench_live_clusters [--open N] [--mix one|demo] [--repeat N]

The target (issue 5): when a request is created, the live clusters of its service type
update within one second at 100,000 open incidents, all inside the live window. ``--mix
one`` (the default, the worst case) makes every open incident a pothole; ``--mix demo``
draws them from the demo's mix of service types. Two committed updates first bring the
stored clusters to a steady state; then each timed run lodges one more pothole in a
transaction, runs ``update_live_clusters`` (read the ids and positions of the open
incidents of that type, DBSCAN in metres, match to the stored clusters, summarise, write
and publish the changed ones) and rolls back. The baseline is PostGIS's own
ST_ClusterDBSCAN over the same rows in UTM metres, returning the labels only.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from bench.common import ROOT, best_of, migrated_database, report
from geosvc.analytics.clustering.clusters import ClusterParams
from geosvc.analytics.jobs.live_clusters import update_live_clusters
from geosvc.db import copy_rows, frame_rows
from geosvc.demo.generator import DEFAULT_SERVICES, generate
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.wards.loader import load_wards

WARDS = ROOT / "data" / "wards" / "gauteng_metros_wards_2020.geojson"
SERVICE = "pothole"
TARGET_S = 1.0
PARAMS = ClusterParams()
# The new pothole lands on the first stored cluster's centre.
_NEW_REQUEST = """
    INSERT INTO service_request (reference, service_code, geom, requested_at)
    SELECT 'B-new', :service, centroid, :now FROM live_cluster
    WHERE service_code = :service AND state <> 'closed' ORDER BY key LIMIT 1
"""
_BASELINE = """
    SELECT ST_ClusterDBSCAN(ST_Transform(geom, 32735), eps := :eps, minpoints := :minpoints)
           OVER () FROM service_request
    WHERE service_code = :service AND status <> 'closed' AND requested_at >= :since
"""


def bench_engine(open_incidents: int, services: tuple[str, ...], now: datetime) -> Engine:
    """A bench database with Gauteng's wards and ``open_incidents`` open incidents."""
    engine = migrated_database("geosvc_bench_live")
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE live_cluster, request_event, service_request CASCADE"))
        if not conn.execute(text("SELECT count(*) FROM ward")).scalar_one():
            load_wards(conn, WARDS)
        store_catalogue(conn, read_catalogue())
        wards = gpd.read_postgis(
            "SELECT code, households, geom AS geometry FROM ward", conn, geom_col="geometry"
        )
        data = generate(
            wards, incidents=open_incidents, surveys=0, seed=5, services=services, months=1,
            end=now,
        )  # fmt: skip
        incidents = data.incidents
        rows = pd.DataFrame(
            {
                "reference": [f"B-{i}" for i in incidents["incident_id"]],
                "service_code": incidents["service_code"],
                "geom": "SRID=4326;POINT(" + incidents["lon"].astype(str) + " "
                + incidents["lat"].astype(str) + ")",
                "requested_at": incidents["requested_at"],
            }
        )  # fmt: skip
        copy_rows(conn, "service_request", list(rows.columns), frame_rows(rows))
    with engine.connect() as conn:
        conn.execute(text("ANALYZE service_request"))
    return engine


def main() -> None:
    """Time one live update and the PostGIS baseline; print the ratio and the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="Open incidents.")
    parser.add_argument("--mix", choices=("one", "demo"), default="one")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    now = datetime.now(UTC)
    window_h = 24 * 40.0
    services = (SERVICE,) if args.mix == "one" else DEFAULT_SERVICES
    engine = bench_engine(args.open, services, now)
    for _ in range(2):
        with engine.begin() as conn:
            steady = update_live_clusters(conn, SERVICE, PARAMS, window_h, now)
    print(
        f"{args.open:,} open incidents ({args.mix}), {steady.incidents:,} of them {SERVICE}; "
        f"{steady.clusters} live clusters"
    )

    def ours() -> int:
        with engine.connect() as conn, conn.begin() as transaction:
            conn.execute(text(_NEW_REQUEST), {"service": SERVICE, "now": now})
            result = update_live_clusters(conn, SERVICE, PARAMS, window_h, now)
            transaction.rollback()
        return result.changed

    def postgis() -> int:
        with engine.connect() as conn:
            labels = conn.execute(
                text(_BASELINE),
                {
                    "eps": PARAMS.eps_m,
                    "minpoints": PARAMS.min_count,
                    "service": SERVICE,
                    "since": now - timedelta(hours=window_h),
                },
            ).scalars()
            return len({label for label in labels if label is not None})

    ours_s, changed = best_of(args.repeat, ours)
    base_s, base_clusters = best_of(args.repeat, postgis)
    print(f"clusters changed by the new request: {changed}; ST_ClusterDBSCAN {base_clusters}")
    report("live cluster update", ours_s, "PostGIS ST_ClusterDBSCAN (labels only)", base_s)
    verdict = "meets" if ours_s <= TARGET_S else "misses"
    print(f"target {TARGET_S:.1f} s per update at {args.open:,} open incidents: {verdict}")
    engine.dispose()


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
