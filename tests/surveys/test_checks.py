"""Row checks: each reason fires on exactly the rows it should, and no row is lost.

Chunks are built here in the canonical shape of ``geosvc.surveys.frames``; the wards are
two shapely boxes in Johannesburg, so no database is needed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geosvc.errors import InvalidInputError
from geosvc.geo import Extent
from geosvc.rowchecks.seen import SeenIds
from geosvc.surveys.checks import (
    REPORT_COLUMNS,
    ROW_COLUMNS,
    CheckedChunk,
    CheckOptions,
    Reason,
    check_chunk,
)
from geosvc.surveys.frames import CANONICAL
from geosvc.surveys.schema import load_schema, parse_schema
from geosvc.wards.assign import WardIndex
from geosvc.wards.places import Places

MALAWI_CSV = (
    Path(__file__).parents[3]
    / "shared"
    / "data"
    / "surveys"
    / "malawi_water_consumers"
    / "waterconsumersurvey.csv"
)
WARD_1, WARD_2 = "79800001", "79800002"
# Ward 2 leaves the north-east corner of the extent empty: a point there is in no ward.
WARDS = WardIndex(
    [WARD_1, WARD_2],
    [shapely.box(28.0, -26.3, 28.1, -26.2), shapely.box(28.1, -26.3, 28.2, -26.25)],
)
PLACES = Places(Extent(28.0, -26.3, 28.2, -26.2), WARDS, frozenset([WARD_1, WARD_2]))
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
OPTIONS = CheckOptions(now=NOW)
SCHEMA = parse_schema(
    {
        "name": "test",
        "title": "Test household form",
        "campaign": {"start": "2025-03-01", "end": "2025-05-31"},
        "ward_code": "ward",
        "services": {
            "water": {"question": "water", "values": {"Yard tap": "piped_in_yard", "other": None}},
            "sanitation": {"question": "toilet", "values": {"VIP": "pit_ventilated"}},
            "electricity": {"question": "power", "values": {"prepaid": "grid_metered"}},
            "refuse": {"question": "refuse", "values": {"weekly": "removed_weekly"}},
        },
        "needs": {"question": "needs", "values": {"water": "water", "roads": "roads"}},
        "answers": {"drop": ["secret"]},
    },
    "test.yaml",
)
GOOD: dict[str, Any] = {
    "latitude": "-26.25",
    "longitude": "28.05",
    "precision": "5",
    "end": "2025-03-10T10:00:00+02:00",
    "hh/ward": WARD_1,
    "hh/water": "Yard tap",
    "hh/toilet": "VIP",
    "hh/power": "prepaid",
    "hh/refuse": "weekly",
    "needs": "water roads",
    "hh/size": "4",
    "secret": "not kept",
}


def chunk(*rows: dict[str, Any], first_row: int = 2) -> pd.DataFrame:
    """A canonical chunk: each row is GOOD with its changes, id ``s<row>`` unless given."""
    records = []
    for number, changes in enumerate(rows, start=first_row):
        record = {"row": number, "submission_id": f"s{number}", **GOOD, **changes}
        records.append(record)
    frame = pd.DataFrame(records, dtype=object)
    for column in CANONICAL:
        if column not in frame.columns:
            frame[column] = None
    frame["row"] = frame["row"].astype(np.int64)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True).dt.as_unit("us")
    questions = [c for c in frame.columns if c not in CANONICAL]
    return frame[[*CANONICAL, *questions]]


def check(frame: pd.DataFrame, **options: Any) -> CheckedChunk:
    """Check with the test schema, wards and clock."""
    schema = options.pop("schema", SCHEMA)
    seen = options.pop("seen", SeenIds())
    return check_chunk(frame, schema, PLACES, seen, CheckOptions(now=NOW, **options))


def reasons(checked: CheckedChunk, outcome: str = "rejected") -> dict[int, str]:
    """Row number → reason of the report's lines with ``outcome``."""
    lines = checked.issues[checked.issues["outcome"] == outcome]
    return dict(zip(lines["row"].tolist(), lines["reason"].tolist(), strict=True))


