"""The notice a citizen gets on lodging, in the language asked for."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.requests.intake import Contact, IntakePolicy, NewRequest, create_request, service_notice
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.working_days import WorkingCalendar
from tests.requests.conftest import JOBURG, SAST

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=SAST)
DUE = datetime(2026, 3, 13, 16, 30, tzinfo=SAST)
POLICY = IntakePolicy(calendar=WorkingCalendar(), reference_prefix="TST")
CITIZEN = Contact(first_name="Lerato", phone="+27 82 555 0199")


def _lodge(conn: Connection, lang: str, contact: Contact = CITIZEN) -> RequestRecord:
    new = NewRequest(
        service_code="pothole", lon=JOBURG[0], lat=JOBURG[1], contact=contact, lang=lang
    )
    return create_request(conn, new, POLICY, MONDAY)


def test_english_notice_reads_as_before() -> None:
    parent = (7, "TST-2026-0000007")
    assert service_notice("TST-2026-0000009", None, True, DUE, POLICY) == (
        "Your reference number is TST-2026-0000009. We aim to complete it by 13 March 2026."
    )
    assert service_notice("TST-2026-0000009", parent, False, None, POLICY) == (
        "Your reference number is TST-2026-0000009. This problem was already reported as "
        "TST-2026-0000007; your request is linked to it and will be closed with it. Without "
        "an e-mail address or phone number the request is recorded but, as the customer "
        "request policy says, it cannot be actioned."
    )


@pytest.mark.parametrize(
    ("lang", "reference", "due"),
    [
        ("af", "U verwysingsnommer is TST-2026-0000009.", "Ons beoog om dit teen 13 Maart 2026"),
        ("zu", "Inombolo yakho yereferensi ithi TST-2026-0000009.", "ngomhla ka-13 Mashi 2026"),
        ("st", "Nomoro ya hao ya tshupiso ke TST-2026-0000009.", "ho e phethela ka 13 Hlakubele"),
        ("tn", "Nomoro ya gago ya tshupetso ke TST-2026-0000009.", "go e fetsa ka 13 Mopitlo 2026"),
    ],
)
def test_notice_in_each_language(lang: str, reference: str, due: str) -> None:
    notice = service_notice("TST-2026-0000009", None, True, DUE, POLICY, lang)
    assert notice.startswith(reference + " ")
    assert due in notice


def test_lodging_with_a_language_stores_the_notice_in_it(conn: Connection) -> None:
    record = _lodge(conn, "st")
    assert record.service_notice is not None
    assert record.service_notice.startswith(f"Nomoro ya hao ya tshupiso ke {record.reference}.")
    anonymous = _lodge(conn, "zu", Contact())
    assert anonymous.service_notice is not None
    assert "asikwazi ukusetshenzwa" in anonymous.service_notice
    assert anonymous.parent_reference == record.reference
    assert f"njengo-{record.reference}" in anonymous.service_notice


def test_lodging_without_a_language_stores_english(conn: Connection) -> None:
    record = create_request(
        conn,
        NewRequest(service_code="pothole", lon=JOBURG[0], lat=JOBURG[1], contact=CITIZEN),
        POLICY,
        MONDAY,
    )
    assert record.service_notice is not None
    assert record.service_notice.startswith("Your reference number is")


def test_unknown_language_is_refused_before_anything_is_stored(conn: Connection) -> None:
    with pytest.raises(InvalidInputError, match="lang must be one of en"):
        _lodge(conn, "xh")
