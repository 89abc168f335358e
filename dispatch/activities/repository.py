"""Queries of activities and invitations."""

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from models import Activity, Invitation


def activities_between(
    session: Session, station_id: int, first: date, last: date
) -> Sequence[Activity]:
    return session.exec(
        select(Activity).where(
            Activity.station_id == station_id,
            col(Activity.service_date) >= first,
            col(Activity.service_date) <= last,
            col(Activity.archived_at).is_(None),
        )
    ).all()


def invitations_of(session: Session, activity_ids: list[int]) -> Sequence[Invitation]:
    return session.exec(
        select(Invitation).where(
            col(Invitation.activity_id).in_(activity_ids), col(Invitation.archived_at).is_(None)
        )
    ).all()
