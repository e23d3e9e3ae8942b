"""The synthetic demo data generator, on the real Gauteng metro wards (no database)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pandas.testing import assert_frame_equal
from pyproj import Geod

from geosvc.demo.generator import (
    DEFAULT_END,
    DEFAULT_SERVICES,
    NEEDS,
    DemoData,
    generate,
    hotspots_to_geojson,
)
from geosvc.demo.store import write_demo_files

_WARDS_FILE = Path("data/wards/gauteng_metros_wards_2020.geojson")
_ROOT = Path(__file__).resolve().parents[2]
_GEOD = Geod(ellps="WGS84")
_SAST = timezone(timedelta(hours=2))
_INCIDENTS = 20_000
_SURVEYS = 2_000


def _wards_path() -> Path:
    for candidate in (_ROOT / _WARDS_FILE, _ROOT.parent / "shared" / _WARDS_FILE):
        if candidate.exists():
            return candidate
    pytest.skip(f"ward file {_WARDS_FILE} not found in the repo or in ../shared")


@pytest.fixture(scope="module")
def wards() -> gpd.GeoDataFrame:
    """The 354 Gauteng metro wards, households made up from the area, every tenth unknown."""
    frame = gpd.read_file(_wards_path()).rename(columns={"ward_id": "code"})
    frame["households"] = np.round(np.sqrt(frame["area_ha"].astype(float)) * 200.0)
    frame.loc[frame.index[::10], "households"] = np.nan
    return frame[["code", "households", "geometry"]]


@pytest.fixture(scope="module")
def demo(wards: gpd.GeoDataFrame) -> DemoData:
    return generate(wards, incidents=_INCIDENTS, surveys=_SURVEYS, seed=20261101)


def _local_times(times: pd.Series) -> pd.Series:
    local: pd.Series = times.dt.tz_convert("Africa/Johannesburg")
    return local


# --- counts and places ------------------------------------------------------------------------


def test_counts_are_exact(demo: DemoData) -> None:
    incidents = demo.incidents
    assert len(incidents) == _INCIDENTS
    assert len(demo.surveys) == _SURVEYS
    assert len(demo.hotspots) == 8
    assert incidents["incident_id"].tolist() == list(range(_INCIDENTS))
    planted = incidents["hotspot_id"].dropna().value_counts().to_dict()
    assert planted == {hotspot.id: hotspot.count for hotspot in demo.hotspots}
    assert all(hotspot.count >= 15 for hotspot in demo.hotspots)
    assert 0.03 * _INCIDENTS <= sum(planted.values()) <= 0.06 * _INCIDENTS + 1


def test_every_incident_lies_inside_a_ward(wards: gpd.GeoDataFrame, demo: DemoData) -> None:
    points = shapely.points(demo.incidents["lon"], demo.incidents["lat"])
    tree = shapely.STRtree(wards.geometry.array)
    inside = np.unique(tree.query(points, predicate="within")[0])
    assert len(inside) == len(points)


def test_every_survey_lies_inside_its_ward(wards: gpd.GeoDataFrame, demo: DemoData) -> None:
    geometry_by_code = dict(zip(wards["code"], wards.geometry, strict=True))
    for code, group in demo.surveys.groupby("ward_code"):
        assert shapely.contains_xy(geometry_by_code[code], group["lon"], group["lat"]).all()


def test_dense_wards_get_more_points_and_multipolygons_work() -> None:
    squares = [shapely.box(28.0 + 0.1 * i, -26.1, 28.05 + 0.1 * i, -26.05) for i in range(2)]
    squares.append(
        shapely.MultiPolygon(
            [shapely.box(28.2, -26.1, 28.25, -26.075), shapely.box(28.3, -26.075, 28.35, -26.05)]
        )
    )
    wards = gpd.GeoDataFrame(
        {"code": ["1", "2", "3"], "households": [9000.0, 1000.0, np.nan]},
        geometry=squares,
        crs=4326,
    )
    data = generate(wards, incidents=6000, surveys=0, seed=3, hotspots=0)
    shares = [
        shapely.contains_xy(square, data.incidents["lon"], data.incidents["lat"]).mean()
        for square in squares
    ]
    # the ward without a count weighs as the median of the others (5000)
    np.testing.assert_allclose(shares, [9 / 15, 1 / 15, 5 / 15], atol=0.03)


# --- planted hotspots -------------------------------------------------------------------------


def test_hotspot_points_lie_within_radius_and_window(demo: DemoData) -> None:
    for hotspot in demo.hotspots:
        points = demo.incidents[demo.incidents["hotspot_id"] == hotspot.id]
        centre_lon = np.full(len(points), hotspot.lon)
        centre_lat = np.full(len(points), hotspot.lat)
        _, _, distance_m = _GEOD.inv(centre_lon, centre_lat, points["lon"], points["lat"])
        assert distance_m.max() <= hotspot.radius_m + 1.0
        assert 150.0 <= hotspot.radius_m <= 400.0
        assert (points["requested_at"] >= hotspot.start).all()
        assert (points["requested_at"] <= hotspot.end).all()
        assert (points["service_code"] == hotspot.service_code).all()
        assert timedelta(days=1) <= hotspot.end - hotspot.start <= timedelta(days=14)


def test_hotspot_centres_are_2km_apart(demo: DemoData) -> None:
    for first, second in combinations(demo.hotspots, 2):
        _, _, distance_m = _GEOD.inv(first.lon, first.lat, second.lon, second.lat)
        assert distance_m >= 2000.0


def test_hotspot_centre_lies_in_its_ward(wards: gpd.GeoDataFrame, demo: DemoData) -> None:
    geometry_by_code = dict(zip(wards["code"], wards.geometry, strict=True))
    for hotspot in demo.hotspots:
        assert shapely.contains_xy(geometry_by_code[hotspot.ward_code], hotspot.lon, hotspot.lat)


def test_hotspots_stand_out_from_the_background(demo: DemoData) -> None:
    background = demo.incidents[demo.incidents["hotspot_id"].isna()]
    for hotspot in demo.hotspots:
        same = background[
            (background["service_code"] == hotspot.service_code)
            & background["requested_at"].between(hotspot.start, hotspot.end)
        ]
        centre_lon = np.full(len(same), hotspot.lon)
        centre_lat = np.full(len(same), hotspot.lat)
        _, _, distance_m = _GEOD.inv(centre_lon, centre_lat, same["lon"], same["lat"])
        assert (distance_m <= hotspot.radius_m).sum() < hotspot.count / 3


def test_hotspots_to_geojson_round_trips(demo: DemoData) -> None:
    collection = json.loads(json.dumps(hotspots_to_geojson(demo.hotspots)))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(demo.hotspots)
    for feature, hotspot in zip(collection["features"], demo.hotspots, strict=True):
        properties = feature["properties"]
        assert feature["geometry"] == {"type": "Point", "coordinates": [hotspot.lon, hotspot.lat]}
        assert properties["id"] == hotspot.id
        assert properties["count"] == hotspot.count
        assert properties["ward_code"] == hotspot.ward_code
        assert datetime.fromisoformat(properties["start"]) == hotspot.start
        assert datetime.fromisoformat(properties["end"]) == hotspot.end


# --- planted regions --------------------------------------------------------------------------


def test_regions_are_ten_neighbouring_wards_each(wards: gpd.GeoDataFrame, demo: DemoData) -> None:
    assert [region.id for region in demo.regions] == ["R01", "R02"]
    services = [region.service_code for region in demo.regions]
    assert len(set(services)) == 2
    assert set(services) <= set(DEFAULT_SERVICES)
    first, second = (set(region.ward_codes) for region in demo.regions)
    assert len(first) == len(second) == 10
    assert first.isdisjoint(second)
    for region in demo.regions:
        shapes = wards.set_index("code").loc[list(region.ward_codes), "geometry"]
        # Neighbouring wards: together they make one or two pieces, not ten scattered ones.
        assert (
            len(shapely.get_parts(shapely.union_all(shapely.buffer(shapes.to_numpy(), 1e-6)))) <= 2
        )
        assert region.factor == 4.0


def test_regions_run_at_four_times_the_rate_elsewhere(
    wards: gpd.GeoDataFrame, demo: DemoData
) -> None:
    households = wards["households"].fillna(wards["households"].median())
    per_ward = wards.assign(households=households)[["code", "households", "geometry"]]
    points = gpd.GeoDataFrame(
        demo.incidents,
        geometry=gpd.points_from_xy(demo.incidents.lon, demo.incidents.lat),
        crs=4326,
    )
    located = gpd.sjoin(points, per_ward.to_crs(4326), predicate="within")
    background = located[located["hotspot_id"].isna()]
    for region in demo.regions:
        inside = per_ward["code"].isin(region.ward_codes)
        counts = (
            background[background["service_code"] == region.service_code].groupby("code").size()
        )
        counts = counts.reindex(per_ward["code"], fill_value=0).to_numpy()
        rate_in = counts[inside].sum() / per_ward.loc[inside, "households"].sum()
        rate_out = counts[~inside].sum() / per_ward.loc[~inside, "households"].sum()
        assert 3.0 < rate_in / rate_out < 5.0, region


def test_few_wards_get_fewer_regions(wards: gpd.GeoDataFrame) -> None:
    assert generate(wards.iloc[:29], incidents=500, surveys=0, seed=3).regions == []
    (only,) = generate(wards.iloc[:45], incidents=500, surveys=0, seed=3).regions
    assert set(only.ward_codes) <= set(wards["code"].iloc[:45])
    assert generate(wards, incidents=500, surveys=0, seed=3, regions=0).regions == []


# --- time -------------------------------------------------------------------------------------


def test_requests_fall_in_the_six_months_before_the_default_end(demo: DemoData) -> None:
    requested = demo.incidents["requested_at"]
    assert str(requested.dt.tz) == "UTC"
    assert requested.is_monotonic_increasing
    assert requested.min() >= DEFAULT_END - pd.DateOffset(months=6)
    assert requested.max() < DEFAULT_END


def test_most_requests_come_in_office_hours(demo: DemoData) -> None:
    hour = _local_times(demo.incidents["requested_at"]).dt.hour
    assert hour.between(7, 17).mean() > 0.6


def test_weekdays_are_busier_than_weekends(demo: DemoData) -> None:
    weekday = _local_times(demo.incidents["requested_at"]).dt.day_of_week
    assert (weekday < 5).sum() / 5 > 1.3 * (weekday >= 5).sum() / 2


def test_end_and_months_set_the_period(wards: gpd.GeoDataFrame) -> None:
    end = datetime(2025, 3, 1, tzinfo=_SAST)
    data = generate(wards, incidents=1000, surveys=100, seed=5, end=end, months=3, hotspots=2)
    requested = data.incidents["requested_at"]
    assert requested.min() >= datetime(2024, 12, 1, tzinfo=_SAST)
    assert requested.max() < end
    collected = data.surveys["collected_at"]
    assert collected.min() >= datetime(2025, 1, 1, tzinfo=_SAST)
    assert collected.max() < end


# --- attributes -------------------------------------------------------------------------------


def test_services_follow_realistic_frequencies(demo: DemoData) -> None:
    shares = demo.incidents["service_code"].value_counts(normalize=True)
    assert set(shares.index) == set(DEFAULT_SERVICES)
    assert set(shares.index[:2]) == {"water_outage", "electricity_outage"}
    assert shares.idxmin() == "housing"


def test_channels_kinds_and_descriptions(demo: DemoData) -> None:
    incidents = demo.incidents
    channels = incidents["channel"].value_counts(normalize=True)
    expected = {"web", "app", "phone", "e-mail", "letter", "in_person", "sms", "field_worker"}
    assert set(channels.index) == expected
    assert set(channels.index[:2]) == {"phone", "app"}
    kinds = incidents["kind"].value_counts(normalize=True)
    assert kinds["request"] > 0.8
    assert 0.07 < kinds["complaint"] < 0.13
    assert 0.005 < kinds["compliment"] < 0.04
    assert incidents["description"].str.len().between(10, 200).all()


def test_unlisted_service_gets_a_generic_description(wards: gpd.GeoDataFrame) -> None:
    data = generate(wards, incidents=200, surveys=0, seed=9, services=["parks"], hotspots=0)
    assert (data.incidents["service_code"] == "parks").all()
    assert data.incidents["description"].str.contains("parks").all()


# --- surveys ----------------------------------------------------------------------------------


def test_survey_access_levels_are_in_range(demo: DemoData) -> None:
    scales = {
        "water_access": 7,
        "sanitation_access": 5,
        "electricity_access": 3,
        "refuse_access": 3,
    }
    for column, worst in scales.items():
        levels = demo.surveys[column]
        assert levels.between(0, worst).all()
        assert levels.nunique() == worst + 1


def test_survey_needs_ids_and_precision(demo: DemoData) -> None:
    surveys = demo.surveys
    for needs in surveys["needs"]:
        assert 1 <= len(needs) <= 3
        assert len(set(needs)) == len(needs)
        assert set(needs) <= set(NEEDS)
    version4 = re.compile(
        r"^uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    )
    assert surveys["submission_id"].map(lambda value: bool(version4.match(value))).all()
    assert surveys["submission_id"].is_unique
    assert (surveys["precision_m"] >= 3.0).all()
    assert surveys["precision_m"].between(3.0, 15.0).mean() > 0.85
    collected = surveys["collected_at"]
    assert collected.min() >= DEFAULT_END - pd.DateOffset(months=2)
    assert collected.max() < DEFAULT_END


def test_wards_differ_and_needs_follow_access(demo: DemoData) -> None:
    surveys = demo.surveys
    per_ward = surveys.groupby("ward_code")["water_access"].agg(["mean", "size"])
    assert per_ward.loc[per_ward["size"] >= 10, "mean"].std() > 0.4
    names_water = surveys["needs"].map(lambda needs: "water" in needs)
    worst = names_water[surveys["water_access"] >= 5].mean()
    best = names_water[surveys["water_access"] == 0].mean()
    assert worst > best + 0.3


# --- reproducibility and arguments ------------------------------------------------------------


def test_same_seed_gives_identical_data(wards: gpd.GeoDataFrame) -> None:
    first = generate(wards, incidents=3000, surveys=300, seed=42)
    second = generate(wards, incidents=3000, surveys=300, seed=42)
    assert_frame_equal(first.incidents, second.incidents)
    assert_frame_equal(first.surveys, second.surveys)
    assert first.hotspots == second.hotspots
    assert first.regions == second.regions


# Digests of the files 'demo generate' writes for seed 42, as generated before the generator
# was split into modules. The README shows the numbers of such a data set, so a refactor must
# keep them; a new numpy, pandas or shapely that changes them means regenerating the README.
_SEED_42_DIGESTS = {
    "hotspots.geojson": "c82dd09819a5153e9a32a261d6d3d84cd99923dff83aec09226f0cd5cc1df084",
    "incidents.csv": "9bc3bb53a7b69641975f0a5818529bc0ff03913dfa53024d97f03469beb3af2b",
    "surveys_kobo.csv": "a3567b923e8b27a89a70ce923d3fe4b999ca2c766e057b82a3c7b3c36ea2422c",
}


def test_a_seed_keeps_giving_the_same_files(wards: gpd.GeoDataFrame, tmp_path: Path) -> None:
    data = generate(wards, incidents=3000, surveys=300, seed=42)
    write_demo_files(tmp_path, data.incidents, data.surveys, hotspots_to_geojson(data.hotspots))
    digests = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in tmp_path.iterdir()
    }
    assert digests == _SEED_42_DIGESTS


def test_another_seed_gives_other_data(wards: gpd.GeoDataFrame) -> None:
    first = generate(wards, incidents=3000, surveys=300, seed=42)
    other = generate(wards, incidents=3000, surveys=300, seed=43)
    assert not first.incidents[["lon", "lat"]].equals(other.incidents[["lon", "lat"]])
    assert not first.surveys["submission_id"].equals(other.surveys["submission_id"])
    assert first.hotspots != other.hotspots


def test_empty_output(wards: gpd.GeoDataFrame) -> None:
    data = generate(wards, incidents=0, surveys=0, seed=1, hotspots=0)
    assert data.incidents.empty
    assert data.surveys.empty
    assert data.hotspots == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"end": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"incidents": -1}, "incidents must be at least 0"),
        ({"months": 0}, "months must be at least 1"),
        ({"incidents": 50}, "cannot hold 8 hotspots"),
        ({"services": []}, "non-empty"),
        ({"services": ["pothole", "pothole"]}, "repeat"),
        ({"regions": -1}, "regions must be at least 0"),
    ],
)
def test_bad_arguments_are_refused(
    wards: gpd.GeoDataFrame, arguments: dict[str, object], message: str
) -> None:
    options: dict[str, object] = {"incidents": 500, "surveys": 10, "seed": 1} | arguments
    with pytest.raises(ValueError, match=message):
        generate(wards, **options)  # type: ignore[arg-type]


def test_wards_without_households_are_drawn_alike(wards: gpd.GeoDataFrame) -> None:
    unknown = wards.assign(households=np.nan)
    data = generate(unknown, incidents=500, surveys=50, seed=8, hotspots=1)
    assert len(data.incidents) == 500
    assert data.surveys["ward_code"].isin(wards["code"]).all()
