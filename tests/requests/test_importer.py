"""Bulk import of historical requests: the real LA 311 export, the checks one by one, atomicity.

The LA export (GPL-3.0) is read from ../shared/data/requests and never copied into the
project; its 15 council districts are loaded as the wards of a database of this module.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from geosvc.db import make_engine
from geosvc.errors import InvalidInputError, SourceFileError
from geosvc.geo import CoordinateProblem, Extent
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.requests.import_checks import Places, Reason, check_chunk
from geosvc.requests.import_mapping import ImportMapping, load_mapping, parse_mapping
from geosvc.requests.importer import ImportOptions, ImportResult, import_csv
from geosvc.requests.reference import reference_number
from geosvc.rowchecks.seen import SeenIds
from geosvc.wards.assign import WardIndex
from geosvc.wards.fields import FieldMap
from geosvc.wards.loader import WardLoadOptions, load_wards
from tests.conftest import SHARED_DATA, _clone, _drop_database, rolled_back

LA_REQUESTS = SHARED_DATA / "requests" / "la311_2018_sample.csv"
LA_DISTRICTS = SHARED_DATA / "requests" / "la_council_districts_2012.json"
LA = ZoneInfo("America/Los_Angeles")
LA_FORMAT = "%m/%d/%Y %I:%M:%S %p"

# What the LA sample holds, each number checked against the file in the first test.
LA_ROWS = 10_000
LA_CLOSED_BEFORE_OPENED = 13
LA_IN_NO_WARD = 8  # points between the 2012 districts (street centre lines on a boundary)
LA_WITHOUT_COORDINATES = 1_102  # all with an address; 9 of them without a council district
LA_WITHOUT_DISTRICT = 9
LA_WARD_DIFFERS = 14  # the CD column names another district than the point lies in
LA_IMPORTED = LA_ROWS - LA_CLOSED_BEFORE_OPENED - LA_IN_NO_WARD


def load_la_wards(conn: Connection) -> None:
    """The 15 LA council districts as wards: codes '1'..'15', not the MDB's eight digits."""
    options = WardLoadOptions(
        fields=FieldMap(code="external_id", name="name"), code_pattern=r"^\d{1,2}$"
    )
    load_wards(conn, LA_DISTRICTS, options)


@pytest.fixture(scope="module")
def la_engine(template_url: str) -> Iterator[Engine]:
    """A migrated database holding the LA council districts as wards and the catalogue."""
    url = _clone(template_url, f"geosvc_la_{uuid.uuid4().hex[:10]}")
    engine = make_engine(url)
    with engine.begin() as conn:
        load_la_wards(conn)
        store_catalogue(conn, read_catalogue())
    yield engine
    engine.dispose()
    _drop_database(url)


@pytest.fixture
def la_conn(la_engine: Engine) -> Iterator[Connection]:
    """A connection to the LA database whose transaction is rolled back after the test."""
    with rolled_back(la_engine) as connection:
        yield connection


def _import_la(conn: Connection, tmp_path: Path, **options: Any) -> ImportResult:
    report = tmp_path / "la.report.csv"
    return import_csv(
        conn, LA_REQUESTS, load_mapping("la311"), ImportOptions(report=report, **options)
    )


def _count(conn: Connection, sql: str) -> int:
    return int(conn.execute(text(sql)).scalar_one())


def test_la_sample_holds_what_the_tests_expect() -> None:
    raw = pd.read_csv(LA_REQUESTS, dtype=str)
    created = pd.to_datetime(raw["CreatedDate"], format=LA_FORMAT)
    closed = pd.to_datetime(raw["ClosedDate"], format=LA_FORMAT)
    assert len(raw) == LA_ROWS
    assert int((closed < created).sum()) == LA_CLOSED_BEFORE_OPENED
    no_point = raw["Latitude"].isna() | raw["Longitude"].isna()
    assert int(no_point.sum()) == LA_WITHOUT_COORDINATES
    assert raw.loc[no_point, "Address"].notna().all()
    assert int((no_point & raw["CD"].isna()).sum()) == LA_WITHOUT_DISTRICT
    assert not raw["SRNumber"].duplicated().any()


