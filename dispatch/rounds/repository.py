"""Every query of the volunteer's round: published routes and their doors, outcomes and round
marks by their event ids, released days and route links. Nothing here commits."""

from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import and_, bindparam, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, SQLModel, col, select

from dispatch.db import insert_unless_present
from dispatch.precompiled import PrecompiledStatement
from models import (
    Client,
    ContactPreference,
    Outcome,
    Plan,
    PlanRoute,
    PlanStop,
    RoundMark,
    RouteLink,
    RouteRelease,
    Station,
    Task,
    Volunteer,
)
from models.enums import (
    Audience,
    OutcomeKind,
    PlanStatus,
    ReleaseStatus,
    RoundEvent,
    ServiceKind,
    StopKind,
    TaskStatus,
)

RowT = TypeVar("RowT", bound=SQLModel)

# --- published routes ------------------------------------------------------------------------


def published_days(session: Session, volunteer_id: int, first: date) -> list[date]:
    """Days from `first` on which a published plan gives the volunteer a route."""
    plans = session.exec(
        select(Plan)
        .join(PlanRoute, col(PlanRoute.plan_id) == Plan.id)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.service_date >= first,
            PlanRoute.volunteer_id == volunteer_id,
            _has_doors(),
        )
    ).all()
    return sorted({plan.service_date for plan in plans})


def published_route(
    session: Session, volunteer_id: int, day: date
) -> tuple[Plan, PlanRoute] | None:
    """The volunteer's route of the day in the published plan, with that plan."""
    found = session.exec(
        select(Plan, PlanRoute)
        .join(PlanRoute, col(PlanRoute.plan_id) == Plan.id)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.service_date == day,
            PlanRoute.volunteer_id == volunteer_id,
            _has_doors(),
        )
    ).first()
    return (found[0], found[1]) if found else None


def _has_doors() -> Any:
    """A route is the volunteer's only while it has a door: every stop moved elsewhere by
    hand leaves an empty route behind, which is nobody's round."""
    door = select(PlanStop.id).where(
        PlanStop.route_id == PlanRoute.id, PlanStop.kind == StopKind.DOOR
    )
    return door.exists()


def day_is_published(session: Session, station_id: int, day: date) -> bool:
    """Whether the station has a published plan of the day."""
    found = session.exec(
        select(Plan.id).where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.station_id == station_id,
            Plan.service_date == day,
        )
    ).first()
    return found is not None


def routes_of_plan(session: Session, plan_id: int, volunteer_id: int | None) -> list[PlanRoute]:
    """The plan's routes (or one volunteer's) in the order they leave."""
    query = select(PlanRoute).where(PlanRoute.plan_id == plan_id)
    if volunteer_id is not None:
        query = query.where(PlanRoute.volunteer_id == volunteer_id)
    return list(session.exec(query.order_by(col(PlanRoute.depart_seconds), col(PlanRoute.id))))


def stops_of_route(
    session: Session, route_id: int | None
) -> Sequence[tuple[PlanStop, Task, Client]]:
    """The route's stops in order, with their tasks and clients."""
    return session.exec(
        select(PlanStop, Task, Client)
        .join(Task, col(Task.id) == PlanStop.task_id)
        .join(Client, col(Client.id) == Task.client_id)
        .where(PlanStop.route_id == route_id)
        .order_by(col(PlanStop.position))
    ).all()


def last_words(
    session: Session, client_ids: set[int], first: date, last: date
) -> dict[int, tuple[date, OutcomeKind]]:
    """Each client's last outcome at their door on service days `first` to `last`: its day
    and kind."""
    if not client_ids:
        return {}
    rows = session.execute(
        sa_select(col(Task.client_id), col(Task.service_date), col(Outcome.kind))
        .join(Task, col(Task.id) == col(Outcome.task_id))
        .where(
            col(Task.client_id).in_(client_ids),
            col(Task.service_date) >= first,
            col(Task.service_date) <= last,
        )
        .order_by(col(Task.service_date), col(Outcome.recorded_at), col(Outcome.id))
    ).all()
    return {client_id: (day, kind) for client_id, day, kind in rows}


def doors_of_route(session: Session, route_id: int | None) -> int:
    return session.exec(
        select(func.count())
        .select_from(PlanStop)
        .where(PlanStop.route_id == route_id, PlanStop.kind == StopKind.DOOR)
    ).one()


class Door(NamedTuple):
    """A door of a published plan: what recording an outcome there needs of its stop,
    route, plan and task (columns, not records: loading four records cost an outcome more
    than anything else it read)."""

    stop_id: int
    task_id: int
    task_kind: ServiceKind
    invitation_id: int | None
    client_id: int
    volunteer_id: int | None
    station_id: int
    service_date: date
    timezone: str  # the station's: whether its day has begun
    # The client's family contact's preference, if they have one (told of the outcome):
    # asked with the door, not apart, one statement fewer for every outcome.
    family_preference_id: int | None


# Built and compiled once, run on the driver's cursor: every outcome recorded asks.
_PUBLISHED_DOOR = PrecompiledStatement(
    sa_select(
        col(PlanStop.id),
        col(PlanStop.task_id),
        col(Task.kind),
        col(Task.invitation_id),
        col(Task.client_id),
        col(PlanRoute.volunteer_id),
        col(Plan.station_id),
        col(Plan.service_date),
        col(Station.timezone),
        col(ContactPreference.id),
    )
    .join(PlanRoute, col(PlanRoute.id) == PlanStop.route_id)
    .join(Plan, col(Plan.id) == PlanStop.plan_id)
    .join(Station, col(Station.id) == Plan.station_id)
    .join(Task, col(Task.id) == PlanStop.task_id)
    .outerjoin(  # one at most: a person has one preference per audience
        ContactPreference,
        and_(
            col(ContactPreference.audience) == Audience.FAMILY,
            col(ContactPreference.person_id) == Task.client_id,
            col(ContactPreference.archived_at).is_(None),
        ),
    )
    .where(
        col(PlanStop.id) == bindparam("stop_id"),
        col(PlanStop.kind) == StopKind.DOOR,
        col(Plan.status) == PlanStatus.PUBLISHED,
    )
)


