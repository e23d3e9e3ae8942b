"""The service catalogue file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from geosvc.errors import SourceFileError
from geosvc.requests.catalogue import read_catalogue, store_catalogue


def test_default_catalogue_covers_the_basic_services(conn: Connection) -> None:
    groups = set(conn.execute(text("SELECT group_name FROM service_type")).scalars())
    expected = {
        "water",
        "sanitation",
        "electricity",
        "roads",
        "refuse",
        "housing",
        "parks",
        "other",
    }
    assert groups == expected
    row = conn.execute(text("SELECT * FROM service_type WHERE code = 'water_outage'")).mappings()
    water = row.one()
    assert water["urgent"] is True
    assert (water["acknowledge_days"], water["notify_days"], water["complete_days"]) == (1, 15, 2)


def test_csv_catalogue_with_defaults(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    path.write_text("code,name,group,complete_days\nspeed_bump,Speed bump request,roads,60\n")
    store_catalogue(conn, read_catalogue(path))
    row = conn.execute(text("SELECT * FROM service_type WHERE code = 'speed_bump'")).mappings()
    bump = row.one()
    assert (bump["acknowledge_days"], bump["complete_days"], bump["urgent"]) == (5, 60, False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "services:\n  - code: Bad Code\n    name: x\n    group: y\n",
            "service 1: code: String should match pattern",
        ),
        (
            "services:\n  - code: a\n    name: x\n    group: y\n    complete_days: -1\n",
            "complete_days",
        ),
        (
            "services:\n  - {code: a, name: x, group: y, acknowledge_days: 3, complete_days: 2}\n",
            "acknowledged before it is completed",
        ),
        ("services: []\n", "lists no services"),
        ("nothing: here\n", "has no 'services' list"),
        (
            "services:\n  - {code: a, name: x, group: y}\n  - {code: a, name: z, group: y}\n",
            "more than once",
        ),
    ],
)
def test_bad_catalogues_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(content)
    with pytest.raises(SourceFileError, match=message):
        read_catalogue(path)