def test_la_import_counts_and_reasons(la_conn: Connection, tmp_path: Path) -> None:
    result = _import_la(la_conn, tmp_path)
    assert (result.rows_read, result.imported, result.already_present) == (
        LA_ROWS,
        LA_IMPORTED,
        0,
    )
    assert result.rejected == {
        Reason.CLOSED_BEFORE_OPENED: LA_CLOSED_BEFORE_OPENED,
        Reason.NO_WARD: LA_IN_NO_WARD,
    }
    assert result.warnings == {
        Reason.ADDRESS_ONLY: LA_WITHOUT_COORDINATES - LA_WITHOUT_DISTRICT,
        Reason.WARD_DIFFERS: LA_WARD_DIFFERS,
        Reason.ADDRESS_ONLY_NO_WARD: LA_WITHOUT_DISTRICT,
    }
    la = "FROM service_request WHERE source = 'la311'"
    assert _count(la_conn, f"SELECT count(*) {la}") == LA_IMPORTED
    assert _count(la_conn, f"SELECT count(*) {la} AND geom IS NULL") == LA_WITHOUT_COORDINATES
    assert _count(la_conn, f"SELECT count(*) {la} AND ward_code IS NULL") == LA_WITHOUT_DISTRICT
    assert _count(la_conn, f"SELECT count(*) {la} AND closed_at < requested_at") == 0
    events = "SELECT count(*) FROM request_event WHERE kind = 'imported' AND actor = 'import:la311'"
    assert _count(la_conn, events) == LA_IMPORTED


def test_reimport_adds_nothing_and_counts_rows_already_present(
    la_conn: Connection, tmp_path: Path
) -> None:
    _import_la(la_conn, tmp_path)
    again = _import_la(la_conn, tmp_path)
    assert (again.imported, again.already_present) == (0, LA_IMPORTED)
    assert again.rejected_rows == LA_CLOSED_BEFORE_OPENED + LA_IN_NO_WARD
    assert _count(la_conn, "SELECT count(*) FROM service_request") == LA_IMPORTED
    assert _count(la_conn, "SELECT count(*) FROM request_event") == LA_IMPORTED


def test_report_lists_each_refused_row_with_its_spreadsheet_row(
    la_conn: Connection, tmp_path: Path
) -> None:
    result = _import_la(la_conn, tmp_path)
    with result.report.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert list(lines[0]) == ["row", "source_id", "outcome", "field", "value", "reason"]
    rejected = [line for line in lines if line["outcome"] == "rejected"]
    assert len(rejected) == LA_CLOSED_BEFORE_OPENED + LA_IN_NO_WARD
    assert len(lines) - len(rejected) == result.warning_count
    raw = pd.read_csv(LA_REQUESTS, dtype=str)
    closed_early = raw[
        pd.to_datetime(raw["ClosedDate"], format=LA_FORMAT)
        < pd.to_datetime(raw["CreatedDate"], format=LA_FORMAT)
    ]
    # Row numbers as a spreadsheet shows them: the header is row 1, data start at row 2.
    expected = {(str(i + 2), sr) for i, sr in closed_early["SRNumber"].items()}
    early = [line for line in rejected if line["reason"] == Reason.CLOSED_BEFORE_OPENED]
    assert {(line["row"], line["source_id"]) for line in early} == expected
    assert {line["field"] for line in early} == {"ClosedDate"}
    first = early[0]
    source = raw.iloc[int(first["row"]) - 2]
    assert first["value"] == f"{source['ClosedDate']} < {source['CreatedDate']}"
    no_ward = [line for line in rejected if line["reason"] == Reason.NO_WARD]
    assert {line["field"] for line in no_ward} == {"Latitude/Longitude"}
    warned = {int(line["row"]) for line in lines if "address-only" in line["reason"]}
    assert warned == {i + 2 for i in raw.index[raw["Latitude"].isna()]}
    assert [int(line["row"]) for line in lines] == sorted(int(line["row"]) for line in lines)


