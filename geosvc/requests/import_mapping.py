"""Column mappings: how another system's export of service requests reads as geosvc requests.

A mapping is a YAML file (``geosvc/requests/mappings/la311.yaml`` documents every key) that
names the export's columns, its date format and time zone, and translates its service types,
statuses and channels into geosvc's. It is checked in full before any row is read, and each
error names the key at fault.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geosvc.errors import SourceFileError
from geosvc.yamlfiles import bundled_names, bundled_or_path, first_problem, read_yaml

MAPPINGS_DIR = Path(__file__).with_name("mappings")

Status = Literal["received", "acknowledged", "assigned", "in_progress", "closed", "reopened"]
Resolution = Literal[
    "fixed", "duplicate", "not_municipal_responsibility", "no_further_action", "cancelled"
]
Channel = Literal["web", "app", "phone", "e-mail", "letter", "in_person", "sms", "field_worker"]
Kind = Literal["request", "complaint", "compliment"]
_CODE = r"^[a-z0-9][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceColumns(_Strict):
    """The export's column for each request field; None where the export has none."""

    source_id: str
    created: str
    status: str
    service_type: str
    closed: str | None = None
    updated: str | None = None
    channel: str | None = None
    lat: str | None = None
    lon: str | None = None
    address: str | None = None
    description: str | None = None
    ward: str | None = None
    anonymous: str | None = None

    @model_validator(mode="after")
    def _location(self) -> SourceColumns:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("name both lat and lon, or neither")
        if self.lat is None and self.address is None:
            raise ValueError("name lat and lon, or address, or all three")
        return self

    def used(self) -> list[str]:
        """The distinct export columns the mapping reads, in a stable order."""
        return sorted({v for v in self.model_dump().values() if v is not None})


class StatusTarget(_Strict):
    """What one of the export's statuses becomes: a geosvc status and, if closed, why."""

    status: Status
    resolution: Resolution | None = None

    @model_validator(mode="after")
    def _closed_has_resolution(self) -> StatusTarget:
        if (self.status == "closed") != (self.resolution is not None):
            raise ValueError("a closed status needs a resolution, and only a closed one")
        return self


class ServiceTypes(_Strict):
    """Export service type → catalogue code; anything unlisted becomes ``default``."""

    default: str = Field(pattern=_CODE)
    values: dict[str, str] = {}

    @field_validator("values")
    @classmethod
    def _codes(cls, values: dict[str, str]) -> dict[str, str]:
        bad = sorted(code for code in values.values() if not _is_code(code))
        if bad:
            raise ValueError(f"not catalogue codes: {', '.join(bad)}")
        return values

    def codes(self) -> set[str]:
        """Every catalogue code the mapping can produce."""
        return {self.default, *self.values.values()}


class Channels(_Strict):
    """Export channel → geosvc channel; anything unlisted (or no column) becomes ``default``."""

    default: Channel = "web"
    values: dict[str, Channel] = {}


class ImportMapping(_Strict):
    """Everything needed to read one system's export; see ``mappings/la311.yaml``."""

    source: str = Field(pattern=_CODE, max_length=40)
    columns: SourceColumns
    datetime_format: str = Field(min_length=2)
    timezone: str
    statuses: dict[str, StatusTarget] = Field(min_length=1)
    service_types: ServiceTypes
    channels: Channels = Channels()
    kind: Kind = "request"
    anonymous_values: list[str] = []
    default_points: list[tuple[float, float]] = []
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8"

    @field_validator("source")
    @classmethod
    def _not_native(cls, source: str) -> str:
        if source == "geosvc":
            raise ValueError("'geosvc' is the source of requests lodged here; name the system")
        return source

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{zone!r} is not an IANA time zone") from exc
        return zone

    @model_validator(mode="after")
    def _closed_needs_date(self) -> ImportMapping:
        closing = sorted(k for k, v in self.statuses.items() if v.status == "closed")
        if closing and self.columns.closed is None:
            raise ValueError(f"statuses {', '.join(closing)} close requests: name columns.closed")
        return self


def _is_code(code: str) -> bool:
    return re.fullmatch(_CODE, code) is not None


def bundled_mappings() -> list[str]:
    """The names of the mappings shipped with geosvc (``la311``, ...)."""
    return bundled_names(MAPPINGS_DIR)


def load_mapping(name_or_path: str | Path) -> ImportMapping:
    """A mapping from a YAML file, or by the name of a bundled mapping.

    Raises ``SourceFileError`` naming the file and the first bad key.
    """
    missing = "{name} is neither a mapping file nor a bundled mapping ({known})."
    path = bundled_or_path(name_or_path, MAPPINGS_DIR, missing, SourceFileError)
    return parse_mapping(read_yaml(path, "a YAML mapping", SourceFileError), path.name)


def parse_mapping(raw: object, label: str) -> ImportMapping:
    """Check a mapping already read from YAML; ``label`` names it in errors."""
    try:
        return ImportMapping.model_validate(raw)
    except ValidationError as exc:
        steps, message = first_problem(exc)
        where = ".".join(steps) or "the mapping"
        raise SourceFileError(f"{label}: {where}: {message}.") from exc
