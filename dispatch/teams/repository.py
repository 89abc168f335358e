"""Queries of teams: who belongs to one."""

from sqlalchemy import select
from sqlmodel import Session, col

from models import Client, Team, Volunteer


def members(session: Session, team_id: int) -> tuple[set[int], set[int]]:
    """The team's clients and volunteers (ids)."""
    clients = session.execute(select(col(Client.id)).where(col(Client.team_id) == team_id))
    volunteers = session.execute(select(col(Volunteer.id)).where(col(Volunteer.team_id) == team_id))
    return {int(c) for (c,) in clients}, {int(v) for (v,) in volunteers}


def of_stations(session: Session, station_ids: frozenset[int] | None) -> list[Team]:
    """The teams of these stations (None: of every station)."""
    query = select(Team).where(col(Team.archived_at).is_(None))
    if station_ids is not None:
        query = query.where(col(Team.station_id).in_(station_ids))
    return list(session.scalars(query))
