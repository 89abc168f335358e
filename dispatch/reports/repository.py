"""Every query of reports: the published plans and doors of a period with their outcomes,
alerts, round marks, and what histories and risk signals read. Reports read columns where a
period holds thousands of stops, and select a period's rows through subqueries, never through
parameter lists that grow with the period. Nothing here commits."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import cast

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models import (
    Alert,
    Client,
    Outcome,
    Plan,
    PlanRoute,
    PlanStop,
    RoundMark,
    ServiceSchedule,
    Station,
    Task,
    Team,
    Volunteer,
)
from models.enums import OutcomeKind, PlanStatus, StopKind

# --- a station's period ----------------------------------------------------------------------


def stations(session: Session, scope: frozenset[int] | None) -> list[Station]:
    """The stations in `scope` (None: all) still open, by name."""
    query = select(Station).where(col(Station.archived_at).is_(None)).order_by(col(Station.name))
    if scope is not None:
        query = query.where(col(Station.id).in_(scope))
    return list(session.exec(query).all())


def published_plans(session: Session, station_id: int, first: date, last: date) -> list[Plan]:
    return list(
        session.exec(
            select(Plan).where(
                Plan.station_id == station_id,
                Plan.status == PlanStatus.PUBLISHED,
                col(Plan.service_date) >= first,
                col(Plan.service_date) <= last,
            )
        ).all()
    )


def routes_of_plans(session: Session, plan_ids: Iterable[int | None]) -> list[PlanRoute]:
    return list(
        session.exec(select(PlanRoute).where(col(PlanRoute.plan_id).in_(list(plan_ids)))).all()
    )


def _doors(station_id: int, first: date, last: date) -> SelectOfScalar[PlanStop]:
    """The door stops of the period's published plans."""
    return (
        select(PlanStop)
        .join(Plan, col(Plan.id) == PlanStop.plan_id)
        .where(
            Plan.station_id == station_id,
            Plan.status == PlanStatus.PUBLISHED,
            col(Plan.service_date) >= first,
            col(Plan.service_date) <= last,
            PlanStop.kind == StopKind.DOOR,
        )
    )


DoorRow = tuple[date, str, int | None, int, str, time | None, int, str, str | None]


def door_rows(session: Session, station_id: int, first: date, last: date) -> list[DoorRow]:
    """Each door of the period's published plans as columns: (day, reason, volunteer id,
    task id, kind, window end, client id, client name, volunteer name); no volunteer when
    unplanned. In order of day, then client."""
    doors = _doors(station_id, first, last)
    rows = session.execute(
        sa_select(
            col(Plan.service_date),
            col(PlanStop.reason),
            col(PlanRoute.volunteer_id),
            col(Task.id),
            col(Task.kind),
            col(Task.window_end),
            col(Client.id),
            col(Client.name),
            col(Volunteer.name),
        )
        .select_from(PlanStop)
        .join(Plan, col(Plan.id) == PlanStop.plan_id)
        .join(PlanRoute, col(PlanRoute.id) == PlanStop.route_id, isouter=True)
        .join(Volunteer, col(Volunteer.id) == PlanRoute.volunteer_id, isouter=True)
        .join(Task, col(Task.id) == PlanStop.task_id)
        .join(Client, col(Client.id) == Task.client_id)
        .where(col(PlanStop.id).in_(doors.with_only_columns(col(PlanStop.id))))
        # Day by day, then by name: a report lists its stops as people look them up.
        .order_by(col(Plan.service_date), col(Client.name), col(Task.id))
    ).all()
    return [cast(DoorRow, tuple(row)) for row in rows]


def standing_outcomes(
    session: Session, station_id: int, first: date, last: date
) -> dict[int, tuple[OutcomeKind, datetime]]:
    """Each door task's last outcome of the period: its kind and when it was recorded."""
    doors = _doors(station_id, first, last)
    latest: dict[int, tuple[OutcomeKind, datetime]] = {}
    for task_id, kind, recorded_at in session.exec(
        select(col(Outcome.task_id), col(Outcome.kind), col(Outcome.recorded_at))
        .where(col(Outcome.task_id).in_(doors.with_only_columns(col(PlanStop.task_id))))
        .order_by(col(Outcome.recorded_at), col(Outcome.id))
    ).all():
        latest[task_id] = (kind, recorded_at)
    return latest


def alerts_of_period(session: Session, station_id: int, first: date, last: date) -> list[Alert]:
    """Alerts raised at the period's stops."""
    tasks = _doors(station_id, first, last).with_only_columns(col(PlanStop.task_id))
    return list(
        session.exec(
            select(Alert)
            .join(Outcome, col(Outcome.id) == Alert.outcome_id)
            .where(Alert.station_id == station_id, col(Outcome.task_id).in_(tasks))
        ).all()
    )


