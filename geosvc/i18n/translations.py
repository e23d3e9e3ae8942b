"""The translation files and how a page, notice or API answer reads them.

Each language has one YAML file in this folder (``en.yaml`` ...), nested by topic; its
strings are addressed by dotted keys (``service.pothole``, ``status_page.title``). English
is the reference: a key another file lacks falls back to English, so a half-finished
translation still shows whole pages. Placeholders are Python format fields (``{reference}``)
and every translation must keep the same ones (the tests check).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from geosvc.errors import InvalidInputError

#: The supported languages by code, each named in itself.
LANGUAGES: Mapping[str, str] = MappingProxyType(
    {"en": "English", "af": "Afrikaans", "zu": "isiZulu", "st": "Sesotho", "tn": "Setswana"}
)
DEFAULT_LANG = "en"
FOLDER = Path(__file__).parent


def check_lang(lang: str | None) -> str:
    """The supported language code ``lang`` names; English when ``lang`` is None.

    Case and a region are ignored (``zu-ZA`` is ``zu``); anything else is refused with
    the supported codes.

    >>> check_lang("ZU-za"), check_lang(None)
    ('zu', 'en')
    """
    if lang is None:
        return DEFAULT_LANG
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        known = ", ".join(f"{c} ({name})" for c, name in LANGUAGES.items())
        raise InvalidInputError(f"lang must be one of {known}, not {lang!r}.")
    return code


@cache
def own_strings(lang: str) -> Mapping[str, str]:
    """The strings the file of ``lang`` itself holds, by dotted key (no fallback)."""
    code = check_lang(lang)
    path = FOLDER / f"{code}.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise ValueError(f"{path.name} must hold a mapping of topics to strings.")
    return MappingProxyType(dict(_flatten(document, "", path.name)))


def strings(lang: str) -> dict[str, str]:
    """Every string a page may need in ``lang``: English, overlaid with the translation."""
    return {**own_strings(DEFAULT_LANG), **own_strings(lang)}


def translate(lang: str, key: str, /, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when the translation lacks it), filled in.

    Raises KeyError for a key English lacks too, or a placeholder not given in ``values``.

    >>> translate("af", "notice.reference", reference="GSV-2026-0000001")
    'U verwysingsnommer is GSV-2026-0000001.'
    """
    text = own_strings(lang).get(key) or own_strings(DEFAULT_LANG)[key]
    return text.format(**values)


def label(lang: str, topic: str, code: str) -> str:
    """The name of ``code`` under ``topic`` (``status``, ``event`` ...) in ``lang``; the
    English one when untranslated, and ``code`` itself when no file names it.

    >>> label("st", "status", "closed"), label("st", "status", "archived")
    ('E kwetswe', 'archived')
    """
    key = f"{topic}.{code}"
    return own_strings(lang).get(key) or own_strings(DEFAULT_LANG).get(key) or code


def placeholders(text: str) -> frozenset[str]:
    """The names of the placeholders in ``text``.

    >>> sorted(placeholders("{count} of {total} rows"))
    ['count', 'total']
    """
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def long_date(lang: str, day: date) -> str:
    """``day`` written out in ``lang``, e.g. ``15 December 2026`` (day as two digits).

    >>> long_date("tn", date(2026, 12, 5))
    '05 Sedimonthole 2026'
    """
    month = translate(lang, f"month.{day.month}")
    return translate(lang, "date.long", day=f"{day.day:02d}", month=month, year=day.year)


def service_name(lang: str, code: str, default: str) -> str:
    """The name of service type ``code`` in ``lang``; ``default`` (the catalogue's own
    name) in English or when the translation has none, e.g. for a municipality's own
    service types."""
    if check_lang(lang) == DEFAULT_LANG:
        return default
    return own_strings(lang).get(f"service.{code}", default)


def _flatten(node: Mapping[Any, Any], prefix: str, source: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in node.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat |= _flatten(value, key + ".", source)
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise ValueError(f"{source}: {key} must be text, not {value!r}; quote it.")
    return flat
