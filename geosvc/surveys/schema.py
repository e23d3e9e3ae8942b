"""Survey schemas: how one form's questions become the product's indicators.

A schema is a YAML file (``geosvc/surveys/default.yaml`` documents every key) naming the
form's questions for the household's location, collection time and ward, mapping its
answers about water, sanitation, electricity and refuse to levels of the access scales
(``geosvc.surveys.scales``) and its top-needs answers to need codes, and saying which other
answers to keep. It is checked in full when loaded, and each error names the key at fault.

Questions are named by their full path, groups joined by ``/`` (``household/water_source``),
or by their last segment (``water_source``) when no other question ends the same way.
Answers are compared trimmed and case-folded: ``" Piped Supply"`` matches ``piped supply``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geosvc.errors import InvalidInputError
from geosvc.surveys.scales import SCALES, Service
from geosvc.yamlfiles import bundled_names, bundled_or_path, first_problem, read_yaml

SCHEMAS_DIR = Path(__file__).parent
_NAME = r"^[a-z0-9][a-z0-9_-]*$"
_NEED = r"^[a-z][a-z0-9_]*$"


def normalise_answer(answer: str) -> str:
    """An answer as schemas compare it: trimmed and case-folded."""
    return answer.strip().casefold()


class _Strict(BaseModel):
    # YAML reads an answer written 1 as a number: it is the text "1" in the form's export.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _answer_keys(values: Any) -> Any:
    """Refuse keys YAML read as booleans: the author wrote yes/no/on/off without quotes."""
    if isinstance(values, dict) and any(isinstance(k, bool) for k in values):
        raise ValueError("an answer was read as true/false: quote answers such as 'yes' and 'no'")
    return values


def _lookup(values: dict[str, Any], where: str) -> dict[str, Any]:
    """``values`` keyed by normalised answer; two spellings of one answer must agree."""
    lookup: dict[str, Any] = {}
    for answer, target in values.items():
        key = normalise_answer(answer)
        if key in lookup and lookup[key] != target:
            raise ValueError(f"{where}: {answer!r} is listed twice with different targets")
        lookup[key] = target
    return lookup


class Campaign(_Strict):
    """The days the survey ran, in the schema's time zone, both included."""

    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"the campaign ends ({self.end}) before it starts ({self.start})")
        return self


class Location(_Strict):
    """Questions holding the household's point, where the reader's location columns do not.

    Either a geopoint question (``"lat lon altitude accuracy"``) or separate latitude and
    longitude questions (and optionally a precision in metres). A question the file lacks
    is not an error: the reader may have split it into the canonical location columns.
    """

    question: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    precision: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Location:
        pair = (self.latitude is None, self.longitude is None)
        if pair[0] != pair[1]:
            raise ValueError("name both latitude and longitude, or neither")
        if (self.question is None) == (self.latitude is None):
            raise ValueError("name a geopoint question, or latitude and longitude, not both")
        if self.precision is not None and self.latitude is None:
            raise ValueError("precision goes with latitude and longitude; a geopoint has its own")
        return self

    def questions(self) -> list[str]:
        """Every question named, in a stable order."""
        named = [self.question, self.latitude, self.longitude, self.precision]
        return [q for q in named if q is not None]


class ServiceQuestion(_Strict):
    """A service's question and the level of each of its answers (None: no level fits)."""

    question: str = Field(min_length=1)
    values: dict[str, str | None] = Field(min_length=1)

    @field_validator("values", mode="before")
    @classmethod
    def _no_booleans(cls, values: Any) -> Any:
        return _answer_keys(values)

    def codes(self, service: Service) -> dict[str, int | None]:
        """Normalised answer → level code on the service's scale (None: answered, no level)."""
        scale = SCALES[service]
        lookup = _lookup(self.values, f"services.{service}.values")
        return {k: None if v is None else scale.code(v) for k, v in lookup.items()}


