"""Who may do what: every access rule of CareRoute, in one place.

Two questions, asked in this order by every service:
1. May this role do this action on this kind of record at all?  No -> 403.
2. Is this particular record within the user's reach (their stations; for a volunteer,
   their own record)?  No -> 404, so that nobody learns what exists elsewhere.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from dispatch.errors import Forbidden, NotFound
from dispatch.i18n import N_
from models import Station
from models.enums import Role

RowT = TypeVar("RowT", bound=SQLModel)


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"  # also restore, and delete where nothing refers to the record


class Resource(StrEnum):
    STATION = "station"
    SITE = "site"
    CLIENT = "client"
    VOLUNTEER = "volunteer"
    AVAILABILITY = "availability"
    SCHEDULE = "schedule"
    CLOSURE = "closure"
    TASK = "task"
    PLAN = "plan"
    MENU = "menu"
    ALERT = "alert"
    OUTCOME = "outcome"  # entering outcomes from paper sheets; volunteers record their own
    AUDIT = "audit"  # the audit trail: read only, for everyone (nobody edits it)
    USER = "user"
    TEAM = "team"
    NOTIFICATION = "notification"  # contact preferences and the outbox
    ACTIVITY = "activity"  # group activities
    INVITATION = "invitation"  # whom an activity invites, and whether they came


_ALL = frozenset(Action)
_READ = frozenset({Action.READ})

# Admins may do everything; the table lists every other role's rights.
POLICY: dict[Resource, dict[Role, frozenset[Action]]] = {
    # Creating and closing stations is an admin's job; coordinators keep their own up to date.
    Resource.STATION: {
        Role.COORDINATOR: frozenset({Action.READ, Action.UPDATE}),
        Role.MANAGER: _READ,
        Role.VOLUNTEER: _READ,
    },
    # Volunteers read sites: they must know where the kitchen is.
    Resource.SITE: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ, Role.VOLUNTEER: _READ},
    # Client files are private: volunteers get only their own stops (issue 5), never the list.
    Resource.CLIENT: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    # A team's name is no secret to its volunteers.
    Resource.TEAM: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ, Role.VOLUNTEER: _READ},
    Resource.VOLUNTEER: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ, Role.VOLUNTEER: _READ},
    Resource.AVAILABILITY: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ, Role.VOLUNTEER: _READ},
    Resource.SCHEDULE: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    # Volunteers may see when the station is closed.
    Resource.CLOSURE: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ, Role.VOLUNTEER: _READ},
    # The day's tasks name clients: volunteers see only their own stops (issue 5).
    Resource.TASK: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    # Volunteers see published routes of their own only, through their own pages (issue 5).
    Resource.PLAN: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    Resource.MENU: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    # Alerts name clients and, for coordinators, their emergency contacts.
    Resource.ALERT: {
        Role.COORDINATOR: frozenset({Action.READ, Action.UPDATE}),
        Role.MANAGER: _READ,
    },
    Resource.AUDIT: {Role.COORDINATOR: _READ, Role.MANAGER: _READ},
    Resource.OUTCOME: {
        Role.COORDINATOR: frozenset({Action.READ, Action.CREATE}),
        Role.MANAGER: _READ,
    },
    # Phone numbers and addresses of volunteers, staff and families: for the office only.
    Resource.NOTIFICATION: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    # Activities and their invitations name clients: for the office.
    Resource.ACTIVITY: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    Resource.INVITATION: {Role.COORDINATOR: _ALL, Role.MANAGER: _READ},
    Resource.USER: {},
}

# For a volunteer, rows of these resources are visible only where this column is their own id.
VOLUNTEER_OWN_COLUMN: dict[Resource, str] = {
    Resource.VOLUNTEER: "id",
    Resource.AVAILABILITY: "volunteer_id",
}


@dataclass(frozen=True)
class Principal:
    """The authenticated user as the services see it."""

    user_id: int | None
    role: Role
    station_ids: frozenset[int]  # for a volunteer: the station of their volunteer record
    volunteer_id: int | None = None
    interface: str = "api"  # where the change comes from, for the audit trail

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def sees_private_notes(principal: Principal, station: Station) -> bool:
    """Emergency contacts and health notes are for those who act on them: coordinators (and
    admins), and a station's managers where the station grants it. Volunteers get what their
    doors need, through their own pages."""
    if principal.role is Role.MANAGER:
        return station.managers_see_private_notes
    return principal.role in (Role.ADMIN, Role.COORDINATOR)


def system_principal(interface: str) -> Principal:
    """The command line and the demo loader act as an admin with no user account."""
    return Principal(user_id=None, role=Role.ADMIN, station_ids=frozenset(), interface=interface)


def allowed(principal: Principal, resource: Resource, action: Action) -> bool:
    return principal.is_admin or action in POLICY[resource].get(principal.role, frozenset())


def require(principal: Principal, resource: Resource, action: Action) -> None:
    if not allowed(principal, resource, action):
        raise Forbidden(
            N_("a %(role)s may not %(action)s %(kind)s records"),
            role=principal.role.value,
            action=action.value,
            kind=resource.value,
        )


def station_scope(principal: Principal) -> frozenset[int] | None:
    """The stations whose records the user reaches; None means all of them."""
    return None if principal.is_admin else principal.station_ids


def in_scope(principal: Principal, resource: Resource, station_id: int, row: object) -> bool:
    """Whether one record (already allowed by role) is within the user's reach."""
    scope = station_scope(principal)
    if scope is not None and station_id not in scope:
        return False
    own = own_rows_value(principal, resource)
    return own is None or getattr(row, VOLUNTEER_OWN_COLUMN[resource]) == own


def own_rows_value(principal: Principal, resource: Resource) -> int | None:
    """For a volunteer, the id their rows of `resource` must carry; None when unrestricted."""
    if principal.role is Role.VOLUNTEER and resource in VOLUNTEER_OWN_COLUMN:
        return principal.volunteer_id if principal.volunteer_id is not None else -1
    return None


def reachable(
    session: Session, principal: Principal, table: type[RowT], row_id: Any, entity: str
) -> RowT:
    """The row, if it exists and belongs to a station within the user's reach; else 404, so
    that nobody learns what exists elsewhere."""
    row = session.get(table, row_id) if row_id is not None else None
    if row is None:
        raise NotFound(entity, row_id if row_id is not None else "")
    station_id = row.id if isinstance(row, Station) else getattr(row, "station_id")  # noqa: B009
    scope = station_scope(principal)
    if scope is not None and station_id not in scope:
        raise NotFound(entity, row_id)
    return row
