"""People who sign in to the pages: a name, a role and a password, and the login itself.

A login issues an ordinary API key (``geosvc.accounts.keys``) with an expiry, so every
endpoint checks a signed-in page and a script's key in the same way. Passwords are hashed
by ``geosvc.accounts.passwords``; only the hash is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from geosvc.accounts import repo
from geosvc.accounts.keys import create_key
from geosvc.accounts.passwords import hash_password, password_matches
from geosvc.accounts.roles import Role
from geosvc.errors import AuthenticationError, InvalidInputError

MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class Login:
    """A successful sign-in: the token to send back, whose it is and when it lapses."""

    token: str
    name: str
    role: Role
    expires_at: datetime


def create_user(conn: Connection, name: str, role: Role, password: str) -> None:
    """Add a user, or reset the role and password of an existing one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters; this has {len(password)}."
        )
    if not name or len(name) > 64 or not all(c.isalnum() or c in "_.@-" for c in name):
        raise InvalidInputError(
            f"A user name is 1-64 letters, digits or _ . @ - (no spaces), not {name!r}."
        )
    repo.upsert_user(conn, name, role.value, hash_password(password))


def disable_user(conn: Connection, name: str) -> bool:
    """Stop ``name`` signing in and end their open logins; whether the user existed."""
    found = repo.mark_user_disabled(conn, name)
    repo.revoke_login_tokens(conn, name)
    return found > 0


def login(conn: Connection, name: str, password: str, lifetime: timedelta) -> Login:
    """Check ``name`` and ``password`` and issue a token that lapses after ``lifetime``.

    The same error answers an unknown name and a wrong password, so a caller cannot tell
    which user names exist.
    """
    row = repo.enabled_user(conn, name)
    if row is None or not password_matches(password, row.password_hash):
        raise AuthenticationError("The user name or password is wrong.")
    role = Role.parse(row.role)
    expires_at = datetime.now(UTC) + lifetime
    token = create_key(conn, name, role, expires_at=expires_at)
    return Login(token, name, role, expires_at)


def list_users(conn: Connection) -> list[tuple[str, str, bool]]:
    """Every user's name, role and whether they may sign in, by name."""
    return [(r.username, r.role, r.active) for r in repo.user_rows(conn)]
