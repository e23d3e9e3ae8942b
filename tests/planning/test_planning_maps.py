"""folium maps from GeoDataFrames: colours follow the shared classes, and they work offline."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box
from sqlalchemy import Connection

from geosvc.errors import InvalidInputError, NotFoundError
from geosvc.planning.classes import hotspot_style, need_class, need_colour
from geosvc.planning.frames import hotspot_frame, needs_frame, neighbourhood_frame
from geosvc.planning.maps import LeafletAssets, hotspot_map, needs_map, ward_map

ROOT = Path(__file__).resolve().parents[2]
LEAFLET = ROOT / "api" / "web" / "static" / "vendor" / "leaflet"


def _wards(**columns: list[object]) -> gpd.GeoDataFrame:
    count = len(next(iter(columns.values())))
    return gpd.GeoDataFrame(
        {
            "ward_code": [f"W{i}" for i in range(count)],
            "name": [f"Ward {i}" for i in range(count)],
            **columns,
        },
        geometry=[box(28 + i * 0.1, -26.1, 28.1 + i * 0.1, -26.0) for i in range(count)],
        crs=4326,
    )


def _features(fmap: folium.Map) -> list[dict[str, object]]:
    """The wards' GeoJSON as the map carries it, with each feature's style applied."""
    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    return [{**f["properties"], **layer.style_function(f)} for f in layer.data["features"]]


def test_need_classes_have_fixed_breaks() -> None:
    assert [need_class(s) for s in (0, 19.999, 20, 59.9, 60, 80, 100)] == [0, 0, 1, 2, 3, 4, 4]
    assert need_class(float("nan")) is None
    assert need_colour(np.float64(42.0).item()) == "#fd8d3c"


def test_needs_map_colours_each_ward_by_its_class() -> None:
    frame = _wards(score=[5.0, 45.0, 95.0, None], rank=[4, 2, 1, None])
    fmap = needs_map(frame, title="Water need")
    styles = {f["ward_code"]: f["fillColor"] for f in _features(fmap)}
    assert styles == {"W0": "#ffffb2", "W1": "#fd8d3c", "W2": "#bd0026", "W3": "#d9d9d9"}
    page = fmap.get_root().render()
    assert "Water need" in page
    assert "No evidence" in page
    assert "equal intervals of 20" in page
    # no tile layer: the outlines are the background
    assert "tile.openstreetmap" not in page
    assert "L.tileLayer" not in page


def test_hotspot_map_states_the_statistic_and_shows_present_classes() -> None:
    frame = _wards(
        **{"class": ["hot_99", "cold_95", "not_significant", None]},
        statistic=["gi_star"] * 4,
        z=[3.1, -2.2, 0.1, None],
    )
    fmap = hotspot_map(frame, title="Water", permutations=999)
    fills = [f["fillColor"] for f in _features(fmap)]
    assert fills == [
        hotspot_style("hot_99")[0], hotspot_style("cold_95")[0], "#f7f7f7", "#d9d9d9",
    ]  # fmt: skip
    page = fmap.get_root().render()
    assert "Getis-Ord Gi*" in page
    assert "999 conditional permutations" in page
    assert "Hot spot, 99% confidence" in page
    assert "Cold spot, 95% confidence" in page
    assert "Hot spot, 90% confidence" not in page  # only classes on the map are listed


def test_ward_map_outlines_the_ward_and_can_be_self_contained() -> None:
    frame = _wards(score=[10.0, 70.0, 30.0])
    fmap = ward_map(frame, "W1", assets=LeafletAssets.from_dir(LEAFLET))
    outlines = {f["ward_code"]: (f["color"], f["weight"]) for f in _features(fmap)}
    assert outlines["W1"] == ("#000000", 3)
    assert outlines["W0"][1] < 3
    page = fmap.get_root().render()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(s.startswith("data:") for s in sources)
    assert "cdn.jsdelivr" not in page


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (_wards(rank=[1]), "lacks the column"),
        (_wards(score=[1.0]).iloc[0:0], "no wards to map"),
    ],
)
def test_maps_refuse_frames_they_cannot_draw(frame: gpd.GeoDataFrame, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        needs_map(frame)
    with pytest.raises(InvalidInputError, match="not in the frame"):
        ward_map(_wards(score=[1.0]), "elsewhere")


def test_frames_of_a_municipality_from_the_run(analysed: Connection) -> None:
    needs = needs_frame(analysed, "water", municipality="EKU")
    assert len(needs) == 112
    assert needs.crs.to_epsg() == 4326
    assert needs["score"].notna().sum() > 100
    assert needs.loc[needs["rank"].idxmin(), "rank"] >= 1
    hotspots = hotspot_frame(analysed, "water", municipality="EKU")
    assert set(hotspots["class"].dropna()) <= {
        "hot_99", "hot_95", "hot_90", "cold_99", "cold_95", "cold_90",
        "not_significant", "island", "excluded",
    }  # fmt: skip
    assert len(_features(needs_map(needs))) == 112
    with pytest.raises(NotFoundError, match="no ward_need results for 'parks'"):
        needs_frame(analysed, "parks")
    around = neighbourhood_frame(analysed, "79800060", "water")
    assert around.iloc[0]["ward_code"] == "79800060"
    assert bool(around.iloc[0]["focus"])
    assert 3 <= len(around) <= 15
    assert not around.iloc[1:]["focus"].any()
