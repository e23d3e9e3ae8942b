"""The OpenAPI document: an example for every parameter.

Routes written with ``Query(examples=...)`` keep their own. Parameters that recur across
routers (a reference number, Open311's ``fmt`` and ``jurisdiction_id``, paging) get theirs
from one table here, so the same name shows the same, valid example everywhere in ``/docs``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PARAMETER_EXAMPLES: dict[str, Any] = {
    "reference": "GSV-2026-0020003",
    "service_request_id": "GSV-2026-0020003",
    "action": "acknowledge",
    "fmt": "json",
    "jurisdiction_id": "geosvc",
    "service_code": "water_outage",
    "service": "water",
    "status": "open",
    "ward": "79800001",
    "municipality": "JHB",
    "assigned_to": "Depot 4 water team",
    "overdue": True,
    "requested_from": "2026-11-01",
    "requested_to": "2026-11-24",
    "start_date": "2026-11-01T00:00:00+02:00",
    "end_date": "2026-11-24T23:59:59+02:00",
    "updated_after": "2026-11-20T00:00:00+02:00",
    "updated_before": "2026-11-24T00:00:00+02:00",
    "bbox": "27.9,-26.3,28.1,-26.1",
    "lat_ne": -26.1,
    "long_ne": 28.1,
    "lat_sw": -26.3,
    "long_sw": 27.9,
    "extensions": True,
    "token": "5f0c2a4e-8d7b-4a57-9b1e-2f7a3c9d1e42",
    "page": 1,
    "page_size": 100,
    "limit": 50,
    "offset": 0,
    "batch_id": 1,
    "level": "ward",
    "months": 12,
    "lang": "zu",
    "Last-Event-ID": "1042",
}


def add_parameter_examples(spec: dict[str, Any]) -> dict[str, Any]:
    """Give every parameter of ``spec`` without an example the table's example, in place."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if "example" in parameter or "examples" in parameter:
                    continue
                if "examples" in parameter.get("schema", {}):
                    continue
                if parameter["name"] in PARAMETER_EXAMPLES:
                    parameter["example"] = PARAMETER_EXAMPLES[parameter["name"]]
    return spec


def install(app: FastAPI) -> None:
    """Serve ``app``'s OpenAPI document with the parameter examples filled in."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            app.openapi_schema = add_parameter_examples(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
