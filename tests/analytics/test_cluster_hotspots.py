"""Default clustering recovers the hotspots the demo generator plants on the Gauteng wards, and
ward hotspot statistics (Gi*) the regions it plants."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from sklearn.metrics import adjusted_rand_score

from geosvc.analytics.clustering.clusters import ClusterResult, cluster_incidents
from geosvc.analytics.hotspots.statistics import ward_hotspots
from geosvc.analytics.hotspots.weights import ward_weights
from geosvc.demo.generator import DemoData, generate

WARDS_FILE = Path(__file__).resolve().parents[2] / "data/wards/gauteng_metros_wards_2020.geojson"
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def wards() -> gpd.GeoDataFrame:
    """The 354 Gauteng metro wards, households made up from the area, every tenth unknown."""
    frame = gpd.read_file(WARDS_FILE).rename(columns={"ward_id": "code"})
    frame["households"] = np.round(np.sqrt(frame["area_ha"].astype(float)) * 200.0)
    frame.loc[frame.index[::10], "households"] = np.nan
    return frame[["code", "households", "geometry"]]


# Seeds 0-19, 42, 2026 and 20261101 all give an adjusted Rand index of 0.96 to 0.997 and
# recover all 8 hotspots at the defaults; two of them are checked here.
@pytest.fixture(scope="module", params=[42, 7])
def planted(
    request: pytest.FixtureRequest, wards: gpd.GeoDataFrame
) -> tuple[DemoData, ClusterResult]:
    demo = generate(wards, incidents=20_000, surveys=0, seed=request.param)
    incidents = demo.incidents.assign(id=demo.incidents["incident_id"], ward_code=None)
    return demo, cluster_incidents(incidents)


def _truth(demo: DemoData, labels: pd.Series) -> pd.Series:
    by_id = demo.incidents.set_index("incident_id")["hotspot_id"]
    return by_id.loc[labels.index].fillna("background")


def test_clusters_agree_with_the_planted_hotspots(planted: tuple[DemoData, ClusterResult]) -> None:
    demo, result = planted
    assert len(result.labels) == len(demo.incidents)
    assert adjusted_rand_score(_truth(demo, result.labels), result.labels) >= 0.9


def test_every_hotspot_is_found_near_its_centre(planted: tuple[DemoData, ClusterResult]) -> None:
    demo, result = planted
    truth = _truth(demo, result.labels)
    clusters = result.clusters.set_index("cluster_no")
    for hotspot in demo.hotspots:
        labels = result.labels[truth == hotspot.id]
        best = int(labels.value_counts().index[0])
        assert best >= 0, f"{hotspot.id} is mostly noise"
        assert (labels == best).sum() > hotspot.count / 2
        found = clusters.loc[best]
        assert found["service_code"] == hotspot.service_code
        _, _, off_m = GEOD.inv(hotspot.lon, hotspot.lat, found["centroid"].x, found["centroid"].y)
        assert off_m < hotspot.radius_m / 2


def test_gi_star_finds_the_planted_regions(
    planted: tuple[DemoData, ClusterResult], wards: gpd.GeoDataFrame
) -> None:
    # Each region's service is hot in several of its ten wards, and they hold at least half
    # of the service's hot wards (the generator plants regions in services without bursts).
    # Power is not perfect: over seeds 0-11, 22 of 24 regions pass; seeds 42 and 7 do.
    demo, _ = planted
    points = gpd.GeoDataFrame(
        demo.incidents,
        geometry=gpd.points_from_xy(demo.incidents["lon"], demo.incidents["lat"]),
        crs=4326,
    )
    located = gpd.sjoin(points, wards.to_crs(4326), predicate="within")
    weights = ward_weights(wards.rename(columns={"code": "ward_code"}))
    for region in demo.regions:
        counts = located[located["service_code"] == region.service_code].groupby("code").size()
        values = pd.DataFrame(
            {
                "ward_code": wards["code"].to_numpy(),
                "incidents": counts.reindex(wards["code"], fill_value=0).to_numpy(),
                "households": wards["households"].to_numpy(),
            }
        )
        found = ward_hotspots(values, weights, seed=5)
        hot = set(found.loc[found["class"].str.startswith("hot"), "ward_code"])
        assert len(hot & set(region.ward_codes)) >= 3, (region, hot)
        assert len(hot & set(region.ward_codes)) >= len(hot) / 2, (region, hot)
