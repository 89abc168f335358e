"""Every query of planning: jobs, plans with their routes and stops, and what they read of the
day's tasks, clients, sites, volunteers, menus and outcomes. Nothing here commits."""

from collections.abc import Collection, Iterable, Sequence
from datetime import date

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models import (
    Client,
    Menu,
    Outcome,
    Plan,
    PlanningJob,
    PlanRoute,
    PlanStop,
    Site,
    Task,
    Volunteer,
)
from models.common import utcnow
from models.day import NO_LONGER_DUE
from models.enums import JobStatus, PlanStatus, StopKind, TaskStatus

ACTIVE_JOBS = (JobStatus.QUEUED, JobStatus.RUNNING)

# --- jobs ------------------------------------------------------------------------------------


def active_job(session: Session, station_id: int, day: date) -> PlanningJob | None:
    """A job of the day still queued or running."""
    return session.exec(
        select(PlanningJob).where(
            PlanningJob.station_id == station_id,
            PlanningJob.service_date == day,
            col(PlanningJob.status).in_(ACTIVE_JOBS),
        )
    ).first()


def active_jobs(session: Session) -> list[PlanningJob]:
    """Every job still queued or running, of any station and day."""
    return list(session.exec(select(PlanningJob).where(col(PlanningJob.status).in_(ACTIVE_JOBS))))


def last_job(session: Session, station_id: int, day: date) -> PlanningJob | None:
    return session.exec(
        select(PlanningJob)
        .where(PlanningJob.station_id == station_id, PlanningJob.service_date == day)
        .order_by(col(PlanningJob.id).desc())
    ).first()


# --- tasks -----------------------------------------------------------------------------------


def plannable_tasks(session: Session, station_id: int, day: date) -> list[Task]:
    """The day's tasks still open or planned: what a plan of the day covers (not those
    the files no longer make due since they were planned: a client gone into hospital)."""
    return list(
        session.exec(
            select(Task).where(
                Task.station_id == station_id,
                Task.service_date == day,
                col(Task.status).in_((TaskStatus.OPEN, TaskStatus.PLANNED)),
                col(Task.status_reason).not_like(f"{NO_LONGER_DUE}%"),
            )
        ).all()
    )


def tasks(session: Session, task_ids: Iterable[int]) -> list[Task]:
    return list(session.exec(select(Task).where(col(Task.id).in_(set(task_ids)))).all())


def latest_outcomes(session: Session, task_ids: list[int]) -> dict[int, Outcome]:
    """Each task's standing outcome: its last event, whichever plan version it was on."""
    rows = session.exec(
        select(Outcome)
        .where(col(Outcome.task_id).in_(task_ids))
        .order_by(col(Outcome.recorded_at), col(Outcome.id))
    ).all()
    return {row.task_id: row for row in rows}


# --- plans -----------------------------------------------------------------------------------


def current_plan(session: Session, station_id: int, day: date) -> Plan | None:
    """The newest draft of the day, else its published version."""
    return session.exec(
        select(Plan)
        .where(
            Plan.station_id == station_id,
            Plan.service_date == day,
            col(Plan.status).in_((PlanStatus.DRAFT, PlanStatus.PUBLISHED)),
        )
        .order_by(col(Plan.status) == PlanStatus.PUBLISHED, col(Plan.id).desc())
    ).first()


def plans_of_day(session: Session, station_id: int, day: date, status: PlanStatus) -> list[Plan]:
    return list(
        session.exec(
            select(Plan).where(
                Plan.station_id == station_id, Plan.service_date == day, Plan.status == status
            )
        ).all()
    )


def newest_version(session: Session, station_id: int, day: date) -> int:
    """The highest version number of the day's plans, 0 if there is none."""
    newest = session.exec(
        select(func.max(Plan.version)).where(
            Plan.station_id == station_id, Plan.service_date == day
        )
    ).one()
    return newest or 0


def bump_revision(session: Session, plan: Plan) -> bool:
    """Compare-and-set of the plan's revision in one statement: of two saves made on the same
    revision, only one succeeds, even at the same moment. False: someone else was first."""
    bumped = session.execute(
        update(Plan)
        .where(col(Plan.id) == plan.id, col(Plan.revision) == plan.revision)
        .values(revision=Plan.revision + 1, updated_at=utcnow())
    )
    return bool(bumped.rowcount == 1)  # type: ignore[attr-defined]


# --- routes and stops ------------------------------------------------------------------------


def routes(session: Session, plan_id: int) -> list[PlanRoute]:
    return list(session.exec(select(PlanRoute).where(PlanRoute.plan_id == plan_id)).all())


def routes_of_volunteer(session: Session, plan_id: int, volunteer_id: int) -> list[PlanRoute]:
    return list(
        session.exec(
            select(PlanRoute).where(
                PlanRoute.plan_id == plan_id, PlanRoute.volunteer_id == volunteer_id
            )
        ).all()
    )


