"""Queries for users, their stations and their tokens."""

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from models import AuthToken, Station, User, UserStation, Volunteer


def user_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(col(User.username) == username)).first()


def token_by_hash(session: Session, token_hash: str) -> AuthToken | None:
    return session.exec(select(AuthToken).where(col(AuthToken.token_hash) == token_hash)).first()


# Built once: each token a server process does not know yet asks both.
_TOKEN_WITH_USER = (
    select(AuthToken, User, Volunteer.station_id)
    .join(User, col(User.id) == col(AuthToken.user_id))
    .outerjoin(Volunteer, col(Volunteer.id) == col(User.volunteer_id))
    .where(col(AuthToken.token_hash) == bindparam("token_hash"))
)
_STATION_IDS = select(UserStation.station_id).where(
    col(UserStation.user_id) == bindparam("user_id")
)


def token_with_user(session: Session, token_hash: str) -> tuple[AuthToken, User, int | None] | None:
    """The token, its user and, for a volunteer, their station, in one query."""
    found = session.exec(_TOKEN_WITH_USER, params={"token_hash": token_hash}).first()
    return None if found is None else (found[0], found[1], found[2])


def station_ids(session: Session, user_id: int) -> list[int]:
    return sorted(session.exec(_STATION_IDS, params={"user_id": user_id}).all())


def set_station_ids(session: Session, user_id: int, ids: list[int]) -> None:
    for link in session.exec(select(UserStation).where(col(UserStation.user_id) == user_id)):
        session.delete(link)
    session.flush()
    for station_id in sorted(set(ids)):
        session.add(UserStation(user_id=user_id, station_id=station_id))
    session.flush()


def active_tokens(session: Session, user_id: int) -> list[AuthToken]:
    query = select(AuthToken).where(
        col(AuthToken.user_id) == user_id, col(AuthToken.revoked_at).is_(None)
    )
    return list(session.exec(query).all())


def volunteer(session: Session, volunteer_id: int) -> Volunteer | None:
    return session.get(Volunteer, volunteer_id)


def station_locale(session: Session, station_id: int) -> str | None:
    return session.exec(select(Station.locale).where(col(Station.id) == station_id)).first()