def alerts_with_clients(
    session: Session, station_id: int, task_ids: list[int]
) -> Sequence[tuple[Alert, Client]]:
    """The alerts raised at these tasks, oldest first, each with its client."""
    return session.exec(
        select(Alert, Client)
        .join(Outcome, col(Outcome.id) == Alert.outcome_id)
        .join(Client, col(Client.id) == Alert.client_id)
        .where(Alert.station_id == station_id, col(Outcome.task_id).in_(task_ids))
        .order_by(col(Alert.raised_at))
    ).all()


def round_marks(
    session: Session,
    first: date,
    last: date,
    station_id: int | None,
    volunteer_id: int | None,
) -> Sequence[tuple[RoundMark, date]]:
    """Start and finish marks of the period's rounds, each with its service day."""
    query = (
        select(RoundMark, col(Plan.service_date))
        .join(PlanRoute, col(PlanRoute.id) == RoundMark.plan_route_id)
        .join(Plan, col(Plan.id) == PlanRoute.plan_id)
        .where(col(Plan.service_date) >= first, col(Plan.service_date) <= last)
    )
    if station_id is not None:
        query = query.where(RoundMark.station_id == station_id)
    if volunteer_id is not None:
        query = query.where(RoundMark.volunteer_id == volunteer_id)
    return session.exec(query).all()


# --- people ----------------------------------------------------------------------------------


def clients(session: Session, ids: Iterable[int]) -> list[Client]:
    return list(session.exec(select(Client).where(col(Client.id).in_(set(ids)))).all())


def volunteer_names(session: Session, ids: Iterable[int]) -> dict[int | None, str]:
    return {
        v.id: v.name
        for v in session.exec(select(Volunteer).where(col(Volunteer.id).in_(set(ids)))).all()
    }


def tasks_of_client(session: Session, client_id: int) -> list[Task]:
    """The client's tasks, newest day first."""
    return list(
        session.exec(
            select(Task).where(Task.client_id == client_id).order_by(col(Task.service_date).desc())
        ).all()
    )


def outcomes_of_tasks(session: Session, task_ids: list[int | None]) -> list[Outcome]:
    """The tasks' outcomes, oldest first (the last of a task is what stands)."""
    return list(
        session.exec(
            select(Outcome)
            .where(col(Outcome.task_id).in_(task_ids))
            .order_by(col(Outcome.recorded_at), col(Outcome.id))
        ).all()
    )


def alert_count_of_client(session: Session, client_id: int) -> int:
    return len(session.exec(select(Alert.id).where(Alert.client_id == client_id)).all())


def outcomes_by_volunteer(
    session: Session, volunteer_id: int, first: date, last: date
) -> Sequence[tuple[Outcome, date]]:
    """The volunteer's outcomes at tasks of the period, each with its service day."""
    return session.exec(
        select(Outcome, col(Task.service_date))
        .join(Task, col(Task.id) == Outcome.task_id)
        .where(
            Outcome.volunteer_id == volunteer_id,
            col(Task.service_date) >= first,
            col(Task.service_date) <= last,
        )
    ).all()


def outcomes_with_tasks(
    session: Session, station_id: int, first: date, last: date
) -> Sequence[tuple[Outcome, Task, Volunteer]]:
    """The station's outcomes at tasks of the period, in the order they were recorded."""
    return session.exec(
        select(Outcome, Task, Volunteer)
        .join(Task, col(Task.id) == Outcome.task_id)
        .join(Volunteer, col(Volunteer.id) == Outcome.volunteer_id)
        .where(
            Outcome.station_id == station_id,
            col(Task.service_date) >= first,
            col(Task.service_date) <= last,
        )
        .order_by(col(Outcome.recorded_at))
    ).all()


def schedules_of_station(session: Session, station_id: int) -> list[ServiceSchedule]:
    return list(
        session.exec(select(ServiceSchedule).where(ServiceSchedule.station_id == station_id)).all()
    )


def teams_of_clients(session: Session, station_id: int) -> dict[int, int]:
    """Client id -> team id, for the station's clients in a team."""
    rows = session.execute(
        sa_select(col(Client.id), col(Client.team_id)).where(
            col(Client.station_id) == station_id, col(Client.team_id).is_not(None)
        )
    ).all()
    return {int(client): int(team) for client, team in rows}


def team_names(session: Session, station_id: int) -> dict[int, str]:
    rows = session.execute(
        sa_select(col(Team.id), col(Team.name)).where(col(Team.station_id) == station_id)
    ).all()
    return {int(team): str(name) for team, name in rows}