def published_door(session: Session, stop_id: int) -> Door | None:
    """A door of a published plan."""
    found = _PUBLISHED_DOOR.first(session.connection(), {"stop_id": stop_id})
    return Door._make(found) if found is not None else None


def add_outcome(session: Session, values: dict[str, Any]) -> int | None:
    """Store an outcome and mark its task done: the new outcome's id; or None, writing
    nothing, when an outcome with its event id is there already (concurrent submissions of
    one event id wait for each other: one row). On PostgreSQL in one statement, one round
    trip; on SQLite in two (no UPDATE in a WITH clause there, and no round trips)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        new_id = insert_unless_present(session, Outcome, values, key="client_event_id")
        if new_id is not None:
            _DONE.rows(connection, values)
        return new_id
    found = _outcome_marking_done(tuple(values)).first(connection, values)
    return None if found is None else int(found[0])


_DONE = PrecompiledStatement(
    update(Task).where(col(Task.id) == bindparam("task_id")).values(status=TaskStatus.DONE)
)


@cache
def _outcome_marking_done(columns: tuple[str, ...]) -> PrecompiledStatement:
    # The outcome's values are selected, not listed after VALUES, so that the task's update
    # can take the same task_id parameter; it runs only if the insert returned a row.
    table = Outcome.__table__  # type: ignore[attr-defined]
    given = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    new = (
        postgresql.insert(Outcome)
        .from_select(list(columns), sa_select(*given.values()))
        .on_conflict_do_nothing(index_elements=["client_event_id"])
        .returning(col(Outcome.id))
        .cte("new_outcome")
    )
    done = (
        update(Task)
        .where(col(Task.id) == given["task_id"], sa_select(new.c.id).exists())
        .values(status=TaskStatus.DONE)
        .cte("task_done")
    )
    return PrecompiledStatement(sa_select(new.c.id).add_cte(done))


# --- what was recorded -----------------------------------------------------------------------


def outcomes_at(session: Session, stop_id: int, volunteer_id: int) -> list[Outcome]:
    """The volunteer's events at a stop, oldest first."""
    return list(
        session.exec(
            select(Outcome)
            .where(Outcome.plan_stop_id == stop_id, Outcome.volunteer_id == volunteer_id)
            .order_by(col(Outcome.recorded_at), col(Outcome.id))
        )
    )


def marks_of_route(session: Session, route_id: int | None) -> set[RoundEvent]:
    return {
        mark.event
        for mark in session.exec(select(RoundMark).where(RoundMark.plan_route_id == route_id))
    }


def by_event(session: Session, table: type[RowT], event_id: str) -> Any:
    """The row the phone's event id was stored as, if it was."""
    return session.exec(
        select(table).where(table.client_event_id == event_id)  # type: ignore[attr-defined]
    ).first()


# --- released days ---------------------------------------------------------------------------


def standing_release(
    session: Session, volunteer_id: int, day: date, standing: Iterable[ReleaseStatus]
) -> RouteRelease | None:
    return session.exec(
        select(RouteRelease).where(
            RouteRelease.volunteer_id == volunteer_id,
            RouteRelease.service_date == day,
            col(RouteRelease.status).in_(list(standing)),
        )
    ).first()


def last_release(session: Session, volunteer_id: int, day: date) -> RouteRelease | None:
    return session.exec(
        select(RouteRelease)
        .where(RouteRelease.volunteer_id == volunteer_id, RouteRelease.service_date == day)
        .order_by(col(RouteRelease.id).desc())
    ).first()


def offers_to(session: Session, volunteer_id: int) -> list[RouteRelease]:
    return list(
        session.exec(
            select(RouteRelease).where(
                RouteRelease.offered_to_volunteer_id == volunteer_id,
                RouteRelease.status == ReleaseStatus.OFFERED,
            )
        )
    )


def releases_of_day(session: Session, station_id: int, day: date) -> list[RouteRelease]:
    return list(
        session.exec(
            select(RouteRelease)
            .where(RouteRelease.station_id == station_id, RouteRelease.service_date == day)
            .order_by(col(RouteRelease.id))
        )
    )


def volunteer_names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    return {
        v.id: v.name
        for v in session.exec(select(Volunteer).where(col(Volunteer.id).in_(list(ids))))
    }


# --- route links -----------------------------------------------------------------------------


def links_of_day(
    session: Session, station_id: int, day: date
) -> Sequence[tuple[RouteLink, Volunteer]]:
    return session.exec(
        select(RouteLink, Volunteer)
        .join(Volunteer, col(Volunteer.id) == RouteLink.volunteer_id)
        .where(RouteLink.station_id == station_id, RouteLink.service_date == day)
        .order_by(col(RouteLink.id))
    ).all()


def escort_there_of(session: Session, back: Task) -> Task | None:
    """The way there of an escort home: the same invitation's, on the same day."""
    return session.exec(
        select(Task).where(
            Task.invitation_id == back.invitation_id,
            Task.kind == ServiceKind.ESCORT_THERE,
            Task.service_date == back.service_date,
        )
    ).first()
