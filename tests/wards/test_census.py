"""The Census 2011 baseline joined to the bundled wards."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from geosvc.errors import SourceFileError
from geosvc.wards.census import census_indicators, read_census, store_census
from tests.conftest import CENSUS


def test_households_and_population_come_from_the_census(conn: Connection) -> None:
    row = conn.execute(
        text("SELECT households, population FROM ward WHERE code = '79800001'")
    ).one()
    assert tuple(row) == (9306, 32888)
    missing = conn.execute(text("SELECT count(*) FROM ward WHERE households IS NULL")).scalar_one()
    assert missing == 0


def test_every_service_has_a_baseline_with_its_unit_and_caveat(conn: Connection) -> None:
    rows = conn.execute(
        text(
            "SELECT service, unit, count(DISTINCT ward_code), bool_and(note LIKE '%approximate%') "
            "FROM ward_indicator WHERE source = 'census2011' GROUP BY 1, 2 ORDER BY 1, 2"
        )
    ).all()
    # Lighting exists only on 2011 boundaries: wards created since have no electricity row.
    assert [tuple(r) for r in rows] == [
        ("electricity", "persons", 336, True),
        ("refuse", "persons", 354, True),
        ("sanitation", "households", 354, True),
        ("water", "persons", 354, True),
    ]


def test_counts_match_the_source_file(conn: Connection) -> None:
    value = conn.execute(
        text(
            "SELECT value FROM ward_indicator WHERE ward_code = '79800001' "
            "AND service = 'water' AND category = 'regional_scheme'"
        )
    ).scalar_one()
    assert value == 32365  # the 2016-boundary row of ward_services_wide.csv


def test_lighting_falls_back_to_the_2011_boundaries() -> None:
    wide, _ = read_census(CENSUS)
    long = census_indicators(wide)
    lighting = long[(long.ward_code == "79800001") & (long.service == "electricity")]
    assert set(lighting["note"].str.contains("2011 ward boundaries")) == {True}
    assert lighting.set_index("category").loc["electricity", "value"] == 44973


def test_loading_again_replaces_rather_than_duplicates(conn: Connection) -> None:
    before = conn.execute(text("SELECT count(*) FROM ward_indicator")).scalar_one()
    store_census(conn, CENSUS)
    assert conn.execute(text("SELECT count(*) FROM ward_indicator")).scalar_one() == before


def test_missing_files_are_named(conn: Connection, tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match=r"ward_services_wide\.csv is missing"):
        store_census(conn, tmp_path)


def test_population_is_integral() -> None:
    _, population = read_census(CENSUS)
    assert pd.api.types.is_integer_dtype(population["population"])