# Each case: the changes that make a good row fail one check (or get one warning).
REJECTIONS: dict[Reason, dict[str, Any]] = {
    Reason.REPEATED: {"submission_id": "s2"},
    Reason.NO_LOCATION: {"latitude": None},
    Reason.BAD_LOCATION: {"latitude": "-26,25"},
    Reason.OUT_OF_RANGE: {"latitude": "-126.25"},
    Reason.NULL_ISLAND: {"latitude": "0", "longitude": "0"},
    Reason.SWAPPED: {"latitude": "28.05", "longitude": "-26.25"},
    Reason.OUTSIDE_AREA: {"longitude": "29.5"},
    Reason.IMPRECISE: {"precision": "75"},
    Reason.NO_WARD: {"latitude": "-26.22", "longitude": "28.15"},
    Reason.UNKNOWN_WARD: {"hh/ward": "79899999"},
    Reason.WARD_DIFFERS: {"hh/ward": WARD_2},
    Reason.BAD_TIME: {"end": "last Tuesday"},
    Reason.FUTURE: {"end": "2025-06-01T14:30:00+02:00"},
    Reason.BEFORE_CAMPAIGN: {"end": "2025-02-28T23:59:00+02:00"},
    Reason.AFTER_CAMPAIGN: {"end": "2025-06-01T00:00:00+02:00"},
    Reason.NOT_ON_SCALE: {"hh/water": "tap"},
}
WARNINGS: dict[Reason, dict[str, Any]] = {
    Reason.BAD_PRECISION: {"precision": "about 5"},
    Reason.UNLISTED_NEED: {"needs": "water flying_cars"},
}


def test_every_reason_has_a_case() -> None:
    assert set(REJECTIONS) | set(WARNINGS) == set(Reason)


@pytest.mark.parametrize("reason", list(REJECTIONS))
def test_each_rejection_refuses_exactly_its_row(reason: Reason) -> None:
    checked = check(chunk({}, REJECTIONS[reason], {}))
    assert reasons(checked) == {3: reason.value}
    assert checked.rows["row"].tolist() == [2, 4]


@pytest.mark.parametrize("reason", list(WARNINGS))
def test_each_warning_keeps_its_row(reason: Reason) -> None:
    checked = check(chunk({}, WARNINGS[reason], {}))
    assert reasons(checked, "warning") == {3: reason.value}
    assert reasons(checked) == {}
    assert checked.rows["row"].tolist() == [2, 3, 4]


def test_all_cases_in_one_chunk_give_exactly_their_reasons() -> None:
    cases = [*REJECTIONS.items(), *WARNINGS.items()]
    checked = check(chunk({}, *(changes for _, changes in cases)))
    expected = {row: reason.value for row, (reason, _) in enumerate(cases, start=3)}
    rejected, warned = reasons(checked), reasons(checked, "warning")
    assert rejected | warned == expected
    assert checked.rows["row"].tolist() == [2, *sorted(warned)]
    assert list(checked.issues.columns) == REPORT_COLUMNS


def test_evidence_names_what_was_written() -> None:
    checked = check(
        chunk(
            {},
            {"submission_id": "s2"},
            {"latitude": "28.05", "longitude": "-26.25"},
            {"precision": "75"},
            {"hh/ward": WARD_2},
            {"hh/water": "tap"},
            {"end": "2025-02-28T23:59:00+02:00"},
        )
    )
    lines = checked.issues.set_index("row")
    assert lines.loc[3, ["field", "value"]].tolist() == ["submission_id", "first in row 2"]
    assert lines.loc[4, ["field", "value"]].tolist() == ["latitude/longitude", "28.05, -26.25"]
    assert lines.loc[5, "value"] == "75 m (the limit is 50 m)"
    assert lines.loc[6, ["field", "value"]].tolist() == [
        "hh/ward",
        f"{WARD_2} on the form, {WARD_1} by the point",
    ]
    assert lines.loc[7, ["field", "value"]].tolist() == [
        "hh/water",
        "tap (the schema lists: Yard tap, other)",
    ]
    assert lines.loc[8, ["field", "value"]].tolist() == ["end", "2025-02-28T23:59:00+02:00"]


def test_the_first_failing_check_stands() -> None:
    checked = check(chunk({"latitude": None, "hh/water": "tap", "end": "never"}))
    assert reasons(checked) == {2: Reason.NO_LOCATION.value}
    assert len(checked.issues) == 1


