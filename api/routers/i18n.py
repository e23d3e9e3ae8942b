"""The translations the public pages use: ``GET /api/i18n/{lang}``."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from geosvc.i18n import LANGUAGES, check_lang, strings

router = APIRouter(prefix="/api/i18n", tags=["translations"])


class LanguageOut(BaseModel):
    """A supported language."""

    code: str = Field(description="The ISO 639-1 code.")
    name: str = Field(description="The language's name in itself.")


class StringsOut(BaseModel):
    """Every string of one language, by dotted key; English where it is untranslated."""

    lang: str
    name: str
    languages: list[LanguageOut]
    strings: dict[str, str] = Field(
        description="Placeholders in braces ({reference}) are filled in by the page."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lang": "af",
                    "name": "Afrikaans",
                    "languages": [{"code": "en", "name": "English"}],
                    "strings": {
                        "status_page.title": "Volg u versoek",
                        "service.pothole": "Slaggat",
                        "notice.reference": "U verwysingsnommer is {reference}.",
                    },
                }
            ]
        }
    )


def _languages() -> list[LanguageOut]:
    return [LanguageOut(code=code, name=name) for code, name in LANGUAGES.items()]


@router.get("", response_model=list[LanguageOut], summary="Supported languages")
def languages() -> list[LanguageOut]:
    """The languages pages, service names and notices are translated into."""
    return _languages()


@router.get("/{lang}", response_model=StringsOut, summary="A language's strings")
def language_strings(lang: str) -> StringsOut:
    """The page strings, service, status, resolution and event names of ``lang``.

    An unsupported ``lang`` is refused (422) with the supported codes.
    """
    code = check_lang(lang)
    return StringsOut(
        lang=code, name=LANGUAGES[code], languages=_languages(), strings=strings(code)
    )
