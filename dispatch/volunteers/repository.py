"""Queries for volunteers beyond the generic record ones."""

from sqlmodel import Session, col, select

from models import Volunteer


def volunteer_of_client(session: Session, client_id: int) -> Volunteer | None:
    """The volunteer record of a client who volunteers, if any."""
    return session.exec(select(Volunteer).where(col(Volunteer.client_id) == client_id)).first()


def volunteers_of_clients(session: Session, client_ids: set[int]) -> dict[int, int]:
    """Client id -> the volunteer id of the same person, for the clients who volunteer."""
    if not client_ids:
        return {}
    rows = session.exec(
        select(Volunteer.client_id, Volunteer.id).where(col(Volunteer.client_id).in_(client_ids))
    )
    return {client: volunteer for client, volunteer in rows if client and volunteer}


def members_by_team(session: Session, volunteer_ids: list[int]) -> dict[int, set[int]]:
    """Team id -> which of these volunteers belong to it."""
    if not volunteer_ids:
        return {}
    rows = session.exec(
        select(Volunteer.team_id, Volunteer.id).where(
            col(Volunteer.id).in_(volunteer_ids), col(Volunteer.team_id).is_not(None)
        )
    )
    members: dict[int, set[int]] = {}
    for team, volunteer in rows:
        if team is not None and volunteer is not None:
            members.setdefault(team, set()).add(volunteer)
    return members
