"""Roles, users and sign-in tokens against the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, text

from geosvc.accounts.keys import authenticate
from geosvc.accounts.passwords import hash_password, password_matches
from geosvc.accounts.roles import ANONYMOUS, Principal, Role, require
from geosvc.accounts.users import create_user, disable_user, login
from geosvc.errors import AuthenticationError, InvalidInputError, PermissionDeniedError

HOUR = timedelta(hours=1)


def test_roles_are_not_a_ladder() -> None:
    planner, cdw = Principal("p", Role.PLANNER), Principal("c", Role.CDW)
    assert planner.has(Role.PLANNER)
    assert not planner.has(Role.CDW)
    assert cdw.has(Role.CDW)
    assert not cdw.has(Role.PLANNER)
    assert Principal("w", Role.WARROOM).has(Role.AGENT)
    assert not Principal("a", Role.AGENT).has(Role.WARROOM)
    staff = Principal("s", Role.STAFF)
    assert all(staff.has(r) for r in Role if r is not Role.ADMIN)
    assert not staff.has(Role.ADMIN)
    assert all(Principal("root", Role.ADMIN).has(r) for r in Role)


def test_require_says_what_is_missing() -> None:
    with pytest.raises(AuthenticationError, match="planner role"):
        require(ANONYMOUS, Role.PLANNER)
    with pytest.raises(PermissionDeniedError, match="needs the warroom role; pat has planner"):
        require(Principal("pat", Role.PLANNER), Role.WARROOM)


def test_passwords_are_salted_and_checked() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second
    assert password_matches("correct horse", first)
    assert not password_matches("correct hors", first)
    assert not password_matches("anything", "md5$abc")


def test_login_issues_a_token_with_the_users_role(conn: Connection) -> None:
    create_user(conn, "thandi", Role.PLANNER, "s3cret-pass")
    issued = login(conn, "thandi", "s3cret-pass", HOUR)
    assert issued.role is Role.PLANNER
    assert authenticate(conn, issued.token) == Principal("thandi", Role.PLANNER)
    stored = conn.execute(text("SELECT password_hash FROM app_user")).scalar_one()
    assert "s3cret-pass" not in stored


def test_wrong_password_and_unknown_user_get_the_same_answer(conn: Connection) -> None:
    create_user(conn, "thandi", Role.PLANNER, "s3cret-pass")
    with pytest.raises(AuthenticationError) as wrong:
        login(conn, "thandi", "nope-nope", HOUR)
    with pytest.raises(AuthenticationError) as unknown:
        login(conn, "nobody", "s3cret-pass", HOUR)
    assert str(wrong.value) == str(unknown.value)


def test_an_expired_token_is_refused(conn: Connection) -> None:
    create_user(conn, "thandi", Role.WARROOM, "s3cret-pass")
    issued = login(conn, "thandi", "s3cret-pass", timedelta(seconds=-1))
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate(conn, issued.token)


def test_disabling_a_user_ends_their_sign_ins(conn: Connection) -> None:
    create_user(conn, "thandi", Role.CDW, "s3cret-pass")
    issued = login(conn, "thandi", "s3cret-pass", HOUR)
    assert disable_user(conn, "thandi")
    with pytest.raises(AuthenticationError):
        authenticate(conn, issued.token)
    with pytest.raises(AuthenticationError):
        login(conn, "thandi", "s3cret-pass", HOUR)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("thandi", "short", "at least 8"),
        ("two words", "long enough", "no spaces"),
        ("", "x" * 9, "1-64"),
    ],
)
def test_bad_users_are_refused(conn: Connection, name: str, password: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        create_user(conn, name, Role.CDW, password)
