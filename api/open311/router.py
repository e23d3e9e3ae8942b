"""``/open311/v2``: the Open311 GeoReport v2 server, every endpoint in ``.json`` and ``.xml``.

Errors, including FastAPI's own, come out as the spec's array of {code, description}
(404 not found, 403 missing or bad api_key, 400 anything else), in the format the URL
asks for: ``Open311Route`` converts them for these routes only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import Connection
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import credentials
from api.deps import ConnectionDep, SettingsDep
from api.open311.formats import (
    MIME_TYPES,
    Format,
    error_response,
    format_of_path,
    parse_format,
    render,
)
from geosvc.accounts.keys import authenticate
from geosvc.accounts.roles import Principal
from geosvc.config import Settings
from geosvc.errors import (
    AuthenticationError,
    GeosvcError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from geosvc.requests.catalogue import active_services, get_service
from geosvc.requests.intake import create_request, policy_for
from geosvc.requests.open311 import (
    definition_fields,
    extension_fields,
    new_request,
    parse_flag,
    request_fields,
    request_query,
    service_fields,
)
from geosvc.requests.repo.events import public_notes
from geosvc.requests.repo.requests import RequestRecord, get_by_token, get_request, list_requests

log = logging.getLogger("geosvc.api.open311")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this server's Open311 interface last changed (discovery's changeset).
CHANGESET = "2026-11-24T00:00:00+02:00"

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class Open311Route(APIRoute):
    """A route whose errors come out as Open311's error array, in the URL's format."""

    def get_route_handler(self) -> Handler:
        """The usual handler, with every error turned into an Open311 error response."""
        handler = super().get_route_handler()

        async def open311_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # every error, FastAPI's included, in the spec's format
                return open311_error(request, exc)

        return open311_handler


def open311_error(request: Request, exc: Exception) -> Response:
    """The Open311 error response for ``exc``; internal errors are logged, never shown."""
    fmt = format_of_path(request.url.path)
    if isinstance(exc, GeosvcError):
        return error_response(fmt, _status_of(exc), exc.detail)
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": ("request",), "msg": "invalid"}
        where = ".".join(str(part) for part in first["loc"][1:]) or "request"
        return error_response(fmt, 400, f"{where}: {first['msg']}")
    if isinstance(exc, StarletteHTTPException):
        return error_response(fmt, exc.status_code, str(exc.detail))
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return error_response(fmt, 500, "The server failed; it has been logged.")


def _status_of(exc: GeosvcError) -> int:
    """Open311's status for a domain error: 404, 403 for keys, 5xx as is, else 400."""
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return 403
    if isinstance(exc, NotFoundError) or exc.status >= 500:
        return int(exc.status)
    return 400


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)


def output_format(fmt: str) -> Format:
    """The format the URL's suffix names (``.json`` or ``.xml``)."""
    return parse_format(fmt)


def check_jurisdiction(
    settings: SettingsDep,
    jurisdiction_id: Annotated[
        str | None, Query(description="Optional; must be this server's jurisdiction.")
    ] = None,
) -> None:
    """Refuse (404) a jurisdiction_id other than the one this server serves."""
    _served(settings, jurisdiction_id)


def _served(settings: Settings, jurisdiction_id: str | None) -> None:
    wanted = (jurisdiction_id or "").strip()
    if wanted and wanted != settings.jurisdiction_id:
        raise NotFoundError(
            f"jurisdiction_id {wanted!r} is not served here; "
            f"this server serves {settings.jurisdiction_id!r}."
        )


FormatDep = Annotated[Format, Depends(output_format)]
Jurisdiction = Depends(check_jurisdiction)


