"""Survey file readers: every format to the canonical frame, and every refusal.

Real exports are read from ../shared/data/surveys (Ona/Kobo test fixtures, BSD; the Malawi
water consumer survey, CC BY 4.0) and never copied into the project; the other files are
written to ``tmp_path`` by the tests themselves.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geosvc.errors import SourceFileError, UploadTooLargeError
from geosvc.surveys.formats import Encoding, ReadLimits, SurveyFormat, open_survey
from geosvc.surveys.frames import CANONICAL

SURVEYS = Path(__file__).parents[3] / "shared" / "data" / "surveys"
ONA = SURVEYS / "ona_exports"
MALAWI = SURVEYS / "malawi_water_consumers"

KOBO_HEADER = [
    "start",
    "household/head_name",
    "household/size",
    "water/source",
    "gps",
    "_gps_latitude",
    "_gps_longitude",
    "_gps_altitude",
    "_gps_precision",
    "meta/instanceID",
    "meta/rootUuid",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_index",
]
KOBO_ROW = [
    "2024-03-01T09:12:00.000+02:00",
    "Thandi Mokoena",
    "4",
    "piped_yard",
    "-26.2041 28.0473 1753 4.5",
    "-26.2041",
    "28.0473",
    "1753",
    "4.5",
    "uuid:0b6e1c1e-aaaa-4c1e-9d5e-000000000001",
    "uuid:0b6e1c1e-aaaa-4c1e-9d5e-000000000001",
    "101",
    "0b6e1c1e-aaaa-4c1e-9d5e-000000000001",
    "2024-03-01T07:31:15",
    "validation_status_approved",
    "1",
]
ODK_HEADER = [
    "SubmissionDate",
    "start",
    "household-head_name",
    "household-size",
    "loc-Latitude",
    "loc-Longitude",
    "loc-Altitude",
    "loc-Accuracy",
    "water-source",
    "meta-instanceID",
    "meta-deprecatedID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
ODK_ROWS = [
    [
        "2024-03-01T07:31:15.123Z",
        "2024-03-01T09:12:00.000+02:00",
        "Thandi",
        "4",
        "-26.2041",
        "28.0473",
        "1753",
        "4.5",
        "piped_yard",
        "uuid:bbb",
        "uuid:aaa",
        "uuid:aaa",
        "5",
        "cdw1",
        "0",
        "0",
        "",
        "edited",
        "collect:abc",
        "1",
        "2024030101",
    ],
    [
        "2024-03-02T08:00:00.000Z",
        "2024-03-02T09:40:00.000+02:00",
        "Sipho",
        "2",
        "",
        "",
        "",
        "",
        "river",
        "uuid:ccc",
        "",
        "uuid:ccc",
        "5",
        "cdw1",
        "0",
        "0",
        "",
        "",
        "collect:abc",
        "0",
        "2024030101",
    ],
]
ODATA = {
    "@odata.context": "https://central.example/v1/projects/1/forms/hh.svc/$metadata#Submissions",
    "value": [
        {
            "__id": "uuid:aaa",
            "__system": {
                "submissionDate": "2024-03-01T07:31:15.123Z",
                "submitterName": "cdw1",
                "reviewState": "edited",
                "edits": 1,
            },
            "meta": {"instanceID": "uuid:bbb", "deprecatedID": "uuid:aaa"},
            "household": {"head_name": "Thandi", "size": 4, "owns_home": True},
            "loc": {
                "type": "Point",
                "coordinates": [28.0473, -26.2041, 1753],
                "properties": {"accuracy": 4.5},
            },
            "children": [{"__id": "c1", "name": "Tom", "age": 12}, {"name": "Dick", "age": 5}],
            "visits@odata.navigationLink": "Submissions('uuid:aaa')/visits",
        },
        {
            "__id": "uuid:ccc",
            "__system": {"submissionDate": "2024-03-02T08:00:00.000Z", "reviewState": None},
            "meta": {"instanceID": "uuid:ccc"},
            "household": {"head_name": "Sipho", "size": 2, "owns_home": False},
            "loc": None,
            "children": [],
        },
    ],
}
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "hh-1",
            "geometry": {"type": "Point", "coordinates": [28.0473, -26.2041]},
            "properties": {"water": "tap", "ward": {"code": "79800001"}, "visits": 2},
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"water": "river", "ward": {"code": "79800002"}, "visits": None},
        },
    ],
}


def _write_csv(path: Path, rows: list[list[str]], delimiter: str = ";", **kw: str) -> Path:
    buffer = io.StringIO()
    # Windows line ends, so that the writer quotes a value holding a lone \r too.
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding=kw.get("encoding", "utf-8"), newline="")
    return path


def _kobo_csv(path: Path, *, hxl: bool = True) -> Path:
    tags = ["#date+start", "#beneficiary+name", "", "", "#geo"] + [""] * 11
    rows = [KOBO_HEADER, *([tags] if hxl else []), KOBO_ROW]
    second = list(KOBO_ROW)
    second[1], second[4:9] = "Sipho\nDlamini", ["", "", "", "", ""]
    second[9], second[10], second[12] = "uuid:b2", "uuid:b2", "b2"
    return _write_csv(path, [*rows, [""] * len(KOBO_HEADER), second])


def _odk_zip(path: Path) -> Path:
    children = [
        ["name", "age", "PARENT_KEY", "KEY"],
        ["Tom", "12", "uuid:aaa", "uuid:aaa/children[1]"],
        ["Dick", "", "uuid:aaa", "uuid:aaa/children[2]"],
        ["Lindiwe", "7", "uuid:ccc", "uuid:ccc/children[1]"],
    ]
    toys = [
        ["toy-kind", "PARENT_KEY", "KEY"],
        ["ball", "uuid:aaa/children[1]", "uuid:aaa/children[1]/toys[1]"],
        ["kite", "uuid:aaa/children[1]", "uuid:aaa/children[1]/toys[2]"],
        ["doll", "uuid:ccc/children[1]", "uuid:ccc/children[1]/toys[1]"],
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hh.csv", _csv_text([ODK_HEADER, *ODK_ROWS]))
        archive.writestr("hh-children.csv", _csv_text(children))
        archive.writestr("hh-toys.csv", _csv_text(toys))
        archive.writestr("media/photo.jpg", b"\xff\xd8not really a photo")
    return path


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _xlsx(path: Path, rows: Sequence[Sequence[object]], *, sheets: int = 1) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for number in range(1, sheets):
        workbook.create_sheet(f"repeat{number}").append(["name", "_parent_index"])
    workbook.save(path)
    return path


class _Info(NamedTuple):
    format: SurveyFormat
    encoding: Encoding | None
    questions: list[str]
    location: str


def _read(
    path: Path, location: str | None = None, chunk_rows: int = 100_000
) -> tuple[pd.DataFrame, _Info]:
    """Every chunk of ``path`` in one frame, and what the reader said about the file."""
    with open_survey(path, location=location, chunk_rows=chunk_rows) as survey:
        frame = pd.concat(list(survey.chunks()), ignore_index=True)
        info = _Info(survey.format, survey.encoding, survey.questions, survey.location)
    return frame, info


def _refusal(path: Path, location: str | None = None, chunk_rows: int = 100_000) -> str:
    """The message of the SourceFileError that reading ``path`` raises."""
    with pytest.raises(SourceFileError) as caught:
        _read(path, location, chunk_rows)
    return str(caught.value)


# --- real exports -------------------------------------------------------------------------


def test_ona_export_with_repeats_becomes_lists() -> None:
    frame, info = _read(ONA / "tutorial_w_repeats.csv")
    assert info.format is SurveyFormat.KOBO_CSV
    assert info.encoding is Encoding.UTF8
    assert info.location == "gps"
    row = frame.iloc[0]
    assert row["row"] == 2
    assert row["submission_id"] == "b31c6ac2-b8ca-4180-914f-c844fa10ed3b"
    assert row["submitted_at"] == pd.Timestamp("2013-02-18T15:54:01Z")
    assert (row["latitude"], row["longitude"], row["altitude"], row["precision"]) == (
        "-1.2625621",
        "36.7921711",
        "0.0",
        "20.0",
    )
    assert json.loads(row["children/childs_name"]) == ["Tom", "Dick"]
    assert json.loads(row["children/childs_age"]) == ["12", "5"]
    assert row["picture"] == "n/a"  # Ona's "not relevant" text is kept as written
    assert "gps" not in info.questions
    assert "_gps_latitude" not in info.questions
    assert "meta/instanceID" not in info.questions


def test_ona_geolocation_form_times_without_offset_are_utc() -> None:
    frame, info = _read(ONA / "GeoLocationForm_2015_01_15_01_28_45.csv")
    assert info.location == "location"
    assert frame["row"].tolist() == [2, 3, 4, 5]
    assert str(frame["submitted_at"].dtype) == "datetime64[us, UTC]"
    assert frame["submitted_at"].iloc[0] == pd.Timestamp("2015-01-15T06:19:23Z")
    assert frame["submission_id"].iloc[3] == "7c0d8b2d-7ad0-4100-923d-f2767d532256"
    assert frame["path"].iloc[0].startswith("-1.294234 36.78722 0 30;")  # geotrace kept


def test_ona_export_without_location_is_refused_with_its_columns() -> None:
    message = _refusal(ONA / "export.csv")
    assert "export.csv has no location" in message
    assert "bed_net[1]/member[1]/name" in message


def test_malawi_csv_keeps_na_text_and_has_no_time() -> None:
    frame, info = _read(MALAWI / "waterconsumersurvey.csv")
    assert info.format is SurveyFormat.CSV
    assert info.location == "latitude/longitude"
    assert len(frame) == 423
    assert frame["row"].iloc[-1] == 424
    assert frame["submission_id"].isna().all()
    assert frame["submitted_at"].isna().all()
    assert (frame["nonfunctional_reason"] == "NA").sum() > 100
    assert frame["latitude"].iloc[0] == "-15.4724389"
    _, named = _read(MALAWI / "waterconsumersurvey.csv", location="latitude/longitude")
    assert named.location == "latitude/longitude"


def test_malawi_windows_1252_copy_with_padded_header() -> None:
    frame, info = _read(MALAWI / "water consumer survey.csv")
    assert info.encoding is Encoding.CP1252
    assert "district" in info.questions  # "district  " in the header, trimmed
    assert len(frame) == 423


def test_malawi_xlsx_matches_its_csv() -> None:
    workbook, info = _read(MALAWI / "waterconsumersurvey.xlsx")
    text, _ = _read(MALAWI / "waterconsumersurvey.csv")
    assert info.format is SurveyFormat.XLSX
    assert info.encoding is None
    assert workbook["row"].tolist() == text["row"].tolist()
    for column in ("latitude", "longitude"):
        np.testing.assert_allclose(workbook[column].astype(float), text[column].astype(float))
    assert workbook["district"].tolist() == text["district"].tolist()


# --- each format, written here ----------------------------------------------------------


def test_kobo_semicolon_csv_with_hxl_row(tmp_path: Path) -> None:
    frame, info = _read(_kobo_csv(tmp_path / "kobo.csv"))
    assert info.format is SurveyFormat.KOBO_CSV
    # header row 1, HXL row 2, first submission row 3, a blank row 4 (dropped), then row 5
    # whose quoted value spans two lines but is one spreadsheet row
    assert frame["row"].tolist() == [3, 5]
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["submission_id"] == "0b6e1c1e-aaaa-4c1e-9d5e-000000000001"
    assert first["root_id"] == "0b6e1c1e-aaaa-4c1e-9d5e-000000000001"
    assert first["deprecated_id"] is None
    assert first["submitted_at"] == pd.Timestamp("2024-03-01T07:31:15Z")
    assert first["precision"] == "4.5"
    assert first["_validation_status"] == "validation_status_approved"
    assert second["household/head_name"] == "Sipho\nDlamini"
    assert second["latitude"] is None  # a missing location is the checks' business


def test_kobo_comma_csv_without_hxl(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "kobo.csv", [KOBO_HEADER, KOBO_ROW], delimiter=",")
    frame, info = _read(path)
    assert info.format is SurveyFormat.KOBO_CSV
    assert frame["row"].tolist() == [2]
    assert frame["longitude"].iloc[0] == "28.0473"


def test_kobo_xlsx(tmp_path: Path) -> None:
    row: list[object] = list(KOBO_ROW)
    row[2], row[5], row[6] = 4, -26.2041, 28.0473
    path = _xlsx(tmp_path / "kobo.xlsx", [KOBO_HEADER, row, [], row], sheets=2)
    frame, info = _read(path)
    assert info.format is SurveyFormat.KOBO_XLSX
    assert frame["row"].tolist() == [2, 4]
    assert frame["household/size"].iloc[0] == "4"
    assert frame["latitude"].iloc[0] == "-26.2041"
    assert frame["submitted_at"].iloc[0] == pd.Timestamp("2024-03-01T07:31:15Z")


def test_odk_central_csv(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "hh.csv", [ODK_HEADER, *ODK_ROWS], delimiter=",")
    frame, info = _read(path)
    assert info.format is SurveyFormat.ODK_CSV
    assert info.location == "loc"
    first = frame.iloc[0]
    assert (first["submission_id"], first["root_id"], first["deprecated_id"]) == (
        "bbb",
        "aaa",
        "aaa",
    )
    assert first["submitted_at"] == pd.Timestamp("2024-03-01T07:31:15.123Z")
    assert first["household/head_name"] == "Thandi"
    assert first["ReviewState"] == "edited"
    assert (first["latitude"], first["precision"]) == ("-26.2041", "4.5")
    assert frame.iloc[1]["deprecated_id"] is None
    assert "loc/Latitude" not in info.questions


def test_odk_central_zip_folds_repeats_into_lists(tmp_path: Path) -> None:
    frame, info = _read(_odk_zip(tmp_path / "hh.zip"))
    assert info.format is SurveyFormat.ODK_ZIP
    assert info.encoding is Encoding.UTF8
    assert info.questions[-3:] == ["children/name", "children/age", "children/toys/toy/kind"]
    first, second = frame.iloc[0], frame.iloc[1]
    assert json.loads(first["children/name"]) == ["Tom", "Dick"]
    assert json.loads(first["children/age"]) == ["12", None]
    assert json.loads(first["children/toys/toy/kind"]) == [["ball", "kite"], []]
    assert json.loads(second["children/toys/toy/kind"]) == [["doll"]]


def test_odata_json_is_flattened(tmp_path: Path) -> None:
    path = tmp_path / "submissions.json"
    path.write_text(json.dumps(ODATA), encoding="utf-8")
    frame, info = _read(path)
    assert info.format is SurveyFormat.ODK_ODATA
    assert info.location == "loc"
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first["submission_id"], first["root_id"], first["deprecated_id"]) == (
        "bbb",
        "aaa",
        "aaa",
    )
    assert first["submitted_at"] == pd.Timestamp("2024-03-01T07:31:15.123Z")
    assert (first["latitude"], first["longitude"], first["altitude"], first["precision"]) == (
        "-26.2041",
        "28.0473",
        "1753",
        "4.5",
    )
    assert first["household/size"] == "4"
    assert first["household/owns_home"] == "true"
    assert first["__system/reviewState"] == "edited"
    assert json.loads(first["children/name"]) == ["Tom", "Dick"]
    assert json.loads(first["children/age"]) == ["12", "5"]
    assert not any("navigationLink" in q or q.endswith("__id") for q in info.questions)
    assert second["latitude"] is None
    assert second["children/name"] is None
    assert frame["row"].tolist() == [1, 2]


def test_geojson_points(tmp_path: Path) -> None:
    path = tmp_path / "households.geojson"
    path.write_text(json.dumps(GEOJSON), encoding="utf-8")
    frame, info = _read(path)
    assert info.format is SurveyFormat.GEOJSON
    assert info.location == "geometry"
    assert info.questions == ["water", "ward/code", "visits"]
    assert frame["submission_id"].tolist() == ["hh-1", None]
    assert (frame["latitude"].iloc[0], frame["longitude"].iloc[0]) == ("-26.2041", "28.0473")
    assert frame["latitude"].iloc[1] is None
    assert frame["submitted_at"].isna().all()


def test_windows_1252_and_bom_files(tmp_path: Path) -> None:
    rows = [["id", "lat", "lon", "street"], ["h1", "-26.2", "28.0", "Rue Gérard"]]
    latin = _write_csv(tmp_path / "latin.csv", rows, delimiter=",", encoding="cp1252")
    bom = _write_csv(tmp_path / "bom.csv", rows, delimiter=",", encoding="utf-8-sig")
    for path, encoding in ((latin, Encoding.CP1252), (bom, Encoding.UTF8_BOM)):
        frame, info = _read(path)
        assert info.encoding is encoding
        assert frame["submission_id"].tolist() == ["h1"]
        assert frame["street"].tolist() == ["Rue Gérard"]


def test_plain_geopoint_text_column_named_as_location(tmp_path: Path) -> None:
    rows = [["uuid", "where", "note"], ["u1", "-26.2 28.0 1700 5", "x"], ["u2", "-26.3 28.1", ""]]
    frame, info = _read(_write_csv(tmp_path / "points.csv", rows, delimiter=","), location="where")
    assert info.location == "where"
    assert frame[["latitude", "longitude", "altitude", "precision"]].values.tolist() == [
        ["-26.2", "28.0", "1700", "5"],
        ["-26.3", "28.1", None, None],
    ]
    assert frame["note"].tolist() == ["x", None]


def test_question_named_like_a_canonical_column_moves_under_answers(tmp_path: Path) -> None:
    header = [*KOBO_HEADER, "precision", "row"]
    path = _write_csv(tmp_path / "kobo.csv", [header, [*KOBO_ROW, "high", "7"]])
    frame, info = _read(path)
    assert info.questions[-2:] == ["answers.precision", "answers.row"]
    assert frame["precision"].iloc[0] == "4.5"
    assert frame["answers.precision"].iloc[0] == "high"


def test_nested_wide_repeats(tmp_path: Path) -> None:
    header = [
        "bed_net[1]/member[1]/name",
        "bed_net[1]/member[2]/name",
        "bed_net[2]/member[1]/name",
        "bed_net[1]/color",
        "lat",
        "lon",
        "_uuid",
    ]
    rows = [
        header,
        ["Andrew", "Bob", "Carl", "blue", "1", "2", "u1"],
        ["", "", "", "", "1", "2", "u2"],
    ]
    frame, info = _read(_write_csv(tmp_path / "nets.csv", rows, delimiter=","))
    assert info.questions == ["bed_net/member/name", "bed_net/color"]
    assert json.loads(frame["bed_net/member/name"].iloc[0]) == [["Andrew", "Bob"], ["Carl"]]
    assert json.loads(frame["bed_net/color"].iloc[0]) == ["blue", None]
    assert frame["bed_net/member/name"].iloc[1] is None


def test_chunks_are_bounded_numbered_and_repeatable(tmp_path: Path) -> None:
    rows = [["id", "lat", "lon"]] + [[f"h{i}", "-26", "28"] for i in range(7)]
    path = _write_csv(tmp_path / "many.csv", rows, delimiter=",")
    with open_survey(path, chunk_rows=3) as survey:
        sizes = [len(chunk) for chunk in survey.chunks()]
        again = pd.concat(list(survey.chunks()))
    assert sizes == [3, 3, 1]
    assert again["row"].tolist() == list(range(2, 9))


# --- every format yields the canonical columns first --------------------------------------


def _odata_file(path: Path) -> Path:
    path.write_text(json.dumps(ODATA), encoding="utf-8")
    return path


def _geojson_file(path: Path) -> Path:
    path.write_text(json.dumps(GEOJSON), encoding="utf-8")
    return path


WRITERS: dict[SurveyFormat, Callable[[Path], Path]] = {
    SurveyFormat.KOBO_CSV: lambda d: _kobo_csv(d / "kobo.csv"),
    SurveyFormat.KOBO_XLSX: lambda d: _xlsx(d / "kobo.xlsx", [KOBO_HEADER, list(KOBO_ROW)]),
    SurveyFormat.ODK_CSV: lambda d: _write_csv(d / "hh.csv", [ODK_HEADER, *ODK_ROWS], ","),
    SurveyFormat.ODK_ZIP: lambda d: _odk_zip(d / "hh.zip"),
    SurveyFormat.ODK_ODATA: lambda d: _odata_file(d / "hh.json"),
    SurveyFormat.CSV: lambda d: _write_csv(d / "p.csv", [["lat", "lng"], ["1", "2"]], ","),
    SurveyFormat.XLSX: lambda d: _xlsx(d / "p.xlsx", [["Latitude", "Longitude"], [1.5, 2]]),
    SurveyFormat.GEOJSON: lambda d: _geojson_file(d / "hh.geojson"),
}


@pytest.mark.parametrize("survey_format", list(SurveyFormat))
def test_every_format_yields_canonical_columns_first(
    survey_format: SurveyFormat, tmp_path: Path
) -> None:
    path = WRITERS[survey_format](tmp_path)
    with open_survey(path) as survey:
        assert survey.format is survey_format
        for chunk in survey.chunks():
            assert list(chunk.columns) == [*CANONICAL, *survey.questions]
            assert str(chunk["row"].dtype) == "int64"
            assert str(chunk["submitted_at"].dtype) == "datetime64[us, UTC]"
            text = chunk.drop(columns=["row", "submitted_at"])
            assert all(dtype == np.dtype(object) for dtype in text.dtypes)
            values = text.to_numpy().ravel()
            assert all(v is None or isinstance(v, str) for v in values)


_CELL = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=6))
def test_any_text_survives_a_semicolon_csv(tmp_path: Path, cells: list[tuple[str, str]]) -> None:
    rows = [["_uuid", "_gps_latitude", "_gps_longitude", "note", "other"]]
    rows += [[f"u{i}", "-26", "28", a, b] for i, (a, b) in enumerate(cells)]
    frame, _ = _read(_write_csv(tmp_path / "prop.csv", rows))
    expected = [[a or None, b or None] for a, b in cells]
    assert frame[["note", "other"]].values.tolist() == expected
    assert frame["row"].tolist() == list(range(2, 2 + len(cells)))


# --- refusals ---------------------------------------------------------------------------


def test_extension_that_lies(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "survey.xlsx", [["lat", "lon"], ["1", "2"]], ",")
    assert _refusal(path) == (
        "survey.xlsx is named .xlsx but is not an Excel workbook; it looks like CSV text."
    )
    workbook = _xlsx(tmp_path / "book.xlsx", [["lat", "lon"], [1, 2]])
    renamed = workbook.rename(tmp_path / "book.csv")
    assert "is named .csv but is not CSV text; it looks like an Excel workbook" in _refusal(renamed)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.csv is empty."),
        (b"\xef\xbb\xbf \n\n", "empty.csv is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "Excel 97-2003 workbook (.xls)"),
        (b"\xff\xfel\x00a\x00t\x00", "is UTF-16 text"),
        (b"GIF89a\x00\x01", "holds binary data"),
        (b"lat,lon\n", "empty.csv has no rows to load."),
        (b"-26.1,28.0\n-26.2,28.1\n", "has no header: its first row holds values (-26.1, 28.0"),
        (b"\n\nlat,lon\n", "has no header: its first row is blank."),
        (b"a,b\n1,2\n", "has no location: no geopoint question and no latitude/longitude"),
        (b"lat,lon\n1,2,3\n", "row 2 has 3 fields but the header has 2"),
        (b'lat,lon\n1,2\n3,4\n"5,6\n', 'row 4 opens a quoted value (") that is never closed'),
        (b"lat,lon\n\x81\x8d\xff,1\n", "is neither UTF-8 nor Windows-1252 text"),
    ],
)
def test_bad_csv_is_refused_with_the_reason(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert message in _refusal(path)


def test_row_with_too_many_fields_deep_in_the_file(tmp_path: Path) -> None:
    rows = [KOBO_HEADER, ["#tag"] + [""] * 15] + [list(KOBO_ROW) for _ in range(5)]
    rows[3][1] = "a name\nover\nthree lines"  # still one row, as a spreadsheet shows it
    rows.append([*KOBO_ROW, "Main Rd", " Apt 4"])
    path = _write_csv(tmp_path / "kobo.csv", rows)
    message = _refusal(path, chunk_rows=2)
    assert message == (
        "kobo.csv: row 8 has 18 fields but the header has 16; a value that holds a ';' "
        "must be in double quotes."
    )


def test_several_geopoints_need_a_name(tmp_path: Path) -> None:
    header = [
        "home",
        "_home_latitude",
        "_home_longitude",
        "tap",
        "_tap_latitude",
        "_tap_longitude",
        "_uuid",
    ]
    row = ["1 2", "1", "2", "3 4", "3", "4", "u1"]
    path = _write_csv(tmp_path / "two.csv", [header, row])
    assert "has several geopoint questions (home, tap); name the one" in _refusal(path)
    frame, info = _read(path, location="tap")
    assert (frame["latitude"].iloc[0], info.location) == ("3", "tap")
    assert "home" in info.questions
    assert "has no geopoint question or column 'well'" in _refusal(path, location="well")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"value": [', "is not valid JSON: Expecting value at line 1, column 12"),
        ('{"value": []}', "has no submissions"),
        ('{"value": [{"__id": "a"}], "@odata.nextLink": "x"}', "is one page of an OData export"),
        ('{"results": [{"a": 1}]}', "neither an ODK Central OData export"),
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                            "properties": {},
                        },
                    ],
                }
            ),
            "has features that are not points (1 LineString)",
        ),
    ],
)
def test_bad_json_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "batch.json"
    path.write_text(text, encoding="utf-8")
    assert message in _refusal(path)


def test_zip_without_a_root_table(tmp_path: Path) -> None:
    path = tmp_path / "hh.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.csv", "a,b\n1,2\n")
    assert "holds no ODK Central root table: none of its CSV files (notes.csv)" in _refusal(path)


def test_zip_with_several_root_tables(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", _csv_text([ODK_HEADER, ODK_ROWS[0]]))
        archive.writestr("b.csv", _csv_text([ODK_HEADER, ODK_ROWS[1]]))
    assert "holds several root tables (a.csv, b.csv)" in _refusal(path)


def test_xlsx_value_beyond_the_header(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "p.xlsx", [["lat", "lon"], [1, 2], [1, 2, None, "stray"]])
    assert "row 3 has a value in column D, beyond the header's last column B" in _refusal(path)


# --- limits -----------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_extraction(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hh.csv", _csv_text([ODK_HEADER]) + "0" * (20 * 1024 * 1024))
    with pytest.raises(UploadTooLargeError) as caught:
        open_survey(path)
    assert caught.value.status == 413
    assert caught.value.code == "too-large"
    assert "hh.csv would expand" in caught.value.detail


def test_expanded_size_and_member_count_limits(tmp_path: Path) -> None:
    zipped = _odk_zip(tmp_path / "hh.zip")
    with pytest.raises(UploadTooLargeError, match="expands to"):
        open_survey(zipped, limits=ReadLimits(max_expanded_bytes=500))
    with pytest.raises(UploadTooLargeError, match="holds 4 files; at most 3"):
        open_survey(zipped, limits=ReadLimits(max_members=3))
    workbook = _xlsx(tmp_path / "p.xlsx", [["lat", "lon"], [1, 2]])
    with pytest.raises(UploadTooLargeError, match=r"p\.xlsx expands to"):
        open_survey(workbook, limits=ReadLimits(max_expanded_bytes=1000))
    geojson = _geojson_file(tmp_path / "hh.geojson")
    with pytest.raises(UploadTooLargeError, match="a JSON file may be at most"):
        open_survey(geojson, limits=ReadLimits(max_json_bytes=100))
