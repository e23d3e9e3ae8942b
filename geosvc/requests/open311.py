"""Open311 GeoReport v2 in domain terms: what a client sends, and what it may see.

Parses a POST's form fields into a ``NewRequest`` and GET arguments into a
``RequestFilter``, and turns records into the public Open311 fields, which never include
the contact details. Also holds the two reads the Open311 endpoints need beyond ``repo``:
the active services, and the public notes of a page of requests. Nothing here knows HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from geosvc.accounts.roles import Principal
from geosvc.errors import InvalidInputError
from geosvc.requests.attributes import Answer
from geosvc.requests.catalogue import ServiceTypeSpec
from geosvc.requests.intake import Contact, NewRequest
from geosvc.requests.repo.events import EventRecord
from geosvc.requests.repo.requests import RequestFilter, RequestRecord
from geosvc.requests.transitions import open311_status

#: The longest start_date..end_date span, and the default window of GET requests.
MAX_SPAN = timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
STATUSES = ("open", "closed")
BBOX_ARGS = ("lat_ne", "long_ne", "lat_sw", "long_sw")
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# A "+" left unencoded in a query string arrives as a space: "...T08:00:00 02:00".
_SPACED_OFFSET = re.compile(r"(T[\d:.]+) (\d{2}(?::?\d{2})?)$")
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


# --- POST requests -------------------------------------------------------------------------


def split_fields(fields: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, Answer]]:
    """The plain fields (first value of each) and the ``attribute[code]`` answers of a form.

    ``attribute[code][]`` (a multivaluelist) and a repeated ``attribute[code]`` give a list.

    >>> split_fields([("service_code", "pothole"), ("attribute[depth]", "3"),
    ...               ("attribute[risk][]", "cars"), ("attribute[risk][]", "bikes")])
    ({'service_code': 'pothole'}, {'depth': '3', 'risk': ['cars', 'bikes']})
    """
    plain: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    listed: set[str] = set()
    for key, value in fields:
        match = _ATTRIBUTE_KEY.match(key)
        if match is None:
            plain.setdefault(key, value)
            continue
        values.setdefault(match.group(1), []).append(value)
        if match.group(2):
            listed.add(match.group(1))
    answers: dict[str, Answer] = {
        code: vals if code in listed or len(vals) > 1 else vals[0] for code, vals in values.items()
    }
    return plain, answers


def new_request(fields: Iterable[tuple[str, str]], principal: Principal) -> NewRequest:
    """The request an Open311 POST describes, lodged with ``principal``'s key.

    The location is lat and long, or address_string (address_id stands in for it); the
    extension fields ``kind`` (default request) and ``channel`` (default app for a public
    key, phone for an agent's) are passed on for ``create_request`` to check.
    """
    plain, answers = split_fields(fields)
    service_code = _text(plain, "service_code")
    if not service_code:
        raise InvalidInputError("service_code is required: the service the request is for.")
    return NewRequest(
        service_code=service_code,
        lon=_degrees(plain, "long"),
        lat=_degrees(plain, "lat"),
        address=_text(plain, "address_string") or _text(plain, "address_id") or None,
        description=plain.get("description", "").strip(),
        kind=_text(plain, "kind") or "request",
        channel=_text(plain, "channel") or ("app" if principal.is_public else "phone"),
        contact=_contact(plain),
        answers=answers,
        media_url=_text(plain, "media_url") or None,
        actor=f"citizen via {principal.name}" if principal.is_public else principal.name,
    )


def _text(plain: Mapping[str, str], name: str) -> str:
    return plain.get(name, "").strip()


def _degrees(plain: Mapping[str, str], name: str) -> float | None:
    raw = _text(plain, name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InvalidInputError(f"{name} must be decimal degrees (WGS84), not {raw!r}.") from None


def _contact(plain: Mapping[str, str]) -> Contact:
    return Contact(
        first_name=_text(plain, "first_name"),
        last_name=_text(plain, "last_name"),
        email=_text(plain, "email"),
        phone=_text(plain, "phone"),
        device_id=_text(plain, "device_id"),
        account_id=_text(plain, "account_id"),
    )


# --- GET requests arguments ----------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """The arguments of GET requests: which requests, and whether to add the extensions."""

    where: RequestFilter
    extensions: bool = False


def request_query(args: Mapping[str, str | None], now: datetime, zone: tzinfo) -> RequestQuery:
    """Parse GET requests arguments; an empty argument counts as absent.

    ``service_request_id`` overrides every filter. Without it and without any date, the
    last 90 days are listed. Refuses (InvalidInputError, naming the argument) a date or
    number that does not parse, a start_date..end_date span over 90 days, a partial bbox,
    an unknown status and a page_size over 500. Dates without an offset are in ``zone``.
    """
    given = {k: v.strip() for k, v in args.items() if v is not None and v.strip()}
    extensions = parse_flag(given.get("extensions"), "extensions")
    references = _list(given, "service_request_id")
    if references is not None:
        if len(references) > MAX_PAGE_SIZE:
            raise InvalidInputError(f"service_request_id lists more than {MAX_PAGE_SIZE} ids.")
        return RequestQuery(
            RequestFilter(references=references, page_size=len(references)), extensions
        )
    start, end = _window(given, now, zone)
    where = RequestFilter(
        service_codes=_list(given, "service_code"),
        statuses=_statuses(given),
        requested_from=start,
        requested_to=end,
        updated_after=_optional_datetime(given, "updated_after", zone),
        updated_before=_optional_datetime(given, "updated_before", zone),
        bbox=_bbox(given),
        page=_whole(given, "page", 1, 1, None),
        page_size=_whole(given, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )
    return RequestQuery(where, extensions)


def parse_flag(raw: str | None, name: str) -> bool:
    """A true/false argument (also 1/0, yes/no); absent is false."""
    value = (raw or "").strip().lower()
    if not value or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise InvalidInputError(f"{name} must be true or false, not {raw!r}.")


def parse_datetime(raw: str, name: str, zone: tzinfo) -> datetime:
    """A W3C (ISO 8601) date or date and time; one without an offset is taken in ``zone``.

    >>> from datetime import UTC
    >>> parse_datetime("2026-03-01T08:00:00 02:00", "start_date", UTC).isoformat()
    '2026-03-01T08:00:00+02:00'
    """
    try:
        parsed = datetime.fromisoformat(_SPACED_OFFSET.sub(r"\1+\2", raw.strip()))
    except ValueError:
        raise InvalidInputError(
            f"{name} must be a W3C date and time such as 2026-03-01T08:00:00+02:00, not {raw!r}."
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _optional_datetime(given: Mapping[str, str], name: str, zone: tzinfo) -> datetime | None:
    return parse_datetime(given[name], name, zone) if name in given else None


def _window(
    given: Mapping[str, str], now: datetime, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """The requested_datetime window: at most 90 days, the last 90 when no date is given."""
    start = _optional_datetime(given, "start_date", zone)
    end = _optional_datetime(given, "end_date", zone)
    if start is not None and end is not None:
        if end < start:
            raise InvalidInputError("end_date is before start_date.")
        if end - start > MAX_SPAN:
            raise InvalidInputError(
                "start_date to end_date spans more than 90 days; ask for 90 days at a time."
            )
        return start, end
    if start is not None:
        return start, start + MAX_SPAN
    if end is not None:
        return end - MAX_SPAN, end
    if "updated_after" in given or "updated_before" in given:
        return None, None
    return now - MAX_SPAN, None


def _list(given: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    items = tuple(v.strip() for v in given.get(name, "").split(",") if v.strip())
    return items or None


def _statuses(given: Mapping[str, str]) -> tuple[str, ...] | None:
    statuses = _list(given, "status")
    if statuses is None:
        return None
    statuses = tuple(s.lower() for s in statuses)
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise InvalidInputError(f"status must be open, closed or both, not {unknown[0]!r}.")
    return statuses


def _whole(given: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    if name not in given:
        return default
    try:
        value = int(given[name])
    except ValueError:
        raise InvalidInputError(f"{name} must be a whole number, not {given[name]!r}.") from None
    if value < low or (high is not None and value > high):
        limit = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise InvalidInputError(f"{name} must be {limit}, not {value}.")
    return value


def _bbox(given: Mapping[str, str]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) from lat_ne, long_ne, lat_sw, long_sw: all four or none."""
    missing = [name for name in BBOX_ARGS if name not in given]
    if len(missing) == len(BBOX_ARGS):
        return None
    if missing:
        raise InvalidInputError(
            f"A bounding box needs lat_ne, long_ne, lat_sw and long_sw; {missing[0]} is missing."
        )
    lat_ne, long_ne, lat_sw, long_sw = (_coordinate(given, name) for name in BBOX_ARGS)
    if lat_sw > lat_ne:
        raise InvalidInputError("lat_sw must be south of lat_ne.")
    if long_sw > long_ne:
        raise InvalidInputError("long_sw must be west of long_ne.")
    return long_sw, lat_sw, long_ne, lat_ne


def _coordinate(given: Mapping[str, str], name: str) -> float:
    limit = 90 if name.startswith("lat") else 180
    try:
        value = float(given[name])
    except ValueError:
        raise InvalidInputError(f"{name} must be decimal degrees, not {given[name]!r}.") from None
    if not -limit <= value <= limit:
        raise InvalidInputError(f"{name} must be within -{limit}..{limit}, not {given[name]}.")
    return value


# --- What clients see ----------------------------------------------------------------------


def w3c(moment: datetime | None, zone: tzinfo) -> str | None:
    """``moment`` in ``zone`` as ISO 8601 with its offset, to the second."""
    return None if moment is None else moment.astimezone(zone).isoformat(timespec="seconds")


def request_fields(record: RequestRecord, zone: tzinfo, agency: str) -> dict[str, Any]:
    """The public Open311 fields of a request: never the contact details."""
    return {
        "service_request_id": record.reference,
        "status": open311_status(record.status),
        "status_notes": record.status_notes or None,
        "service_name": record.service_name,
        "service_code": record.service_code,
        "description": record.description or None,
        "agency_responsible": agency,
        "service_notice": record.service_notice,
        "requested_datetime": w3c(record.requested_at, zone),
        "updated_datetime": w3c(record.updated_at, zone),
        "expected_datetime": w3c(record.due_at, zone),
        "address": record.address,
        "address_id": None,
        "zipcode": None,
        "lat": record.lat,
        "long": record.lon,
        "media_url": record.media_url,
    }


def extension_fields(
    record: RequestRecord, notes: Sequence[EventRecord], zone: tzinfo
) -> dict[str, Any]:
    """The ``extensions=true`` fields: extended_attributes and the public notes."""
    return {
        "extended_attributes": {
            "channel": record.channel,
            "ward": record.ward_code,
            "ward_name": record.ward_name,
            "duplicate": record.parent_reference is not None,
            "parent_service_request_id": record.parent_reference,
            "kind": record.kind,
            "resolution": record.resolution,
        },
        "notes": [_note(event, zone) for event in notes if event.public],
    }


def _note(event: EventRecord, zone: tzinfo) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "datetime": w3c(event.at, zone),
        "status": open311_status(event.status_to) if event.status_to else None,
        "description": event.note or event.kind.replace("_", " ").capitalize() + ".",
    }


def service_fields(service: ServiceTypeSpec) -> dict[str, Any]:
    """A service as GET services lists it."""
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(service.attributes),
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


def definition_fields(service: ServiceTypeSpec) -> dict[str, Any]:
    """A service definition: the service's attributes (questions), in their order."""
    ordered = sorted(enumerate(service.attributes), key=lambda pair: (pair[1].order, pair[0]))
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description,
                "order": attribute.order or index + 1,
                "description": attribute.description,
                "values": [{"key": v.key, "name": v.name} for v in attribute.values],
            }
            for index, attribute in ordered
        ],
    }