def test_imported_request_keeps_the_source_values(la_conn: Connection, tmp_path: Path) -> None:
    _import_la(la_conn, tmp_path, reference_prefix="LAX")
    row = (
        la_conn.execute(
            text(
                "SELECT r.*, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM service_request r "
                "WHERE source = 'la311' AND source_id = '1-870704814'"
            )
        )
        .mappings()
        .one()
    )
    # SRNumber,CreatedDate,UpdatedDate,...,RequestType,Status,RequestSource,...,Anonymous:
    # 1-870704814,01/01/2018 12:00:09 AM,01/06/2018 10:18:29 AM,...,Bulky Items,Closed,
    # Mobile App,Android,Y,...,ClosedDate 01/06/2018 10:18:29 AM, CD 10
    assert row["requested_at"] == datetime(2018, 1, 1, 0, 0, 9, tzinfo=LA)
    assert row["closed_at"] == datetime(2018, 1, 6, 10, 18, 29, tzinfo=LA)
    assert row["updated_at"] == row["closed_at"]
    assert row["acknowledged_at"] == row["closed_at"]
    assert (row["status"], row["resolution"]) == ("closed", "fixed")
    assert (row["service_code"], row["description"]) == ("other", "Bulky Items")
    assert (row["channel"], row["anonymous"], row["actionable"]) == ("app", True, True)
    assert (row["kind"], row["ward_code"]) == ("request", "10")
    assert (row["lon"], row["lat"]) == (-118.294017712, 34.0676390557)
    assert row["address"] == "356 S BERENDO ST, 90020"
    local = row["requested_at"].astimezone(LA)
    assert row["reference"] == reference_number("LAX", local, row["id"])
    event = (
        la_conn.execute(
            text("SELECT * FROM request_event WHERE request_id = :id"), {"id": row["id"]}
        )
        .mappings()
        .one()
    )
    assert (event["kind"], event["actor"], event["status_to"]) == (
        "imported",
        "import:la311",
        "closed",
    )
    assert LA_REQUESTS.name in event["note"]  # the source id is on the request
    assert event["data"] == {}
    assert not event["public"]


def test_every_la_row_is_translated_by_the_mapping(la_conn: Connection, tmp_path: Path) -> None:
    _import_la(la_conn, tmp_path)
    stored = pd.read_sql(
        text(
            "SELECT source_id, service_code, status, resolution, channel, anonymous "
            "FROM service_request WHERE source = 'la311'"
        ),
        la_conn,
    )
    raw = pd.read_csv(LA_REQUESTS, dtype=str).rename(columns={"SRNumber": "source_id"})
    both = stored.merge(raw, on="source_id", validate="one_to_one")
    assert len(both) == LA_IMPORTED
    mapping = load_mapping("la311")
    statuses = both["Status"].map(mapping.statuses)
    assert (both["status"] == statuses.map(lambda t: t.status)).all()
    assert (both["resolution"] == statuses.map(lambda t: t.resolution)).all()
    channels = both["RequestSource"].map(mapping.channels.values)
    assert (both["channel"] == channels).all()
    types = both["RequestType"].map(mapping.service_types.values).fillna("other")
    assert (both["service_code"] == types).all()
    assert (both["anonymous"] == (both["Anonymous"] == "Y")).all()
    assert set(both["resolution"]) == {"fixed", "cancelled", "not_municipal_responsibility"}


def test_unknown_default_service_type_is_refused_before_anything_is_written(
    la_conn: Connection, tmp_path: Path
) -> None:
    raw = load_mapping("la311").model_dump()
    raw["service_types"]["default"] = "graffiti"
    mapping = parse_mapping(raw, "test")
    report = tmp_path / "report.csv"
    with pytest.raises(InvalidInputError, match="catalogue lacks: graffiti"):
        import_csv(la_conn, LA_REQUESTS, mapping, ImportOptions(report=report))
    assert _count(la_conn, "SELECT count(*) FROM service_request") == 0
    assert not report.exists()


