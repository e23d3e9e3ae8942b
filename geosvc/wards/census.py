"""The Census 2011 baseline of need: ward service counts into ``ward_indicator``.

Stats SA counted, per ward, the population by main source of water, toilet type, refuse
removal and energy for lighting. Wazimap publishes them for the 2011 boundaries and
re-aggregated to the 2016 boundaries, whose codes equal the 2020 ward codes. The 2016
rows are preferred; lighting exists only for the 2011 boundaries and is taken from those.
Either way the join to 2020 polygons is by code and approximate (boundaries changed in
2021), and every row says so in its note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from geosvc.db import frame_rows
from geosvc.errors import SourceFileError
from geosvc.wards.repo import replace_indicators, set_ward_counts, ward_codes
from geosvc.wards.tables import INDICATOR_COLUMNS

SOURCE = "census2011"
PERIOD = "2011"
SERVICES = {"water": "water", "toilet": "sanitation", "refuse": "refuse", "lighting": "electricity"}
_PREFERRED_VERSION = "2016"


@dataclass(frozen=True)
class CensusLoadResult:
    """What a census load wrote."""

    indicators: int
    wards_matched: int
    wards_unmatched: int
    households_set: int


def read_census(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wide service table and the population table from a Wazimap census folder."""
    services_path = directory / "ward_services_wide.csv"
    population_path = directory / "ward_population.csv"
    for path in (services_path, population_path):
        if not path.is_file():
            raise SourceFileError(f"{path} is missing; expected the Wazimap census CSV files.")
    wide = pd.read_csv(services_path, dtype={"geo_code": str, "geo_version": str})
    population = pd.read_csv(population_path, dtype={"geo_code": str, "geo_version": str})
    if "geo_code" not in wide.columns or "geo_version" not in wide.columns:
        raise SourceFileError(f"{services_path.name} has no geo_code and geo_version columns.")
    return wide, population


def census_indicators(wide: pd.DataFrame) -> pd.DataFrame:
    """Long rows (ward_code, service, category, value, unit, note), one per count.

    For each ward and service the 2016-boundary row is used when it has that service's
    counts, else the 2011-boundary row.
    """
    parts = []
    for prefix, service in SERVICES.items():
        columns = [c for c in wide.columns if c.startswith(prefix + "__")]
        block = wide[["geo_code", "geo_version", *columns]]
        block = block[block[columns].notna().any(axis=1)]
        newest = block.sort_values("geo_version", ascending=False).drop_duplicates("geo_code")
        long = newest.melt(id_vars=["geo_code", "geo_version"], var_name="category")
        long = long.dropna(subset=["value"])
        long["category"] = long["category"].str.removeprefix(prefix + "__")
        long["service"] = service
        long["unit"] = "persons"
        if prefix == "toilet":
            long.loc[long["geo_version"] == _PREFERRED_VERSION, "unit"] = "households"
        long["note"] = (
            "Census 2011 on " + long["geo_version"] + " ward boundaries, joined to current "
            "wards by code: approximate where boundaries changed"
        )
        parts.append(long)
    out = pd.concat(parts, ignore_index=True).rename(columns={"geo_code": "ward_code"})
    return out[["ward_code", "service", "category", "value", "unit", "note"]]


def ward_households(wide: pd.DataFrame) -> pd.Series:
    """Households per ward: the 2016-boundary toilet counts, the census's household counts."""
    rows = wide[wide["geo_version"] == "2016"].set_index("geo_code")
    toilets = rows[[c for c in rows.columns if c.startswith("toilet__")]]
    counted = toilets.notna().any(axis=1)
    return toilets[counted].sum(axis=1).round().astype(int)


def ward_population(population: pd.DataFrame) -> pd.Series:
    """Population per ward on the 2016 boundaries."""
    rows = population[population["geo_version"] == "2016"]
    return rows.set_index("geo_code")["population"].astype(int)


def store_census(conn: Connection, directory: Path) -> CensusLoadResult:
    """Replace the census baseline for the loaded wards, in the caller's transaction."""
    wide, population = read_census(directory)
    indicators = census_indicators(wide)
    known = ward_codes(conn)
    matched = indicators[indicators["ward_code"].isin(known)]
    rows = matched.assign(source=SOURCE, period=PERIOD)[list(INDICATOR_COLUMNS)]
    replace_indicators(conn, SOURCE, frame_rows(rows))
    households = _set_ward_counts(conn, ward_households(wide), ward_population(population), known)
    census_wards = set(indicators["ward_code"])
    return CensusLoadResult(
        indicators=len(matched),
        wards_matched=len(census_wards & known),
        wards_unmatched=len(known - census_wards),
        households_set=households,
    )


def _set_ward_counts(
    conn: Connection, households: pd.Series, population: pd.Series, known: set[str]
) -> int:
    frame = pd.DataFrame({"households": households, "population": population})
    frame = frame[frame.index.isin(known)].astype("Int64")
    set_ward_counts(
        conn,
        frame.index.tolist(),
        _ints(frame["households"]),
        _ints(frame["population"]),
    )
    return int(frame["households"].notna().sum())


def _ints(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values]