async def form_fields(request: Request) -> list[tuple[str, str]]:
    """The fields of a form-encoded (or multipart) body, in order; files are ignored."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in FORM_TYPES and await request.body():
        raise InvalidInputError(
            "Send the fields as application/x-www-form-urlencoded, as Open311 asks, "
            f"not as {media_type or 'an untyped body'}."
        )
    form = await request.form()
    return [(key, value) for key, value in form.multi_items() if isinstance(value, str)]


FormDep = Annotated[list[tuple[str, str]], Depends(form_fields)]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_POST_FIELDS = {
    "api_key": "Required: the key the municipality issued to the app or agent.",
    "service_code": "Required: the service, from GET services.",
    "lat": "Latitude (WGS84); with long, or give address_string.",
    "long": "Longitude (WGS84).",
    "address_string": "The address, when there is no lat and long.",
    "address_id": "An address id; kept as the address.",
    "description": "What is wrong (at most 4,000 characters).",
    "media_url": "A photo's URL.",
    "email": "Private: how to reach the requester.",
    "phone": "Private.",
    "first_name": "Private.",
    "last_name": "Private.",
    "device_id": "Private.",
    "account_id": "Private; echoed back.",
    "kind": "Extension: request (default), complaint or compliment.",
    "channel": "Extension: default app for a public key, phone for an agent's.",
    "jurisdiction_id": "Optional; must be this server's jurisdiction.",
}
#: The POST body as OpenAPI describes it (the handler parses the form itself, for attribute[]).
POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code"],
                    "properties": {
                        name: {"type": "string", "description": text}
                        for name, text in _POST_FIELDS.items()
                    },
                    "additionalProperties": {
                        "type": "string",
                        "description": "attribute[code]=value; attribute[code][]=value for a "
                        "multivaluelist.",
                    },
                }
            }
        },
    }
}


class RequestsArgs(BaseModel):
    """The arguments of GET requests (all optional; an empty one counts as absent)."""

    service_request_id: str | None = Field(None, description="Comma list; overrides the rest.")
    service_code: str | None = Field(None, description="Comma list of service codes.")
    start_date: str | None = Field(None, description="Earliest requested_datetime (W3C).")
    end_date: str | None = Field(None, description="Latest requested_datetime; span ≤ 90 days.")
    status: str | None = Field(None, description="open, closed, or both as a comma list.")
    updated_after: str | None = Field(None, description="Extension: updated after (W3C).")
    updated_before: str | None = Field(None, description="Extension: updated before (W3C).")
    lat_ne: str | None = Field(None, description="Extension: bbox north (all four or none).")
    long_ne: str | None = Field(None, description="Extension: bbox east.")
    lat_sw: str | None = Field(None, description="Extension: bbox south.")
    long_sw: str | None = Field(None, description="Extension: bbox west.")
    page: str | None = Field(None, description="Extension: page number, from 1.")
    page_size: str | None = Field(None, description="Extension: default 50, at most 500.")
    extensions: str | None = Field(None, description="true adds extended_attributes, notes.")


Extensions = Annotated[str | None, Query(description="true adds extended_attributes and notes.")]


@router.get("/discovery.{fmt}", summary="Service discovery", dependencies=[Jurisdiction])
def discovery(request: Request, fmt: FormatDep, settings: SettingsDep) -> Response:
    """Where this server is, which formats it speaks, and whom to ask for a key."""
    base = request.url.replace(path=request.url.path.rsplit("/", 1)[0], query="", fragment="")
    body = {
        "changeset": CHANGESET,
        "contact": settings.open311_contact,
        "key_service": f"Ask the municipality for an API key. {settings.open311_contact}",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": str(base),
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(MIME_TYPES),
            }
        ],
    }
    return render(fmt, "discovery", body)


@router.get("/services.{fmt}", summary="Service list", dependencies=[Jurisdiction])
def services(conn: ConnectionDep, fmt: FormatDep) -> Response:
    """The services a request can be lodged for."""
    return render(fmt, "services", [service_fields(s) for s in active_services(conn)])


@router.get(
    "/services/{service_code}.{fmt}", summary="Service definition", dependencies=[Jurisdiction]
)
def service_definition(conn: ConnectionDep, fmt: FormatDep, service_code: str) -> Response:
    """The attributes (extra questions) of one service."""
    service = get_service(conn, service_code)
    return render(fmt, "service_definition", definition_fields(service))


@router.post("/requests.{fmt}", summary="Lodge a service request", openapi_extra=POST_BODY)
def post_request(
    request: Request,
    conn: ConnectionDep,
    settings: SettingsDep,
    fmt: FormatDep,
    fields: FormDep,
) -> Response:
    """Lodge a request from form fields; answers ``[{service_request_id, service_notice}]``."""
    plain = dict(reversed(fields))  # the first value of each field
    _served(settings, plain.get("jurisdiction_id") or request.query_params.get("jurisdiction_id"))
    principal = _poster(conn, plain.get("api_key") or request.query_params.get("api_key"), request)
    with conn.begin_nested():  # a refused request leaves nothing behind
        record = create_request(conn, new_request(fields, principal), policy_for(settings))
    body = {
        "service_request_id": record.reference,
        "service_notice": record.service_notice,
        "account_id": (plain.get("account_id") or "").strip() or None,
    }
    return render(fmt, "service_requests", [body])


def _poster(conn: Connection, key: str | None, request: Request) -> Principal:
    """Whoever holds the api_key (a form field, or a header as on the staff API)."""
    key = (key or "").strip() or credentials(request)
    if not key:
        raise AuthenticationError("api_key is required to lodge a service request.")
    return authenticate(conn, key)


@router.get("/requests.{fmt}", summary="Service requests", dependencies=[Jurisdiction])
def requests(
    conn: ConnectionDep,
    settings: SettingsDep,
    fmt: FormatDep,
    args: Annotated[RequestsArgs, Query()],
) -> Response:
    """Requests, newest first, one page; the last 90 days unless dates or ids are given."""
    zone = ZoneInfo(settings.timezone)
    query = request_query(args.model_dump(), datetime.now(UTC), zone)
    records, total = list_requests(conn, query.where)
    response = _requests_response(conn, settings, fmt, records, query.extensions)
    response.headers["X-Total-Count"] = str(total)
    return response


@router.get(
    "/requests/{service_request_id}.{fmt}",
    summary="One service request",
    dependencies=[Jurisdiction],
)
def one_request(
    conn: ConnectionDep,
    settings: SettingsDep,
    fmt: FormatDep,
    service_request_id: str,
    extensions: Extensions = None,
) -> Response:
    """The request with this reference, as a list of one."""
    with_extensions = parse_flag(extensions, "extensions")
    record = get_request(conn, service_request_id)
    return _requests_response(conn, settings, fmt, [record], with_extensions)


@router.get("/tokens/{token}.{fmt}", summary="Request id from a token", dependencies=[Jurisdiction])
def token_request(conn: ConnectionDep, fmt: FormatDep, token: str) -> Response:
    """The service_request_id of the request created with ``token``."""
    record = get_by_token(conn, token)
    body = [{"service_request_id": record.reference, "token": record.token}]
    return render(fmt, "service_requests", body)


def _requests_response(
    conn: Connection,
    settings: Settings,
    fmt: Format,
    records: list[RequestRecord],
    extensions: bool,
) -> Response:
    zone = ZoneInfo(settings.timezone)
    body = [request_fields(r, zone, settings.jurisdiction_id) for r in records]
    if extensions:
        notes = public_notes(conn, [r.id for r in records])
        for fields, record in zip(body, records, strict=True):
            fields.update(extension_fields(record, notes[record.id], zone))
    return render(fmt, "service_requests", body)


@router.api_route("/{path:path}", methods=["GET", "POST"], include_in_schema=False)
def no_such_resource(path: str) -> Response:
    """Anything else under /open311/v2 (declared last): an Open311 404, not a problem."""
    raise NotFoundError(
        f"There is no Open311 resource {path!r}; see discovery.json for what is served."
    )