_SCHEMA_OBJECTS = """
    SELECT pg_get_indexdef(indexrelid) FROM pg_index
    WHERE indrelid IN ('service_request'::regclass, 'request_event'::regclass)
    UNION ALL
    SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid IN ('service_request'::regclass, 'request_event'::regclass)
    ORDER BY 1
"""


def _stored(conn: Connection) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in conn.execute(
            text(
                "SELECT r.source_id, r.status, r.ward_code, ST_AsText(r.geom), r.requested_at, "
                "r.token, e.kind FROM service_request AS r JOIN request_event AS e "
                "ON e.request_id = r.id ORDER BY r.source_id"
            )
        )
    ]


def test_deferred_indexes_store_the_same_and_come_back(la_engine: Engine, tmp_path: Path) -> None:
    stored = {}
    for defer in (False, True):
        with rolled_back(la_engine) as conn:
            before = conn.execute(text(_SCHEMA_OBJECTS)).scalars().all()
            result = _import_la(conn, tmp_path, defer_indexes=defer)
            assert conn.execute(text(_SCHEMA_OBJECTS)).scalars().all() == before
            assert result.imported == LA_IMPORTED
            stored[defer] = _stored(conn)
    assert stored[True] == stored[False]
    assert all(token is None for *_, token, _ in stored[True])  # imported: no Open311 token
    assert any("gist (geom)" in ddl for ddl in before)


def test_an_import_failing_with_indexes_deferred_puts_them_back(
    la_engine: Engine, tmp_path: Path
) -> None:
    with la_engine.connect() as conn:
        before = conn.execute(text(_SCHEMA_OBJECTS)).scalars().all()
    with pytest.raises(DBAPIError, match="injected failure"):
        _import_failing_on(la_engine, "1-872849051", tmp_path / "report.csv", [], defer=True)
    with la_engine.connect() as conn:
        assert conn.execute(text(_SCHEMA_OBJECTS)).scalars().all() == before
        assert _count(conn, "SELECT count(*) FROM service_request") == 0


def _import_failing_on(
    engine: Engine, source_id: str, report: Path, done: list[int], *, defer: bool = False
) -> None:
    """Import LA in chunks of 2,000 with a trigger that fails on inserting ``source_id``."""
    with engine.begin() as conn:
        conn.execute(
            text(
                f"""
                CREATE FUNCTION pg_temp.fail() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.source_id = '{source_id}' THEN
                        RAISE EXCEPTION 'injected failure';
                    END IF;
                    RETURN NEW;
                END $$
                """
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER fail BEFORE INSERT ON service_request "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.fail()"
            )
        )
        options = ImportOptions(report=report, chunk_rows=2_000, defer_indexes=defer)
        import_csv(conn, LA_REQUESTS, load_mapping("la311"), options, progress=done.append)


def test_a_database_error_mid_import_leaves_nothing(la_engine: Engine, tmp_path: Path) -> None:
    done: list[int] = []
    with pytest.raises(DBAPIError, match="injected failure"):
        # Row 5,002 of the file: in the third chunk.
        _import_failing_on(la_engine, "1-872849051", tmp_path / "report.csv", done)
    assert done == [2_000, 2_000]  # two chunks were stored before the failure
    with la_engine.connect() as conn:
        assert _count(conn, "SELECT count(*) FROM service_request") == 0
        assert _count(conn, "SELECT count(*) FROM request_event") == 0
        assert _count(conn, "SELECT count(*) FROM pg_trigger WHERE tgname = 'fail'") == 0
    assert not list(tmp_path.iterdir())  # neither the report nor its partial file


# --- mappings ---------------------------------------------------------------------------


