"""Reads about clients beyond their records: what the doors said of them lately."""

from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import Alert, Client, Outcome, Task, Volunteer


def door_events(session: Session, station_id: int, first: date, last: date) -> list[Any]:
    """The outcomes recorded at the station's doors on service days `first` to `last`,
    oldest first, each with its day, client, volunteer's name and the resolution of the
    alert it raised (if any)."""
    rows = session.execute(
        sa_select(
            col(Task.client_id),
            col(Task.service_date),
            col(Outcome.kind),
            col(Outcome.note),
            col(Outcome.recorded_at),
            col(Outcome.id),
            col(Volunteer.name).label("volunteer_name"),
            col(Alert.resolution),
        )
        .select_from(Outcome)
        .join(Task, col(Task.id) == col(Outcome.task_id))
        .join(Volunteer, col(Volunteer.id) == col(Outcome.volunteer_id))
        .outerjoin(Alert, col(Alert.outcome_id) == col(Outcome.id))
        .where(
            col(Outcome.station_id) == station_id,
            col(Task.service_date) >= first,
            col(Task.service_date) <= last,
        )
        .order_by(col(Task.service_date), col(Outcome.recorded_at), col(Outcome.id))
    ).all()
    return list(rows)


def clients_by_id(session: Session, ids: set[int]) -> dict[int, Client]:
    if not ids:
        return {}
    rows = session.exec(select(Client).where(col(Client.id).in_(ids))).all()
    return {client.id: client for client in rows if client.id is not None}
