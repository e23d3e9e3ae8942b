"""Checking a request's answers to its service type's questions (Open311 attributes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from geosvc.errors import InvalidInputError
from geosvc.requests.catalogue import ServiceAttribute

Answer = str | Sequence[str]


def validate_answers(
    service_code: str, questions: Sequence[ServiceAttribute], answers: Mapping[str, Answer]
) -> dict[str, Any]:
    """The answers, typed, after checking them against the service definition.

    Refuses, naming the attribute: an answer to a question the service does not ask, a
    required question left unanswered, a number or datetime that does not parse, and a
    list answer that is not among the question's values.

    >>> from geosvc.requests.catalogue import ServiceAttribute, AttributeValue
    >>> q = ServiceAttribute(code="depth", description="How deep?", datatype="number")
    >>> validate_answers("pothole", [q], {"depth": "12.5"})
    {'depth': 12.5}
    """
    by_code = {q.code: q for q in questions if q.variable}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        raise InvalidInputError(
            f"attribute[{unknown[0]}] is not a question of service {service_code}."
        )
    cleaned: dict[str, Any] = {}
    for code, question in by_code.items():
        raw = answers.get(code)
        if _blank(raw):
            if question.required:
                raise InvalidInputError(f"attribute[{code}] is required: {question.description}")
            continue
        assert raw is not None
        cleaned[code] = _typed(question, raw)
    return cleaned


def _blank(raw: Answer | None) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return all(not v.strip() for v in raw)


def _typed(question: ServiceAttribute, raw: Answer) -> Any:
    values = [raw] if isinstance(raw, str) else [v for v in raw if v.strip()]
    name = f"attribute[{question.code}]"
    if question.datatype == "multivaluelist":
        return [_choice(question, v, name) for v in values]
    if len(values) > 1:
        raise InvalidInputError(f"{name} takes one answer, not {len(values)}.")
    value = values[0].strip()
    match question.datatype:
        case "number":
            return _number(value, name)
        case "datetime":
            return _datetime(value, name)
        case "singlevaluelist":
            return _choice(question, value, name)
        case "string" if len(value) > 255:
            raise InvalidInputError(f"{name} is longer than 255 characters; use fewer.")
        case "text" if len(value) > 4000:
            raise InvalidInputError(f"{name} is longer than 4,000 characters; use fewer.")
    return value


def _number(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InvalidInputError(f"{name} must be a number, not {value!r}.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidInputError(f"{name} must be a finite number.")
    return number


def _datetime(value: str, name: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(
            f"{name} must be an ISO 8601 date and time with its offset, not {value!r}."
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInputError(f"{name} must give its time zone offset (e.g. +02:00).")
    return parsed.isoformat()


def _choice(question: ServiceAttribute, value: str, name: str) -> str:
    keys = [v.key for v in question.values]
    if value.strip() not in keys:
        raise InvalidInputError(f"{name} must be one of {', '.join(keys)}; {value!r} is not.")
    return value.strip()