def _mapping(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "source": "town",
        "columns": {
            "source_id": "id",
            "created": "opened",
            "closed": "closed",
            "updated": "updated",
            "status": "state",
            "service_type": "type",
            "channel": "via",
            "lat": "lat",
            "lon": "lon",
            "address": "address",
            "description": "text",
            "ward": "ward",
            "anonymous": "anon",
        },
        "datetime_format": "%Y-%m-%d %H:%M",
        "timezone": "Africa/Johannesburg",
        "statuses": {
            "open": {"status": "received"},
            "busy": {"status": "in_progress"},
            "done": {"status": "closed", "resolution": "fixed"},
        },
        "service_types": {"default": "other", "values": {"Pothole": "pothole"}},
        "channels": {"default": "web", "values": {"Phone": "phone"}},
        "anonymous_values": ["yes"],
        "default_points": [[28.1, -25.9]],
    }
    raw.update(changes)
    return raw


def test_bundled_mapping_loads_by_name_or_path() -> None:
    by_name = load_mapping("la311")
    assert by_name.source == "la311"
    assert by_name.columns.source_id == "SRNumber"
    assert by_name.statuses["Referred Out"].resolution == "not_municipal_responsibility"
    assert load_mapping(Path("geosvc/requests/mappings/la311.yaml")) == by_name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": None}, "bad.yaml: source: Input should be a valid string."),
        ({"source": "geosvc"}, "source: 'geosvc' is the source of requests lodged here"),
        ({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not an IANA time zone."),
        (
            {"statuses": {"done": {"status": "closed"}}},
            "statuses.done: a closed status needs a resolution, and only a closed one.",
        ),
        ({"statuses": {"x": {"status": "finished"}}}, "statuses.x.status: Input should be"),
        ({"channels": {"values": {"Fax": "fax"}}}, "channels.values.Fax: Input should be"),
        ({"service_types": {"default": "Other Things"}}, "service_types.default: String"),
        (
            {"service_types": {"default": "other", "values": {"A": "Bad Code"}}},
            "service_types.values: not catalogue codes: Bad Code.",
        ),
        ({"colour": "blue"}, "colour: Extra inputs are not permitted."),
        ({"default_points": [[1.0]]}, "default_points.0.1: Field required."),
    ],
)
def test_bad_mapping_is_refused_naming_the_key(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(_mapping(**changes)), encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        load_mapping(path)
    assert message in caught.value.detail


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"lat": None}, "columns: name both lat and lon, or neither."),
        ({"lat": None, "lon": None, "address": None}, "name lat and lon, or address"),
        ({"closed": None}, "statuses done close requests: name columns.closed."),
    ],
)
def test_mapping_column_rules(columns: dict[str, Any], message: str) -> None:
    raw = _mapping()
    raw["columns"].update(columns)
    with pytest.raises(SourceFileError, match=message):
        parse_mapping(raw, "m.yaml")


def test_unreadable_or_unknown_mapping(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="neither a mapping file nor a bundled mapping"):
        load_mapping("la999")
    broken = tmp_path / "broken.yaml"
    broken.write_text("source: [unclosed", encoding="utf-8")
    with pytest.raises(SourceFileError, match="cannot be read as a YAML mapping"):
        load_mapping(broken)


# --- the checks, one by one, on a small town ----------------------------------------------

#: Two wards with a gap between them, so a point can be inside the extent and in no ward.
TOWN = Places(
    extent=Extent(28.0, -26.0, 29.0, -25.0),
    wards=WardIndex(
        ["A", "B"], [shapely.box(28, -26, 28.5, -25.5), shapely.box(28.5, -25.5, 29, -25)]
    ),
    ward_codes=frozenset({"A", "B"}),
)
GOOD = {
    "id": "T-1",
    "opened": "2026-03-02 09:30",
    "closed": "2026-03-04 10:00",
    "updated": "2026-03-04 10:05",
    "state": "done",
    "type": "Pothole",
    "via": "Phone",
    "lat": "-25.75",
    "lon": "28.25",
    "address": "1 Main Road",
    "text": "Deep hole",
    "ward": "A",
    "anon": "no",
}


