"""``geosvc requests`` and ``geosvc keys`` as a call-centre agent and an officer run them."""

from __future__ import annotations

from sqlalchemy import create_engine

from geosvc.accounts.keys import authenticate
from geosvc.accounts.roles import Role
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.wards.loader import load_wards
from tests.conftest import GAUTENG_WARDS
from tests.etl.test_cli import geosvc


def _prepare(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
        store_catalogue(conn, read_catalogue())
    engine.dispose()


def test_lodge_act_show_and_escalate(scratch_url: str) -> None:
    _prepare(scratch_url)
    lodged = geosvc(
        scratch_url, "requests", "lodge", "--service", "pothole", "--lat", "-26.2041",
        "--lon", "28.0473", "--name", "Sipho Ndlovu", "--phone", "0825550101",
        "--description", "Pothole outside the clinic", "--by", "agent.nkosi",
    )  # fmt: skip
    assert lodged.returncode == 0, lodged.stderr
    reference = lodged.stdout.split("\t")[0]
    assert reference.startswith("GSV-")
    assert "Your reference number is " + reference in lodged.stdout

    for args in (
        ["acknowledge", reference, "--by", "officer"],
        ["assign", reference, "--to", "Roads depot", "--by", "officer"],
        ["close", reference, "--resolution", "fixed", "--by", "officer", "--note", "Filled"],
    ):
        result = geosvc(scratch_url, "requests", *args)
        assert result.returncode == 0, (args, result.stderr)
    assert "\tclosed\t" in result.stdout

    refused = geosvc(scratch_url, "requests", "hold", reference, "--by", "o", "--note", "x")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: Cannot hold a request that is closed")

    shown = geosvc(scratch_url, "requests", "show", reference)
    kinds = [line.split("\t")[1] for line in shown.stdout.splitlines()[2:]]
    assert kinds == ["received", "acknowledged", "assigned", "closed"]

    listed = geosvc(scratch_url, "requests", "list", "--status", "closed")
    assert listed.stdout.startswith(reference + "\tclosed\tpothole\t798")

    escalated = geosvc(scratch_url, "requests", "escalate")
    assert escalated.returncode == 0, escalated.stderr
    assert "0 escalations" in escalated.stderr

    bad = geosvc(scratch_url, "requests", "lodge", "--service", "pothole", "--lat", "0",
                 "--lon", "0", "--by", "agent")  # fmt: skip
    assert bad.returncode == 1
    assert "(0, 0)" in bad.stderr


def test_keys_create_list_revoke(scratch_url: str) -> None:
    created = geosvc(scratch_url, "keys", "create", "call centre", "--role", "agent")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        assert authenticate(conn, key).role is Role.AGENT
    listed = geosvc(scratch_url, "keys", "list")
    assert listed.stdout.startswith("call centre\tagent\t")
    assert geosvc(scratch_url, "keys", "revoke", "call centre").returncode == 0
    assert "revoked" in geosvc(scratch_url, "keys", "list").stdout
    bad_role = geosvc(scratch_url, "keys", "create", "x", "--role", "mayor")
    assert bad_role.returncode == 1
    assert "role must be one of" in bad_role.stderr
    engine.dispose()
