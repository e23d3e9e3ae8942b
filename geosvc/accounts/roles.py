"""Who may do what: the roles, what each includes, and the one check of them.

The roles:

- ``public``: anyone, no key needed to read public data; an app holding a public key may
  lodge Open311 requests;
- ``cdw``: community development workers, who upload household-survey batches;
- ``agent``: call-centre agents, who lodge on a caller's behalf, read requests with their
  contact details, add notes and notify customers;
- ``warroom``: war-room operators, who watch live clusters, new and overdue requests and
  escalations (and may read requests as an agent does);
- ``planner``: planners, who read hotspot and needs maps, survey points and exports;
- ``staff``: municipal officers, who acknowledge, assign, hold, close and reopen, and may
  do all of the above;
- ``admin``: everything, including managing keys and users.

Roles are not a ladder (a planner is not a CDW, nor the reverse), so each role lists the
roles it includes (``GRANTS``) and ``require`` is the one place that decides. The credentials
that carry a role are in ``geosvc.accounts.keys``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geosvc.errors import AuthenticationError, InvalidInputError, PermissionDeniedError


class Role(StrEnum):
    """A role, by the name users write."""

    PUBLIC = "public"
    CDW = "cdw"
    AGENT = "agent"
    WARROOM = "warroom"
    PLANNER = "planner"
    STAFF = "staff"
    ADMIN = "admin"

    @classmethod
    def parse(cls, name: str) -> Role:
        """The role called ``name`` (case-insensitive)."""
        try:
            return cls(name.strip().lower())
        except ValueError:
            names = ", ".join(r.value for r in cls)
            raise InvalidInputError(f"role must be one of {names}, not {name!r}.") from None

    @property
    def label(self) -> str:
        """The role's name as users write it."""
        return self.value


_STAFF_GRANTS = frozenset(
    {Role.PUBLIC, Role.CDW, Role.AGENT, Role.WARROOM, Role.PLANNER, Role.STAFF}
)

GRANTS: dict[Role, frozenset[Role]] = {
    Role.PUBLIC: frozenset({Role.PUBLIC}),
    Role.CDW: frozenset({Role.PUBLIC, Role.CDW}),
    Role.AGENT: frozenset({Role.PUBLIC, Role.AGENT}),
    Role.WARROOM: frozenset({Role.PUBLIC, Role.AGENT, Role.WARROOM}),
    Role.PLANNER: frozenset({Role.PUBLIC, Role.PLANNER}),
    Role.STAFF: _STAFF_GRANTS,
    Role.ADMIN: frozenset(Role),
}


@dataclass(frozen=True)
class Principal:
    """Whoever is making a call: the credential's name and role, or the anonymous public."""

    name: str
    role: Role

    def has(self, role: Role) -> bool:
        """Whether this principal may do what ``role`` may."""
        return role in GRANTS[self.role]

    @property
    def roles(self) -> list[str]:
        """The names of every role this principal has, in the enum's order."""
        return [r.value for r in Role if self.has(r)]

    @property
    def has_no_credential(self) -> bool:
        """Whether this is the anonymous public, who sent no key and is not signed in."""
        return self is ANONYMOUS

    @property
    def is_public(self) -> bool:
        """Whether the caller gets only what the public may see (no contact details)."""
        return not self.has(Role.AGENT)


ANONYMOUS = Principal("public", Role.PUBLIC)


def require(principal: Principal, *roles: Role) -> Principal:
    """``principal`` if it has any of ``roles``; otherwise an error saying what is needed."""
    if any(principal.has(role) for role in roles):
        return principal
    needed = " or ".join(role.label for role in roles)
    if principal.has_no_credential:
        raise AuthenticationError(f"This needs a sign-in or an API key with the {needed} role.")
    raise PermissionDeniedError(
        f"This needs the {needed} role; {principal.name} has {principal.role.label}."
    )