def _check(*rows: dict[str, str], first_row: int = 2, seen: SeenIds | None = None) -> Any:
    mapping = ImportMapping.model_validate(_mapping())
    frame = pd.DataFrame([{**GOOD, **row} for row in rows], dtype=object)
    return check_chunk(frame, first_row, mapping, TOWN, seen or SeenIds())


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"id": " "}, "id", Reason.NO_ID),
        ({"opened": ""}, "opened", Reason.NO_CREATED),
        ({"opened": "02/03/2026 09:30"}, "opened", Reason.BAD_DATE),
        ({"closed": "soon"}, "closed", Reason.BAD_DATE),
        ({"state": "lost"}, "state", Reason.UNKNOWN_STATUS),
        ({"closed": ""}, "state", Reason.CLOSED_NO_DATE),
        ({"closed": "2026-03-01 08:00"}, "closed", Reason.CLOSED_BEFORE_OPENED),
        ({"lat": "", "lon": "", "address": ""}, "lat/lon", Reason.NO_LOCATION),
        ({"lat": "abc", "address": " "}, "lat/lon", Reason.NO_LOCATION),
        ({"lat": "0", "lon": "0"}, "lat/lon", CoordinateProblem.NULL_ISLAND.value),
        ({"lat": "10", "lon": "200"}, "lat/lon", CoordinateProblem.OUT_OF_RANGE.value),
        ({"lat": "28.25", "lon": "-25.75"}, "lat/lon", CoordinateProblem.SWAPPED.value),
        ({"lat": "-33.9", "lon": "18.4"}, "lat/lon", CoordinateProblem.OUTSIDE_EXTENT.value),
        ({"lat": "-25.9", "lon": "28.1"}, "lat/lon", Reason.PLACEHOLDER),
        ({"lat": "-25.75", "lon": "28.75"}, "lat/lon", Reason.NO_WARD),
    ],
)
def test_each_refusal_names_its_field_and_reason(
    change: dict[str, str], field: str, reason: str
) -> None:
    checked = _check(change)
    assert checked.rows.empty
    issue = checked.issues.iloc[0]
    assert (issue["row"], issue["outcome"], issue["field"], issue["reason"]) == (
        2,
        "rejected",
        field,
        reason,
    )


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"lat": "", "lon": ""}, "ward", Reason.ADDRESS_ONLY),
        ({"lat": "", "lon": "", "ward": "Z"}, "ward", Reason.ADDRESS_ONLY_NO_WARD),
        ({"ward": "B"}, "ward", Reason.WARD_DIFFERS),
        ({"state": "open"}, "closed", Reason.CLOSED_DATE_IGNORED),
        ({"updated": "yesterday"}, "updated", Reason.BAD_UPDATED),
        ({"text": "x" * 4001}, "text", Reason.DESCRIPTION_CUT),
    ],
)
def test_warnings_keep_the_row(change: dict[str, str], field: str, reason: str) -> None:
    checked = _check(change)
    assert len(checked.rows) == 1
    issue = checked.issues.iloc[0]
    assert (issue["outcome"], issue["field"], issue["reason"]) == ("warning", field, reason)


def test_a_clean_row_is_staged_with_its_values() -> None:
    checked = _check({})
    assert checked.issues.empty
    row = checked.rows.iloc[0]
    assert (row["source_id"], row["service_code"], row["channel"]) == ("T-1", "pothole", "phone")
    assert (row["status"], row["resolution"], row["ward_code"]) == ("closed", "fixed", "A")
    assert (row["lon"], row["lat"], row["anonymous"]) == (28.25, -25.75, False)
    sast = ZoneInfo("Africa/Johannesburg")
    micros = int(datetime(2026, 3, 2, 9, 30, tzinfo=sast).timestamp()) * 1_000_000
    assert row["requested_us"] == micros
    assert row["updated_us"] - row["closed_us"] == 5 * 60 * 1_000_000


