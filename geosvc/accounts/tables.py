"""The account tables: page logins and API keys, both holding only hashes of secrets."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from geosvc.db import metadata

_ROLES = "'public', 'cdw', 'agent', 'warroom', 'planner', 'staff', 'admin'"

app_user = Table(
    "app_user",
    metadata,
    Column("username", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("disabled_at", DateTime(timezone=True)),
    CheckConstraint("username ~ '^[A-Za-z0-9_.@-]{1,64}$'", name="app_user_username_check"),
    CheckConstraint(f"role IN ({_ROLES})", name="app_user_role_check"),
)

api_key = Table(
    "api_key",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("key_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
    CheckConstraint("btrim(name) <> ''", name="api_key_name_check"),
    CheckConstraint(f"role IN ({_ROLES})", name="api_key_role_check"),
    CheckConstraint("key_hash ~ '^[0-9a-f]{64}$'", name="api_key_key_hash_check"),
    UniqueConstraint("key_hash"),
)
