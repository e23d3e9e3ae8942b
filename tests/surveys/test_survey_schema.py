"""Survey schemas: the shipped ones load, bad ones fail naming the key, questions are found.

(Named test_survey_schema.py, not test_schema.py: tests/db/test_schema.py has that basename,
and without __init__.py files pytest cannot collect two test modules of one name.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from geosvc.errors import InvalidInputError
from geosvc.surveys.questions import find_question, resolve_questions
from geosvc.surveys.scales import SCALES, Service
from geosvc.surveys.schema import (
    SCHEMAS_DIR,
    bundled_schemas,
    load_schema,
    normalise_answer,
    parse_schema,
)

MALAWI = Path(__file__).parents[3] / "shared" / "data" / "surveys" / "malawi_water_consumers"
CANONICAL_COLUMNS = ["row", "submission_id", "root_id", "deprecated_id", "submitted_at"]
LOCATION_COLUMNS = ["latitude", "longitude", "altitude", "precision"]


def _minimal(**changes: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "name": "test",
        "title": "Test form",
        "services": {"water": {"question": "water", "values": {"Tap": "piped_in_yard"}}},
    }
    return schema | changes


def _error(raw: object) -> str:
    with pytest.raises(InvalidInputError) as caught:
        parse_schema(raw, "test.yaml")
    return str(caught.value)


# --- shipped schemas --------------------------------------------------------------------------


def test_bundled_schemas_load_by_name_and_by_path(tmp_path: Path) -> None:
    assert bundled_schemas() == ["default", "malawi_water"]
    default = load_schema("default")
    assert set(default.services) == set(Service)
    assert default.needs is not None
    assert default.needs.question == "top_needs"
    copy = tmp_path / "mine.yaml"
    copy.write_text((SCHEMAS_DIR / "default.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_schema(copy) == default


def test_default_schema_maps_every_level_by_its_own_name() -> None:
    codes = load_schema("default").access_codes()
    for service, scale in SCALES.items():
        assert {codes[service][level] for level in scale.levels} == set(range(len(scale.levels)))


@pytest.mark.parametrize(
    ("filename", "encoding"),
    [("waterconsumersurvey.csv", "utf-8"), ("water consumer survey.csv", "cp1252")],
)
def test_malawi_schema_maps_every_water_source_in_the_real_survey(
    filename: str, encoding: str
) -> None:
    survey = pd.read_csv(MALAWI / filename, dtype=str, keep_default_na=False, encoding=encoding)
    survey.columns = survey.columns.str.strip()
    answers = set(survey["main_water_source"])  # the raw copy pads some with spaces
    codes = load_schema("malawi_water").access_codes()[Service.WATER]
    assert len(answers) == 6
    assert all(codes.get(normalise_answer(a)) is not None for a in answers), answers


def test_malawi_schema_reads_its_dates_and_campaign() -> None:
    schema = load_schema("malawi_water")
    assert schema.collected_at == ["submitted_on"]
    assert (str(schema.campaign.start), str(schema.campaign.end)) == ("2021-09-01", "2021-09-30")
    assert pd.to_datetime("9/20/2021", format=schema.time_format) == pd.Timestamp("2021-09-20")
    assert schema.blank_values == ["NA"]


# --- bad schemas ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"services": {"water": {"question": "w", "values": {"Tap": "tapp"}}}},
            "services.water.values.Tap: 'tapp' is not a water level (piped_in_dwelling,",
        ),
        (
            {"services": {"gas": {"question": "g", "values": {"a": "none"}}}},
            "services.gas: Input should be 'water', 'sanitation', 'electricity' or 'refuse'",
        ),
        ({"timezone": "Africa/Nowhere"}, "timezone: 'Africa/Nowhere' is not an IANA time zone"),
        (
            {"campaign": {"start": "2025-03-01", "end": "2025-02-01"}},
            "campaign: the campaign ends (2025-02-01) before it starts (2025-03-01)",
        ),
        ({"name": "Has Spaces"}, "name: String should match pattern"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
        (
            {"needs": {"question": "n", "questions": ["a"], "values": {"w": "water"}}},
            "needs: name one multiple-choice question, or a list of questions",
        ),
        (
            {"needs": {"question": "n", "values": {"Water!": "Water!"}}},
            "needs.values: not need codes (lower case, digits, _): Water!",
        ),
        (
            {"services": {"water": {"question": "w", "values": {True: "none"}}}},
            "answer was read as true/false: quote answers such as 'yes' and 'no'",
        ),
        (
            {"services": {"water": {"question": "w", "values": {"Tap": "tanker", "TAP ": "none"}}}},
            "services.water.values: 'TAP ' is listed twice with different targets",
        ),
        (
            {"location": {"latitude": "lat"}},
            "location: name both latitude and longitude, or neither",
        ),
    ],
)
def test_bad_schema_names_the_problem(changes: dict[str, Any], expected: str) -> None:
    message = _error(_minimal(**changes))
    assert message.startswith("test.yaml: ")
    assert expected in message


def test_numeric_answer_codes_are_text() -> None:
    schema = parse_schema(
        _minimal(services={"water": {"question": "w", "values": {1: "piped_in_dwelling"}}}), "t"
    )
    assert schema.access_codes()[Service.WATER] == {"1": 0}


def test_schema_that_is_not_a_mapping_or_not_found(tmp_path: Path) -> None:
    assert "test.yaml: Input should be a valid dictionary" in _error(["a", "list"])
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"broken\.yaml cannot be read"):
        load_schema(broken)
    with pytest.raises(InvalidInputError, match=r"nothing\.yaml is neither .* \(default, malawi"):
        load_schema("nothing.yaml")


def test_yaml_booleans_in_a_real_file_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "yes.yaml"
    path.write_text(
        yaml.safe_dump(_minimal()).replace("Tap: piped_in_yard", "yes: piped_in_yard"),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match="quote answers"):
        load_schema(path)


# --- finding questions ------------------------------------------------------------------------


def test_questions_are_found_by_full_path_last_segment_or_clash_prefix() -> None:
    columns = [*CANONICAL_COLUMNS, *LOCATION_COLUMNS, "hh/water", "answers.precision", "a/x"]
    assert find_question("hh/water", columns) == "hh/water"
    assert find_question("water", columns) == "hh/water"
    assert find_question("precision", columns) == "answers.precision"
    assert find_question("latitude", columns) is None  # canonical columns are not questions
    assert find_question("b/x", columns) is None
    with pytest.raises(InvalidInputError, match="'x', which could be any of a/x, b/x"):
        find_question("x", [*columns, "b/x"])


def test_resolving_needs_the_mapped_questions_and_keeps_the_rest() -> None:
    schema = parse_schema(
        _minimal(
            ward_code="ward",
            collected_at=["end", "start"],
            answers={"drop": ["_*", "meta/*", "name"]},
        ),
        "t",
    )
    columns = [
        *CANONICAL_COLUMNS,
        *LOCATION_COLUMNS,
        "start",
        "g/water",
        "g/ward",
        "g/size",
        "name",
        "_id",
        "meta/instanceName",
    ]
    questions = resolve_questions(schema, columns)
    assert questions.services == {Service.WATER: "g/water"}
    assert questions.ward_code == "g/ward"
    assert questions.collected_at == ("start",)  # end is not in this file
    assert questions.kept == ("g/size",)
    with pytest.raises(InvalidInputError, match="no question 'water', which the schema reads"):
        resolve_questions(schema, [*CANONICAL_COLUMNS, *LOCATION_COLUMNS, "g/ward"])


def test_an_explicit_keep_list_is_honoured_and_missing_ones_ignored() -> None:
    schema = parse_schema(_minimal(answers={"keep": ["size", "absent"]}), "t")
    columns = [*CANONICAL_COLUMNS, *LOCATION_COLUMNS, "water", "g/size", "other"]
    assert resolve_questions(schema, columns).kept == ("g/size",)