def routes_with_volunteers(session: Session, plan_id: int) -> list[tuple[PlanRoute, Volunteer]]:
    """The plan's routes with their volunteers, by the volunteers' names."""
    return list(
        session.exec(
            select(PlanRoute, Volunteer)
            .join(Volunteer, col(Volunteer.id) == PlanRoute.volunteer_id)
            .where(PlanRoute.plan_id == plan_id)
            .order_by(col(Volunteer.name), col(PlanRoute.id))
        ).all()
    )


def stops(session: Session, plan_id: int) -> list[PlanStop]:
    return list(session.exec(select(PlanStop).where(PlanStop.plan_id == plan_id)).all())


def stops_of_route(session: Session, route_id: int) -> list[PlanStop]:
    return list(session.exec(select(PlanStop).where(PlanStop.route_id == route_id)).all())


def stops_of_task(session: Session, plan_id: int, task_id: int) -> list[PlanStop]:
    """A task's stops in the plan: its pickup (if any) and its door."""
    return list(
        session.exec(
            select(PlanStop).where(PlanStop.plan_id == plan_id, PlanStop.task_id == task_id)
        ).all()
    )


def door_of_task(session: Session, plan_id: int, task_id: int) -> PlanStop:
    return session.exec(
        select(PlanStop).where(
            PlanStop.plan_id == plan_id,
            PlanStop.task_id == task_id,
            PlanStop.kind == StopKind.DOOR,
        )
    ).one()


def stops_pinned_to(session: Session, plan_id: int, volunteer_id: int) -> list[PlanStop]:
    return list(
        session.exec(
            select(PlanStop).where(
                PlanStop.plan_id == plan_id, PlanStop.pinned_volunteer_id == volunteer_id
            )
        ).all()
    )


def stops_with_routes(
    session: Session, plan_id: int, *, planned_only: bool = False
) -> Sequence[tuple[PlanStop, PlanRoute | None]]:
    """The plan's stops in route order, each with its route (None: unplanned)."""
    return session.exec(
        select(PlanStop, PlanRoute)
        .join(PlanRoute, col(PlanRoute.id) == PlanStop.route_id, isouter=not planned_only)
        .where(PlanStop.plan_id == plan_id)
        .order_by(col(PlanStop.route_id), col(PlanStop.position))
    ).all()


def stops_with_clients(session: Session, plan_id: int) -> Sequence[tuple[PlanStop, Task, Client]]:
    """The plan's stops in route order, each with its task and client."""
    return session.exec(
        select(PlanStop, Task, Client)
        .join(Task, col(Task.id) == PlanStop.task_id)
        .join(Client, col(Client.id) == Task.client_id)
        .where(PlanStop.plan_id == plan_id)
        .order_by(col(PlanStop.route_id), col(PlanStop.position), col(PlanStop.id))
    ).all()


def regulars_of(session: Session, client_ids: Collection[int]) -> dict[int, list[int]]:
    """The regular volunteers of each of these clients (an empty list for one with none)."""
    if not client_ids:
        return {}
    rows = session.exec(
        select(Client.id, Client.preferred_volunteer_ids).where(col(Client.id).in_(client_ids))
    ).all()
    return {client_id: list(ids or []) for client_id, ids in rows if client_id is not None}


def planned_stops_for_sheets(
    session: Session, plan_id: int
) -> Sequence[tuple[PlanStop, PlanRoute, Task, Client]]:
    """The plan's planned stops with route, task and client, in route order."""
    return session.exec(
        select(PlanStop, PlanRoute, Task, Client)
        .join(PlanRoute, col(PlanRoute.id) == PlanStop.route_id)
        .join(Task, col(Task.id) == PlanStop.task_id)
        .join(Client, col(Client.id) == Task.client_id)
        .where(PlanStop.plan_id == plan_id)
        .order_by(col(PlanStop.route_id), col(PlanStop.position))
    ).all()


# --- what plans refer to ---------------------------------------------------------------------


def sites_of_station(session: Session, station_id: int) -> dict[int | None, Site]:
    return {
        site.id: site
        for site in session.exec(select(Site).where(Site.station_id == station_id)).all()
    }


def volunteers_of_station(session: Session, station_id: int) -> dict[int | None, Volunteer]:
    return {
        v.id: v for v in session.exec(select(Volunteer).where(Volunteer.station_id == station_id))
    }


def menus_of_day(session: Session, station_id: int, day: date) -> list[Menu]:
    return list(
        session.exec(
            select(Menu).where(
                Menu.station_id == station_id,
                Menu.service_date == day,
                col(Menu.archived_at).is_(None),
            )
        ).all()
    )