def test_address_only_row_takes_the_source_ward_and_no_point() -> None:
    row = _check({"lat": "", "lon": "", "ward": "B"}).rows.iloc[0]
    assert np.isnan(row["lon"])
    assert np.isnan(row["lat"])
    assert row["ward_code"] == "B"


def test_unmapped_type_and_channel_fall_back_to_the_defaults() -> None:
    row = _check({"type": "Graffiti", "via": "Carrier pigeon", "anon": "yes"}).rows.iloc[0]
    assert (row["service_code"], row["channel"], row["anonymous"]) == ("other", "web", True)


def test_open_request_has_no_closed_time_and_coordinates_in_exponent_form() -> None:
    row = _check({"state": "busy", "lon": "2.825e1"}).rows.iloc[0]
    assert pd.isna(row["closed_us"])
    assert row["lon"] == 28.25


def test_repeated_ids_keep_the_first_row_across_chunks() -> None:
    seen = SeenIds()
    first = _check({"id": "A"}, {"id": "B"}, {"id": "A"}, seen=seen)
    second = _check({"id": "C"}, {"id": "B"}, first_row=5, seen=seen)
    assert list(first.rows["source_id"]) == ["A", "B"]
    assert list(second.rows["source_id"]) == ["C"]
    issues = pd.concat([first.issues, second.issues])
    assert list(zip(issues["row"], issues["value"], strict=True)) == [
        (4, "first in row 2"),
        (6, "first in row 3"),
    ]
    assert set(issues["reason"]) == {Reason.REPEATED_ID}


def test_a_time_the_clocks_pass_twice_is_the_first() -> None:
    mapping = ImportMapping.model_validate(_mapping(timezone="America/Los_Angeles"))
    frame = pd.DataFrame([{**GOOD, "opened": "2026-11-01 01:30", "state": "open"}], dtype=object)
    row = check_chunk(frame, 2, mapping, TOWN, SeenIds()).rows.iloc[0]
    expected = datetime(2026, 11, 1, 1, 30, tzinfo=LA).timestamp()  # fold=0: daylight time
    assert row["requested_us"] == int(expected) * 1_000_000


# --- files -------------------------------------------------------------------------------


def _write_town(path: Path, rows: list[dict[str, str]]) -> Path:
    pd.DataFrame(rows, columns=list(GOOD), dtype=object).to_csv(path, index=False)
    return path


def _town_import(conn: Connection, path: Path, **options: Any) -> ImportResult:
    mapping = ImportMapping.model_validate(_mapping(timezone="America/Los_Angeles"))
    return import_csv(conn, path, mapping, ImportOptions(**options))


def _la_point(i: int) -> dict[str, str]:
    """A row placed in LA council district 10, as the town mapping reads it."""
    return {**GOOD, "id": f"T-{i}", "lat": "34.0676390557", "lon": "-118.294017712", "ward": "10"}


def test_blank_lines_count_as_rows_and_the_report_sits_beside_the_file(
    la_conn: Connection, tmp_path: Path
) -> None:
    path = _write_town(tmp_path / "town.csv", [_la_point(1), _la_point(2)])
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1], "", lines[2]]) + "\n", encoding="utf-8")
    result = _town_import(la_conn, path)
    assert (result.rows_read, result.imported, result.rejected) == (3, 2, {Reason.NO_ID: 1})
    report = pd.read_csv(tmp_path / "town.csv.report.csv", dtype=str)
    assert list(report["row"]) == ["3"]
    assert result.report == tmp_path / "town.csv.report.csv"


def test_header_only_file_imports_nothing(la_conn: Connection, tmp_path: Path) -> None:
    result = _town_import(la_conn, _write_town(tmp_path / "town.csv", []))
    assert (result.rows_read, result.imported, result.rejected_rows) == (0, 0, 0)
    assert (tmp_path / "town.csv.report.csv").read_text(encoding="utf-8").splitlines() == [
        "row,source_id,outcome,field,value,reason"
    ]


