"""The translation files: complete, consistent placeholders, and the loader's fallback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from geosvc.errors import InvalidInputError
from geosvc.i18n import (
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
from geosvc.i18n import translations as module
from geosvc.requests.catalogue import read_catalogue
from geosvc.requests.lifecycle import EVENT_KIND
from geosvc.requests.transitions import Resolution, Status

ENGLISH = own_strings("en")
OTHERS = [code for code in LANGUAGES if code != "en"]
#: Event kinds a public history can hold: the lifecycle's, plus those intake and imports log.
EVENT_KINDS = {*EVENT_KIND.values(), "received", "duplicate_linked", "imported"}


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_every_english_key_and_no_other(lang: str) -> None:
    own = own_strings(lang)
    assert sorted(set(ENGLISH) - set(own)) == [], f"{lang} lacks these keys"
    assert sorted(set(own) - set(ENGLISH)) == [], f"{lang} has keys English does not"


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_keep_the_placeholders(lang: str) -> None:
    own = own_strings(lang)
    wrong = {
        key: (sorted(placeholders(text)), sorted(placeholders(ENGLISH[key])))
        for key, text in own.items()
        if key in ENGLISH and placeholders(text) != placeholders(ENGLISH[key])
    }
    assert wrong == {}


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_are_not_copies_of_english(lang: str) -> None:
    own = own_strings(lang)
    # Proper names, codes and words shared with English (Status, April) may stay the same.
    same = sorted(k for k in own if own[k] == ENGLISH[k])
    assert len(same) < 0.1 * len(ENGLISH), same


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_page_string_is_non_empty(lang: str) -> None:
    assert [k for k, text in own_strings(lang).items() if not text.strip()] == []


def test_english_names_every_service_status_resolution_and_event() -> None:
    services = {f"service.{spec.code}" for spec in read_catalogue()}
    statuses = {f"status.{s.value}" for s in Status}
    resolutions = {f"resolution.{r.value}" for r in Resolution}
    events = {f"event.{kind}" for kind in EVENT_KINDS}
    months = {f"month.{m}" for m in range(1, 13)}
    batch = {f"batch_status.{s}" for s in ("processing", "loaded", "rejected", "failed")}
    needed = services | statuses | resolutions | events | months | batch
    assert sorted(needed - set(ENGLISH)) == []


def test_english_service_names_are_the_catalogue_names() -> None:
    catalogue = {spec.code: spec.name for spec in read_catalogue()}
    assert {code: ENGLISH[f"service.{code}"] for code in catalogue} == catalogue


def test_check_lang_accepts_regions_and_names_the_supported_codes() -> None:
    assert check_lang("af-ZA") == "af"
    assert check_lang(" TN ") == "tn"
    assert check_lang(None) == "en"
    with pytest.raises(InvalidInputError) as caught:
        check_lang("fr")
    for code in LANGUAGES:
        assert code in caught.value.detail
    assert "'fr'" in caught.value.detail


def test_labels_services_and_dates() -> None:
    assert label("zu", "status", "closed") == "Sivaliwe"
    assert label("af", "resolution", "fixed") == "Herstel"
    assert label("tn", "event", "no_such_kind") == "no_such_kind"
    assert service_name("af", "pothole", "Pothole") == "Slaggat"
    # English keeps the municipality's own catalogue name; unknown codes keep theirs too.
    assert service_name("en", "pothole", "Potholes and road damage") == "Potholes and road damage"
    assert service_name("st", "tree_felling", "Tree felling") == "Tree felling"
    assert long_date("en", date(2026, 12, 15)) == "15 December 2026"
    assert long_date("af", date(2026, 3, 2)) == "02 Maart 2026"
    assert long_date("st", date(2026, 12, 1)) == "01 Tshitwe 2026"


def test_strings_fill_in_placeholders() -> None:
    text = translate("zu", "status_page.not_found", reference="GSV-2026-0000042")
    assert "GSV-2026-0000042" in text
    assert "{" not in text
    with pytest.raises(KeyError):
        translate("zu", "status_page.not_found")
    with pytest.raises(KeyError):
        translate("af", "no.such.key")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A translation folder of the test's own, read afresh."""
    monkeypatch.setattr(module, "FOLDER", tmp_path)
    own_strings.cache_clear()
    yield tmp_path
    own_strings.cache_clear()


def test_a_missing_key_falls_back_to_english(folder: Path) -> None:
    (folder / "en.yaml").write_text("page:\n  title: Hello\n  hint: 'Type {name}'\n")
    (folder / "af.yaml").write_text("page:\n  title: Hallo\n")
    assert translate("af", "page.title") == "Hallo"
    assert translate("af", "page.hint", name="x") == "Type x"
    assert strings("af") == {"page.title": "Hallo", "page.hint": "Type {name}"}


def test_a_value_yaml_reads_as_no_text_is_named(folder: Path) -> None:
    (folder / "en.yaml").write_text("common:\n  answer_no: No\n")
    with pytest.raises(ValueError, match=r"en.yaml: common.answer_no must be text"):
        own_strings("en")
