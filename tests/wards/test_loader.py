"""Loading real boundary files, in every supported format, and refusing bad ones."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import Connection, text

from geosvc.errors import SourceFileError
from geosvc.wards.fields import FieldMap
from geosvc.wards.loader import WardLoadOptions, load_wards
from tests.conftest import GAUTENG_WARDS, NATIONAL_WARDS


def _count(conn: Connection, where: str = "true") -> int:
    return int(conn.execute(text(f"SELECT count(*) FROM ward WHERE {where}")).scalar_one())


def _snapshot(conn: Connection) -> list[tuple[object, ...]]:
    sql = "SELECT code, name, municipality_code, ST_AsBinary(geom) FROM ward ORDER BY code"
    return [tuple(r) for r in conn.execute(text(sql))]


def test_bundled_gauteng_wards_are_loaded_with_their_attributes(conn: Connection) -> None:
    assert _count(conn) == 354
    counts = dict(
        conn.execute(text("SELECT municipality_code, count(*) FROM ward GROUP BY 1")).all()
    )
    assert counts == {"JHB": 135, "EKU": 112, "TSH": 107}
    row = conn.execute(text("SELECT * FROM ward WHERE code = '79800001'")).mappings().one()
    assert row["province"] == "Gauteng"
    assert row["municipality_name"] == "City of Johannesburg Metropolitan Municipality"
    assert row["ward_no"] == 1
    assert row["demarcation_year"] == 2020
    assert row["name"] == "City of Johannesburg Metropolitan Municipality Ward 1"


def test_national_zip_loads_all_wards_and_repairs_the_invalid_ones(conn: Connection) -> None:
    result = load_wards(conn, NATIONAL_WARDS, WardLoadOptions(layer="Wards_2020"))
    assert result.layer == "Wards_2020"
    assert result.wards == 4468
    assert result.repaired == 20
    assert _count(conn) == 4468
    assert _count(conn, "NOT ST_IsValid(geom)") == 0
    assert _count(conn, "province IS NULL OR municipality_name IS NULL") == 0
    cape = conn.execute(text("SELECT * FROM ward WHERE code = '10503001'")).mappings().one()
    assert cape["municipality_code"] == "WC053"
    assert cape["municipality_name"] == "Beaufort West Local Municipality"
    assert cape["province"] == "Western Cape"


def test_national_zip_picks_the_ward_layer_by_itself(conn: Connection) -> None:
    assert load_wards(conn, NATIONAL_WARDS).layer == "Wards_2020"


def test_loading_the_same_file_twice_leaves_the_same_rows(conn: Connection) -> None:
    before = _snapshot(conn)
    result = load_wards(conn, GAUTENG_WARDS)
    assert (result.counts.inserted, result.counts.updated, result.counts.unchanged) == (0, 0, 354)
    assert _snapshot(conn) == before


def test_loading_keeps_census_households(conn: Connection) -> None:
    load_wards(conn, GAUTENG_WARDS)
    assert _count(conn, "households IS NULL") == 0


@pytest.mark.parametrize(("driver", "suffix"), [("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp")])
def test_projected_files_are_reprojected_to_wgs84(
    conn: Connection, tmp_path: Path, driver: str, suffix: str
) -> None:
    original = gpd.read_file(GAUTENG_WARDS).iloc[:20]
    projected = original.to_crs("EPSG:32735")  # UTM 35S, metres
    path = tmp_path / f"wards{suffix}"
    projected.to_file(path, driver=driver)
    result = load_wards(conn, path)
    assert result.counts.unchanged + result.counts.updated == 20
    stored = gpd.read_postgis(
        text("SELECT code, geom FROM ward WHERE code = ANY(:c) ORDER BY code"),
        conn,
        geom_col="geom",
        params={"c": list(original["ward_id"])},
    )
    expected = [shapely.MultiPolygon([g]) for g in original.sort_values("ward_id").geometry]
    assert shapely.equals_exact(stored.geometry.to_numpy(), expected, 1e-7).all()


def test_zipped_shapefile_in_a_folder(conn: Connection, tmp_path: Path) -> None:
    frame = gpd.read_file(GAUTENG_WARDS).iloc[:5]
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "wards.shp")
    archive = tmp_path / "wards.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, f"export/{part.name}")
    assert load_wards(conn, archive).wards == 5


def test_fields_can_be_named(conn: Connection, tmp_path: Path) -> None:
    frame = gpd.read_file(GAUTENG_WARDS).iloc[:3][["ward_id", "ward_label", "geometry"]]
    frame = frame.rename(columns={"ward_id": "WARD", "ward_label": "LABEL"})
    frame["OTHER"] = ["a", "b", "c"]
    path = tmp_path / "named.geojson"
    frame.to_file(path)
    options = WardLoadOptions(fields=FieldMap(code="ward", name="label"))
    result = load_wards(conn, path, options)
    assert result.fields.code == "WARD"
    name = conn.execute(text("SELECT name FROM ward WHERE code = :c"), {"c": frame.WARD.iloc[0]})
    assert name.scalar_one() == frame.LABEL.iloc[0]


def _write(path: Path, features: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _square(code: object, x: float = 28.0) -> dict[str, object]:
    ring = [[x, -26.0], [x + 0.01, -26.0], [x + 0.01, -26.01], [x, -26.01], [x, -26.0]]
    return {
        "type": "Feature",
        "properties": {"ward_id": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


BAD_FILES = {
    "no_code_field": (
        lambda p: _write(p, [{**_square("x"), "properties": {"label": "A"}}]),
        "has no ward code field",
    ),
    "empty": (lambda p: _write(p, []), "has no features"),
    "points": (
        lambda p: _write(
            p,
            [
                {
                    "type": "Feature",
                    "properties": {"ward_id": "79800001"},
                    "geometry": {"type": "Point", "coordinates": [28, -26]},
                }
            ],
        ),
        "must hold polygons",
    ),
    "unreadable": (
        lambda p: p.write_bytes(b"\x00\x01 not a vector file") and p,
        "not a vector file",
    ),
    "bad_codes": (lambda p: _write(p, [_square("ward one")]), "are not ward codes"),
    "missing_code": (
        lambda p: _write(p, [_square("79800001"), _square(None, 28.1)]),
        "have no code",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_with_one_sentence_and_change_nothing(
    conn: Connection, tmp_path: Path, case: str
) -> None:
    make, message = BAD_FILES[case]
    path = make(tmp_path / f"{case}.geojson")
    before = _snapshot(conn)
    with pytest.raises(SourceFileError, match=message) as raised:
        load_wards(conn, path)
    assert raised.value.detail.count(". ") == 0, "one sentence"
    assert _snapshot(conn) == before


def test_unknown_layer_names_the_layers_there_are(conn: Connection) -> None:
    with pytest.raises(
        SourceFileError, match=r"has no layer 'Wards_2016'; its layers are .*Wards_2020"
    ):
        load_wards(conn, NATIONAL_WARDS, WardLoadOptions(layer="Wards_2016"))


def test_missing_file(conn: Connection, tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="does not exist"):
        load_wards(conn, tmp_path / "nowhere.geojson")


def test_named_field_that_does_not_exist(conn: Connection) -> None:
    with pytest.raises(SourceFileError, match="has no field 'WARDCODE'"):
        load_wards(conn, GAUTENG_WARDS, WardLoadOptions(fields=FieldMap(code="WARDCODE")))


def test_self_intersecting_polygon_is_repaired(conn: Connection, tmp_path: Path) -> None:
    bowtie = [[28.0, -26.0], [28.01, -26.01], [28.01, -26.0], [28.0, -26.01], [28.0, -26.0]]
    feature = {
        "type": "Feature",
        "properties": {"ward_id": "79899999"},
        "geometry": {"type": "Polygon", "coordinates": [bowtie]},
    }
    result = load_wards(conn, _write(tmp_path / "bowtie.geojson", [feature]))
    assert result.repaired == 1
    valid, area = conn.execute(
        text("SELECT ST_IsValid(geom), ST_Area(geom) FROM ward WHERE code = '79899999'")
    ).one()
    assert valid
    assert area == pytest.approx(0.00005, rel=1e-6)


def test_features_sharing_a_code_become_one_ward(conn: Connection, tmp_path: Path) -> None:
    path = _write(tmp_path / "parts.geojson", [_square("79899998"), _square("79899998", 28.05)])
    result = load_wards(conn, path)
    assert (result.features, result.wards, result.merged) == (2, 1, 1)
    parts = conn.execute(text("SELECT ST_NumGeometries(geom) FROM ward WHERE code = '79899998'"))
    assert parts.scalar_one() == 2