def test_semicolon_separated_export(la_conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "town.csv"
    rows = [{**_la_point(1), "address": "1 Main Road, Westlake"}, _la_point(2)]
    pd.DataFrame(rows, dtype=object).to_csv(path, index=False, sep=";")
    mapping = ImportMapping.model_validate(_mapping(timezone="America/Los_Angeles", delimiter=";"))
    result = import_csv(la_conn, path, mapping)
    assert (result.rows_read, result.imported) == (2, 2)
    address = la_conn.execute(
        text("SELECT address FROM service_request WHERE source_id = 'T-1'")
    ).scalar_one()
    assert address == "1 Main Road, Westlake"


def test_file_without_a_mapped_column_is_refused(la_conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "town.csv"
    pd.DataFrame([_la_point(1)]).drop(columns=["state", "via"]).to_csv(path, index=False)
    with pytest.raises(SourceFileError, match=r"town\.csv has no column state, via"):
        _town_import(la_conn, path)
    assert not (tmp_path / "town.csv.report.csv").exists()


MALFORMED = r"town\.csv: row 7 has 17 fields but the header has 13; a value that holds a ','"


def test_malformed_line_is_a_clear_error_and_stores_nothing(
    la_engine: Engine, tmp_path: Path
) -> None:
    path = _write_town(tmp_path / "town.csv", [_la_point(i) for i in range(5)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("T-9,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n")
    with (
        pytest.raises(SourceFileError, match=MALFORMED),
        la_engine.begin() as conn,
    ):
        _town_import(conn, path, chunk_rows=2)
    with la_engine.connect() as conn:
        assert _count(conn, "SELECT count(*) FROM service_request") == 0


@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        ("T-9,a,b\n", r"row 7 has 3 fields but the header has 13"),
        (
            'T-9,a,b,c,d,e,f,g,h,i,j,k,"never closed\n',
            r"row 7 opens a quoted value \(\"\) that is never closed\.$",
        ),
    ],
    ids=["short row", "open quote"],
)
def test_a_row_cut_short_is_refused_not_filled_with_blanks(
    la_engine: Engine, tmp_path: Path, tail: str, problem: str
) -> None:
    path = _write_town(tmp_path / "town.csv", [_la_point(i) for i in range(5)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write(tail)
    with pytest.raises(SourceFileError, match=problem), la_engine.begin() as conn:
        _town_import(conn, path, chunk_rows=2)
    with la_engine.connect() as conn:
        assert _count(conn, "SELECT count(*) FROM service_request") == 0


def test_missing_file_and_unwritable_report(la_conn: Connection, tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="does not exist"):
        _town_import(la_conn, tmp_path / "none.csv")
    path = _write_town(tmp_path / "town.csv", [_la_point(1)])
    with pytest.raises(SourceFileError, match="report cannot be written"):
        _town_import(la_conn, path, report=tmp_path / "no" / "such" / "dir.csv")


def test_references_beyond_seven_digits_are_not_cut(la_conn: Connection, tmp_path: Path) -> None:
    la_conn.execute(text("SELECT setval('service_request_id_seq', 123456789)"))
    path = _write_town(tmp_path / "town.csv", [_la_point(1)])
    _town_import(la_conn, path, reference_prefix="TST")
    reference = la_conn.execute(text("SELECT reference FROM service_request")).scalar_one()
    assert reference == "TST-2026-123456790"


def test_no_wards_is_a_clear_error(la_conn: Connection, tmp_path: Path) -> None:
    la_conn.execute(text("DELETE FROM ward"))
    path = _write_town(tmp_path / "town.csv", [_la_point(1)])
    with pytest.raises(InvalidInputError, match="No wards are loaded"):
        _town_import(la_conn, path)


def test_values_of_coordinate_problems_are_the_source_text() -> None:
    checked = _check({"lat": "0", "lon": "0.0"})
    assert checked.issues.iloc[0]["value"] == "0, 0.0"
    assert np.array_equal(checked.issues["row"].to_numpy(), [2])