def test_a_kept_row_is_ready_to_store() -> None:
    checked = check(chunk({"hh/water": "other", "hh/refuse": None, "root_id": "r1"}))
    access = ["water_access", "sanitation_access", "electricity_access", "refuse_access"]
    # "other" is listed without a level; refuse was not answered
    assert checked.rows[access].iloc[0].tolist() == [pd.NA, 3, 0, pd.NA]
    row = checked.rows.drop(columns=access).iloc[0].to_dict()
    answers = json.loads(row.pop("answers"))
    assert row == {
        "row": 2,
        "submission_id": "s2",
        "root_id": "r1",
        "deprecated_id": None,
        "lon": 28.05,
        "lat": -26.25,
        "ward_code": WARD_1,
        "collected_at": pd.Timestamp("2025-03-10T08:00:00Z"),
        "precision_m": 5.0,
        "needs": ["water", "roads"],
    }
    assert answers == {"hh/size": "4"}
    assert list(checked.rows.columns) == ROW_COLUMNS
    assert checked.rows.dtypes.astype(str).to_dict() == {
        "row": "int64",
        "submission_id": "object",
        "root_id": "object",
        "deprecated_id": "object",
        "lon": "float64",
        "lat": "float64",
        "ward_code": "object",
        "collected_at": "datetime64[us, UTC]",
        "precision_m": "float64",
        "water_access": "Int16",
        "sanitation_access": "Int16",
        "electricity_access": "Int16",
        "refuse_access": "Int16",
        "needs": "object",
        "answers": "str",
    }


def test_answers_are_trimmed_and_matched_regardless_of_case() -> None:
    checked = check(chunk({"hh/water": "  yard TAP ", "needs": " ROADS  water roads "}))
    assert checked.rows[["water_access"]].iloc[0].tolist() == [1]
    assert checked.rows["needs"].iloc[0] == ["roads", "water"]


def test_answers_json_escapes_and_leaves_blanks_out() -> None:
    tricky = 'a "quote", a \\ backslash,\na newline, ünïcödé and a/slash'
    extra = {"hh/size": None, "answers.latitude": "clash", "z/note": tricky, "z/empty": "  "}
    checked = check(chunk(extra, {"z/note": None}, {"hh/size": "3"}))
    answers = [json.loads(text) for text in checked.rows["answers"]]
    # The first row's first kept question (hh/size) is blank: no comma before "latitude".
    assert answers == [{"latitude": "clash", "z/note": tricky}, {"hh/size": "4"}, {"hh/size": "3"}]


def test_answers_json_of_a_row_with_no_kept_answer_is_empty() -> None:
    checked = check(chunk({"hh/size": None}))
    assert checked.rows["answers"].tolist() == ["{}"]


def test_a_ward_mismatch_can_be_a_warning_and_the_point_wins() -> None:
    checked = check(
        chunk({"hh/ward": WARD_2}, {"hh/ward": "79899999"}, {"hh/ward": f"{WARD_1}.0"}),
        ward_mismatch="warn",
    )
    assert reasons(checked, "warning") == {
        2: Reason.WARD_DIFFERS.value,
        3: Reason.UNKNOWN_WARD.value,
    }
    assert checked.rows["ward_code"].tolist() == [WARD_1, WARD_1, WARD_1]


def test_repeats_are_found_across_chunks() -> None:
    seen = SeenIds()
    first = check(chunk({}, {"submission_id": "x"}), seen=seen)
    second = check(chunk({"submission_id": "x"}, {}, first_row=10), seen=seen)
    assert reasons(first) == {}
    assert reasons(second) == {10: Reason.REPEATED.value}
    assert second.issues["value"].tolist() == ["first in row 3"]


def test_ids_from_content_are_stable_and_find_repeated_rows() -> None:
    rows = [{"submission_id": None}, {"submission_id": None, "hh/size": "5"}]
    whole = check(chunk(*rows, rows[0]))
    ids = whole.rows["submission_id"].tolist()
    assert all(i.startswith("content:") and len(i) == len("content:") + 16 for i in ids)
    assert len(set(ids)) == 2
    assert reasons(whole) == {4: Reason.REPEATED.value}
    shuffled = chunk(*rows)
    shuffled = shuffled[[*CANONICAL, *reversed(shuffled.columns[len(CANONICAL) :])]]
    assert check(shuffled).rows["submission_id"].tolist() == ids
    later = check(chunk(rows[1], first_row=50))
    assert later.rows["submission_id"].tolist() == ids[1:]


def test_times_without_offset_are_local_and_submitted_at_fills_in() -> None:
    checked = check(
        chunk(
            {"end": "2025-03-10 10:00"},
            {"end": None, "start": "2025-03-10T09:00:00Z"},
            {"end": None, "submitted_at": "2025-03-11T06:00:00Z"},
            {"end": None, "submitted_at": "2025-06-01T06:00:00Z"},  # sent after the campaign
            {"end": None},
            {"end": "2025-05-31T23:59:59+02:00"},
        ),
        schema=SCHEMA.model_copy(update={"collected_at": ["end", "start"]}),
    )
    assert reasons(checked) == {}
    assert checked.rows["collected_at"].tolist()[:5] == [
        pd.Timestamp("2025-03-10T08:00:00Z"),
        pd.Timestamp("2025-03-10T09:00:00Z"),
        pd.Timestamp("2025-03-11T06:00:00Z"),
        pd.Timestamp("2025-06-01T06:00:00Z"),
        pd.NaT,
    ]


