"""Queries behind a station's day; they flush, never commit."""

from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from models import (
    Activity,
    Availability,
    Client,
    Invitation,
    ServiceSchedule,
    StationClosure,
    Task,
    Volunteer,
)


def closures_on(session: Session, station_id: int, day: date) -> list[StationClosure]:
    query = select(StationClosure).where(
        StationClosure.station_id == station_id,
        col(StationClosure.archived_at).is_(None),
        StationClosure.date_from <= day,
        StationClosure.date_to >= day,
    )
    return list(session.exec(query).all())


def schedules_running(
    session: Session, station_id: int, day: date
) -> list[tuple[ServiceSchedule, Client]]:
    """Schedules of the station whose dates include the day, with their clients."""
    query = (
        select(ServiceSchedule, Client)
        .join(Client, col(Client.id) == ServiceSchedule.client_id)
        .where(
            ServiceSchedule.station_id == station_id,
            col(ServiceSchedule.archived_at).is_(None),
            ServiceSchedule.start_date <= day,
            or_(col(ServiceSchedule.end_date).is_(None), col(ServiceSchedule.end_date) >= day),
        )
        .order_by(col(ServiceSchedule.id))
    )
    return [(schedule, client) for schedule, client in session.exec(query).all()]


def escorts_wanted(
    session: Session, station_id: int, day: date
) -> list[tuple[Invitation, Activity, Client]]:
    """Invitations to the station's activities of the day whose client cannot come alone."""
    query = (
        select(Invitation, Activity, Client)
        .join(Activity, col(Activity.id) == Invitation.activity_id)
        .join(Client, col(Client.id) == Invitation.client_id)
        .where(
            Activity.station_id == station_id,
            Activity.service_date == day,
            col(Activity.archived_at).is_(None),
            col(Invitation.archived_at).is_(None),
            col(Invitation.needs_escort).is_(True),
        )
        .order_by(col(Invitation.id))
    )
    return [(invitation, activity, client) for invitation, activity, client in session.exec(query)]


def client_names(session: Session, client_ids: set[int]) -> dict[int, str]:
    """The clients' names, by id."""
    rows = session.exec(select(Client.id, Client.name).where(col(Client.id).in_(client_ids)))
    return {client_id: name for client_id, name in rows.all() if client_id is not None}


def tasks_on(session: Session, station_id: int, day: date) -> list[Task]:
    query = (
        select(Task)
        .where(Task.station_id == station_id, Task.service_date == day)
        .order_by(col(Task.window_start), col(Task.client_id), col(Task.id))
    )
    return list(session.exec(query).all())


def volunteers_with_availability(
    session: Session, station_id: int, day: date
) -> list[tuple[Volunteer, list[Availability]]]:
    """Active volunteers of the station, each with their weekly slots and the dated entries
    (leave, extra days) that touch the day."""
    volunteers = session.exec(
        select(Volunteer)
        .where(
            Volunteer.station_id == station_id,
            col(Volunteer.archived_at).is_(None),
            col(Volunteer.active).is_(True),
        )
        .order_by(col(Volunteer.name), col(Volunteer.id))
    ).all()
    entries = session.exec(
        select(Availability).where(
            Availability.station_id == station_id,
            col(Availability.archived_at).is_(None),
            or_(
                col(Availability.weekday).is_not(None),
                (col(Availability.date_from) <= day)
                & or_(
                    col(Availability.date_to).is_(None) & (col(Availability.date_from) == day),
                    col(Availability.date_to) >= day,
                ),
            ),
        )
    ).all()
    by_volunteer: dict[int, list[Availability]] = {}
    for entry in entries:
        by_volunteer.setdefault(entry.volunteer_id, []).append(entry)
    return [(v, by_volunteer.get(v.id or 0, [])) for v in volunteers]
