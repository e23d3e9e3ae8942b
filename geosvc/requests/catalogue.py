"""The service catalogue: service types and their standards, from YAML or CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy import Connection

from geosvc.errors import NotFoundError, SourceFileError
from geosvc.requests.repo.catalogue import (
    active_service_row,
    active_service_rows,
    upsert_service_types,
)

DEFAULT_CATALOGUE = Path(__file__).with_name("default_catalogue.yaml")
Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


class AttributeValue(BaseModel):
    """One choice of a list attribute."""

    key: str
    name: str


class ServiceAttribute(BaseModel):
    """An extra question asked for a service type (Open311 service definition attribute)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    description: str
    datatype: Datatype = "string"
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    order: int = 0
    values: list[AttributeValue] = []


class ServiceTypeSpec(BaseModel):
    """A service type as written in a catalogue file."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    group: str = Field(min_length=1)
    description: str = ""
    keywords: str = ""
    urgent: bool = False
    acknowledge_days: int = Field(5, ge=0)
    notify_days: int = Field(15, ge=0)
    complete_days: int = Field(21, ge=0)
    attributes: list[ServiceAttribute] = []
    duplicate_radius_m: float = Field(100.0, ge=0)
    duplicate_window_hours: int = Field(72, ge=0)

    @model_validator(mode="after")
    def _acknowledge_before_completion(self) -> ServiceTypeSpec:
        if self.acknowledge_days > self.complete_days:
            raise ValueError(
                f"acknowledge_days ({self.acknowledge_days}) is after complete_days "
                f"({self.complete_days}); a request is acknowledged before it is completed"
            )
        return self


def read_catalogue(path: Path = DEFAULT_CATALOGUE) -> list[ServiceTypeSpec]:
    """Service types from a YAML file (a ``services`` list) or a CSV file (one row each)."""
    try:
        raw = _read_rows(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, csv.Error) as exc:
        raise SourceFileError(f"{path.name} cannot be read as a service catalogue.") from exc
    specs = [_service(path, number, row) for number, row in enumerate(raw, start=1)]
    codes = [s.code for s in specs]
    if len(set(codes)) != len(codes):
        raise SourceFileError(f"{path.name} lists a service code more than once.")
    if not specs:
        raise SourceFileError(f"{path.name} lists no services.")
    return specs


def _service(path: Path, number: int, row: object) -> ServiceTypeSpec:
    try:
        return ServiceTypeSpec.model_validate(row)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "entry"
        raise SourceFileError(f"{path.name}: service {number}: {where}: {first['msg']}.") from exc


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("services"), list):
        raise SourceFileError(f"{path.name} has no 'services' list.")
    return list(document["services"])


def store_catalogue(conn: Connection, specs: list[ServiceTypeSpec]) -> int:
    """Insert or update the service types, in the caller's transaction; returns how many."""
    upsert_service_types(
        conn,
        [
            spec.model_dump(exclude={"attributes"})
            | {"attributes": json.dumps([a.model_dump() for a in spec.attributes])}
            for spec in specs
        ],
    )
    return len(specs)


def active_services(conn: Connection) -> list[ServiceTypeSpec]:
    """The services the municipality offers now, by group and name."""
    return [ServiceTypeSpec.model_validate(dict(row)) for row in active_service_rows(conn)]


def get_service(conn: Connection, code: str) -> ServiceTypeSpec:
    """The active service ``code``; NotFoundError for an unknown or withdrawn one."""
    row = active_service_row(conn, code)
    if row is None:
        raise NotFoundError(f"There is no service {code!r}.")
    return ServiceTypeSpec.model_validate(dict(row))
