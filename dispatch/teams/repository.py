"""Queries of teams: who belongs to one."""

from sqlalchemy import select
from sqlmodel import Session, col

from models import Client, Team, Volunteer


def members(session: Session, team_id: int) -> tuple[set[int], set[int]]:
    """The team's clients and volunteers (ids)."""
    clients = session.execute(select(col(Client.id)).where(col(Client.team_id) == team_id))
    volunteers = session.execute(select(col(Volunteer.id)).where(col(Volunteer.team_id) == team_id))
    return {int(c) for (c,) in clients}, {int(v) for (v,) in volunteers}


def of_station(session: Session, station_id: int) -> list[Team]:
    return list(
        session.scalars(
            select(Team).where(col(Team.station_id) == station_id, col(Team.archived_at).is_(None))
        )
    )
