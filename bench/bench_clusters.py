"""Clustering demo incidents: cluster_incidents against a plain per-service DBSCAN.

Run: .venv/bin/python -m bench.bench_clusters [--sizes N ...] [--repeat N] [--seed N]

The incidents come from the demo generator on the 354 Gauteng metro wards (six months, eight
planted hotspots); no database is needed. ``cluster_incidents`` is timed end to end at its
defaults (250 m, 5 incidents): checks, UTM projection, one DBSCAN per service type and the
summary of every cluster (members, hull, centroid, wards, times, radius). The baseline is
the least any implementation must do: scikit-learn's DBSCAN (same eps and min_samples,
kd_tree) per service type on points already projected to metres, labels only.

At 1,000,000 incidents over six months the defaults are past the density they suit (see
``ClusterParams``): most background incidents become core points and clusters run through
whole suburbs. The times stay comparable, since both sides run the same DBSCAN; its
neighbourhood lists are what fill the memory.
"""

from __future__ import annotations

import argparse
import resource
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN

from bench.common import ROOT, best_of, report
from geosvc.analytics.clusters import ClusterParams, ClusterResult, cluster_incidents
from geosvc.analytics.projection import metric_crs, to_metres
from geosvc.demo.generator import generate

WARDS = ROOT / "data" / "wards" / "gauteng_metros_wards_2020.geojson"


def demo_incidents(rows: int, seed: int) -> pd.DataFrame:
    """``rows`` generated incidents shaped for ``cluster_incidents`` (ward codes unknown)."""
    wards = gpd.read_file(WARDS).rename(columns={"ward_id": "code"})
    wards["households"] = np.round(np.sqrt(wards["area_ha"].astype(float)) * 200.0)
    demo = generate(wards[["code", "households", "geometry"]], incidents=rows, surveys=0, seed=seed)
    incidents = demo.incidents[["incident_id", "service_code", "lon", "lat", "requested_at"]]
    return incidents.rename(columns={"incident_id": "id"}).assign(ward_code=None)


def projected_by_service(incidents: pd.DataFrame) -> list[np.ndarray]:
    """Each service type's points in metres, in id order: the baseline's input."""
    ordered = incidents.sort_values(["service_code", "id"])
    x_m, y_m = to_metres(ordered["lon"], ordered["lat"], metric_crs(ordered["lon"], ordered["lat"]))
    points = np.column_stack([x_m, y_m])
    codes = ordered["service_code"].to_numpy()
    return [points[codes == code] for code in pd.unique(codes)]


def plain_dbscan(groups: list[np.ndarray], params: ClusterParams) -> int:
    """DBSCAN labels per service type; the number of clusters found."""
    model = DBSCAN(eps=params.eps_m, min_samples=params.min_count, algorithm="kd_tree")
    return sum(int(model.fit_predict(points).max()) + 1 for points in groups)


def describe(result: ClusterResult) -> str:
    counts = result.clusters["count"].to_numpy()
    clustered = int(counts.sum())
    total = clustered + sum(result.noise.values())
    return (
        f"{len(counts):,} clusters holding {clustered:,} of {total:,} incidents "
        f"({clustered / total:.1%}); largest {int(counts.max(initial=0)):,}, "
        f"median {float(np.median(counts)) if len(counts) else 0:.0f}"
    )


def main() -> None:
    """Time both on each size; print the clusters found, the times and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    params = ClusterParams()
    rows = []
    for size in args.sizes:
        incidents = demo_incidents(size, args.seed)
        groups = projected_by_service(incidents)
        ours, result = best_of(args.repeat, partial(cluster_incidents, incidents, params))
        plain, found = best_of(args.repeat, partial(plain_dbscan, groups, params))
        assert found == len(result.clusters), "the baseline found other clusters"
        print(f"{size:,} incidents: {describe(result)}")
        report(f"cluster_incidents on {size:,} incidents", ours, "plain DBSCAN", plain)
        rows.append((size, ours, plain))
    print(f"\n{'incidents':>10} {'geosvc s':>9} {'DBSCAN s':>9} {'ratio':>6}")
    for size, ours, plain in rows:
        print(f"{size:>10,} {ours:>9.2f} {plain:>9.2f} {ours / plain:>6.2f}")
    memory_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {memory_mb:,.0f} MB")


if __name__ == "__main__":
    main()
