"""Translations of the public pages, service names, statuses and customer notices."""

from geosvc.i18n.translations import (
    DEFAULT_LANG,
    LANGUAGES,
    check_lang,
    label,
    long_date,
    own_strings,
    placeholders,
    service_name,
    strings,
    translate,
)

__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "check_lang",
    "label",
    "long_date",
    "own_strings",
    "placeholders",
    "service_name",
    "strings",
    "translate",
]
