"""/docs describes every endpoint: a summary on each, an example for each parameter."""

from __future__ import annotations

from typing import Any

import httpx


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_has_a_summary_and_every_parameter_an_example(api: str) -> None:
    spec = httpx.get(f"{api}/openapi.json").json()
    operations = _operations(spec)
    assert len(operations) > 50
    no_summary = [(m, p) for m, p, op in operations if not op.get("summary")]
    no_example = [
        (m, p, parameter["name"])
        for m, p, op in operations
        for parameter in op.get("parameters", [])
        if not {"example", "examples"} & (parameter.keys() | parameter.get("schema", {}).keys())
    ]
    assert no_summary == []
    assert no_example == []


def test_shared_parameters_get_the_same_example(api: str) -> None:
    spec = httpx.get(f"{api}/openapi.json").json()
    references = {
        parameter.get("example")
        for _, _, op in _operations(spec)
        for parameter in op.get("parameters", [])
        if parameter["name"] == "reference"
    }
    assert references == {"GSV-2026-0020003"}