def test_a_geopoint_question_fills_rows_without_a_location() -> None:
    schema = SCHEMA.model_copy(update={"location": load_schema("default").location})
    checked = check(
        chunk(
            {"latitude": None, "longitude": None, "gps": "-26.27 28.03 1600 80"},
            {"latitude": None, "longitude": None, "gps": "-26.27 28.03"},
            {"gps": "-26.27 28.03 1600 4"},  # the reader's columns come first
        ),
        schema=schema,
    )
    assert reasons(checked) == {2: Reason.IMPRECISE.value}
    assert checked.issues["field"].tolist() == ["gps"]
    np.testing.assert_array_equal(checked.rows["lat"], [-26.27, -26.25])
    np.testing.assert_array_equal(checked.rows["precision_m"], [np.nan, 5.0])


def test_a_file_without_a_mapped_question_is_not_this_form() -> None:
    frame = chunk({}).drop(columns=["hh/toilet"])
    with pytest.raises(InvalidInputError, match="no question 'toilet'"):
        check(frame)
    with pytest.raises(ValueError, match="lacks the canonical columns precision"):
        check(chunk({}).drop(columns=["precision"]))


def test_an_empty_chunk_gives_empty_frames() -> None:
    checked = check(chunk({}).iloc[:0])
    assert list(checked.rows.columns) == ROW_COLUMNS
    assert checked.rows.empty
    assert checked.issues.empty


def test_the_real_malawi_survey_is_all_kept() -> None:
    text = pd.read_csv(MALAWI_CSV, dtype=str, keep_default_na=False)
    frame = text.drop(columns=["latitude", "longitude"]).assign(
        row=np.arange(2, len(text) + 2),
        submission_id=None,
        root_id=None,
        deprecated_id=None,
        submitted_at=pd.NaT,
        latitude=text["latitude"],
        longitude=text["longitude"],
        altitude=None,
        precision=None,
    )
    frame = frame[[*CANONICAL, *text.columns.drop(["latitude", "longitude"])]]
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True).dt.as_unit("us")
    malawi = WardIndex(["MW"], [shapely.box(34.5, -16.0, 35.8, -13.5)])
    places = Places(Extent(34.5, -16.0, 35.8, -13.5), malawi, frozenset(["MW"]))
    checked = check_chunk(frame, load_schema("malawi_water"), places, SeenIds(), OPTIONS)
    assert checked.issues.empty
    assert len(checked.rows) == 423
    assert checked.rows["water_access"].value_counts().to_dict() == {4: 361, 6: 40, 2: 20, 3: 2}
    assert checked.rows["collected_at"].iloc[0] == pd.Timestamp("2021-09-19T22:00:00Z")
    first = json.loads(checked.rows["answers"].iloc[0])
    assert first["village"] == "Kagaso"
    assert "nonfunctional_reason" not in first
    assert "main_water_source" not in first


# --- no row is lost ---------------------------------------------------------------------------

_VALUES: dict[str, list[Any]] = {
    "submission_id": ["a", "b", "c", None],
    "latitude": ["-26.25", "-26.22", "0", "x", None, "28.05"],
    "longitude": ["28.05", "28.15", "0", "-26.25", None],
    "precision": ["5", "75", "?", None],
    "end": ["2025-03-10T10:00:00+02:00", "2026-01-01", "2025-01-01", "soon", None],
    "hh/ward": [WARD_1, WARD_2, "1", None],
    "hh/water": ["Yard tap", "other", "tap", None],
    "needs": ["water", "water other", None],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries({k: st.sampled_from(v) for k, v in _VALUES.items()}),
        max_size=25,
    )
)
def test_every_row_is_either_kept_or_refused_once(rows: list[dict[str, Any]]) -> None:
    checked = check(chunk(*rows)) if rows else None
    if checked is None:
        return
    refused = checked.issues[checked.issues["outcome"] == "rejected"]["row"]
    kept = checked.rows["row"]
    assert not refused.duplicated().any()
    assert sorted([*kept, *refused]) == list(range(2, len(rows) + 2))
    warned = set(checked.issues.loc[checked.issues["outcome"] == "warning", "row"])
    assert warned <= set(kept)
    assert checked.rows["ward_code"].notna().all()
    assert checked.rows["submission_id"].is_unique