class NeedsQuestion(_Strict):
    """The household's top needs: one multiple-choice question or several single ones.

    A multiple-choice answer is split on ``separator`` (any whitespace when None, as ODK
    and Kobo write a select_multiple's choice names).
    """

    question: str | None = None
    questions: list[str] = []
    separator: str | None = None
    values: dict[str, str] = Field(min_length=1)

    @field_validator("values", mode="before")
    @classmethod
    def _no_booleans(cls, values: Any) -> Any:
        return _answer_keys(values)

    @field_validator("values")
    @classmethod
    def _need_codes(cls, values: dict[str, str]) -> dict[str, str]:
        bad = sorted({n for n in values.values() if not _is_need(n)})
        if bad:
            raise ValueError(f"not need codes (lower case, digits, _): {', '.join(bad)}")
        return values

    @model_validator(mode="after")
    def _one_way(self) -> NeedsQuestion:
        if (self.question is None) == (not self.questions):
            raise ValueError("name one multiple-choice question, or a list of questions")
        _lookup(self.values, "needs.values")
        return self

    def named(self) -> list[str]:
        """The questions holding needs, in order."""
        return [self.question] if self.question else list(self.questions)

    def lookup(self) -> dict[str, str]:
        """Normalised answer → need code."""
        return _lookup(self.values, "needs.values")


class KeptAnswers(_Strict):
    """Which answers besides the mapped ones are stored with the response, as JSON.

    ``keep`` is ``all`` or a list of questions; ``drop`` lists questions or glob patterns
    of full paths (``_*``, ``meta/*``) to leave out. Questions the file lacks are ignored.
    """

    keep: Literal["all"] | list[str] = "all"
    drop: list[str] = []


class SurveySchema(_Strict):
    """Everything needed to read one form's responses; see ``default.yaml``."""

    name: str = Field(pattern=_NAME, max_length=40)
    title: str = Field(min_length=1)
    campaign: Campaign = Campaign()
    timezone: str = "Africa/Johannesburg"
    collected_at: list[str] = ["end", "start"]
    time_format: str | None = None
    location: Location | None = None
    ward_code: str | None = None
    services: dict[Service, ServiceQuestion] = {}
    needs: NeedsQuestion | None = None
    answers: KeptAnswers = KeptAnswers()
    blank_values: list[str] = []

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{zone!r} is not an IANA time zone") from exc
        return zone

    @model_validator(mode="after")
    def _levels_on_scales(self) -> SurveySchema:
        for service, question in self.services.items():
            for answer, level in question.values.items():
                if level is not None and level not in SCALES[service].levels:
                    levels = ", ".join(SCALES[service].levels)
                    raise ValueError(
                        f"services.{service}.values.{answer}: {level!r} is not a "
                        f"{service} level ({levels})"
                    )
            question.codes(service)
        return self

    def access_codes(self) -> dict[Service, dict[str, int | None]]:
        """For each mapped service, normalised answer → level code."""
        return {service: q.codes(service) for service, q in self.services.items()}


def _is_need(code: str) -> bool:
    return re.fullmatch(_NEED, code) is not None


def bundled_schemas() -> list[str]:
    """The names of the schemas shipped with geosvc (``default``, ``malawi_water``, ...)."""
    return bundled_names(SCHEMAS_DIR)


def load_schema(name_or_path: str | Path) -> SurveySchema:
    """A schema from a YAML file, or by the name of a bundled schema.

    Raises ``InvalidInputError`` naming the file and the first problem found.
    """
    missing = "{name} is neither a survey schema file nor a bundled schema ({known})."
    path = bundled_or_path(name_or_path, SCHEMAS_DIR, missing, InvalidInputError)
    return parse_schema(read_yaml(path, "a YAML survey schema", InvalidInputError), path.name)


def parse_schema(raw: object, label: str) -> SurveySchema:
    """Check a schema already read from YAML; ``label`` names it in errors."""
    try:
        return SurveySchema.model_validate(raw)
    except ValidationError as exc:
        steps, message = first_problem(exc)
        loc = ".".join(p for p in steps if p != "[key]")
        where = f"{loc}: " if loc else ""
        raise InvalidInputError(f"{label}: {where}{message}.") from exc
