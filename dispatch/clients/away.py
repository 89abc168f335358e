"""Clients the doors say are away: the last word from their door this week was "not home /
in hospital", or a no-answer that ended with the client found in hospital or away. Their
service runs on until a coordinator pauses it; the day's page offers to."""

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.clients import repository
from dispatch.days.rules import why_client_away
from models import Station
from models.enums import OutcomeKind, Resolution

# How far back the doors are read: a week of service days.
LOOK_BACK = timedelta(days=6)
_AWAY = {Resolution.IN_HOSPITAL: "in_hospital", Resolution.AWAY: "away"}


class AwayLately(BaseModel):
    client_id: int
    client_name: str
    said: Literal["not_home", "in_hospital", "away"]
    service_date: date
    volunteer_name: str
    note: str


def away_lately(
    session: Session, principal: Principal, station_id: int, day: date
) -> list[AwayLately]:
    """The station's clients whose last word from the door, on the week up to `day`, says
    they are away, and whose service is not paused for the day after: each with what was
    said, when and by whom."""
    require(principal, Resource.CLIENT, Action.UPDATE)
    reachable(session, principal, Station, station_id, "station")
    last_word: dict[int, AwayLately | None] = {}
    for event in repository.door_events(session, station_id, day - LOOK_BACK, day):
        said = (
            "not_home"
            if event.kind is OutcomeKind.NOT_HOME
            else _AWAY.get(event.resolution)
            if event.kind is OutcomeKind.NO_ANSWER
            else None
        )
        last_word[event.client_id] = (
            None
            if said is None
            else AwayLately(
                client_id=event.client_id,
                client_name="",
                said=said,
                service_date=event.service_date,
                volunteer_name=event.volunteer_name,
                note=event.note,
            )
        )
    away = {client_id: word for client_id, word in last_word.items() if word is not None}
    clients = repository.clients_by_id(session, set(away))
    return sorted(
        (
            word.model_copy(update={"client_name": clients[client_id].name})
            for client_id, word in away.items()
            if why_client_away(clients[client_id], day + timedelta(days=1)) is None
        ),
        key=lambda word: (word.service_date, word.client_name),
        reverse=True,
    )
