"""Every query of the audit trail as people read it. Appending and checking the chain is
dispatch.audit.chain's. Nothing here commits."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from dispatch.audit.schemas import TrailQuery
from models import AuditEvent, Client, User, Volunteer

_FILTERED = ("station_id", "actor_user_id", "entity", "entity_id", "client_id", "volunteer_id")


def conditions(
    scope: frozenset[int] | None, query: TrailQuery, timezone: str
) -> list[ColumnElement[bool]]:
    """The events `query` asks for within the stations of `scope` (None: every event)."""
    found: list[ColumnElement[bool]] = []
    if scope is not None:  # events of no station (accounts, logins) are for admins
        found.append(col(AuditEvent.station_id).in_(scope))
    zone = ZoneInfo(timezone)
    if query.since is not None:
        found.append(col(AuditEvent.at) >= datetime.combine(query.since, time(), zone))
    if query.until is not None:
        end = datetime.combine(query.until + timedelta(days=1), time(), zone)
        found.append(col(AuditEvent.at) < end)
    for field in _FILTERED:
        value = getattr(query, field)
        if value is not None:
            found.append(getattr(AuditEvent, field) == value)
    return found


def count(session: Session, where: list[ColumnElement[bool]]) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()


def newest_first(
    session: Session, where: list[ColumnElement[bool]], page: int, page_size: int
) -> Sequence[AuditEvent]:
    return session.exec(
        select(AuditEvent)
        .where(*where)
        .order_by(col(AuditEvent.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()


def oldest_first(
    session: Session, where: list[ColumnElement[bool]], size: int = 1000
) -> Iterator[list[AuditEvent]]:
    """Every event found, in batches of `size`, in the order they were written (within a
    station, its chain's order)."""
    after = 0
    while True:
        rows = list(
            session.exec(
                select(AuditEvent)
                .where(*where, col(AuditEvent.id) > after)
                .order_by(col(AuditEvent.id))
                .limit(size)
            ).all()
        )
        if not rows:
            return
        yield rows
        after = rows[-1].id or after


def actors(session: Session, scope: frozenset[int] | None) -> list[tuple[int, str]]:
    """Who made changes within the stations of `scope`, by name."""
    query = (
        select(User.id, User.display_name)
        .join(AuditEvent, col(AuditEvent.actor_user_id) == User.id)
        .distinct()
        .order_by(col(User.display_name))
    )
    if scope is not None:
        query = query.where(col(AuditEvent.station_id).in_(scope))
    return [(user_id, name) for user_id, name in session.exec(query).all() if user_id is not None]


def names_of(
    session: Session, table: type[Client] | type[Volunteer], ids: Iterable[int]
) -> dict[int | None, str]:
    """Clients' or volunteers' names by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(table.id, table.name).where(col(table.id).in_(wanted))).all()
    return dict(rows)


def people(
    session: Session, table: type[Client] | type[Volunteer], scope: frozenset[int] | None
) -> list[tuple[int, str]]:
    """The clients or volunteers of the stations of `scope`, by name, for choosing one."""
    query = select(table.id, table.name).order_by(col(table.name))
    if scope is not None:
        query = query.where(col(table.station_id).in_(scope))
    return [(row_id, name) for row_id, name in session.exec(query).all() if row_id is not None]


def display_names(session: Session, user_ids: Iterable[int]) -> dict[int | None, str]:
    return {
        user.id: user.display_name
        for user in session.exec(select(User).where(col(User.id).in_(set(user_ids)))).all()
    }
