"""Clients the doors say are away: the last word from their door this week was "not home /
in hospital", or a no-answer that ended with the client found in hospital or away. Their
service runs on until a coordinator pauses it, which the day's page offers, or hears they are
home after all, which answers the doors' word up to that day."""

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.clients import repository
from dispatch.days.rules import heard_home_since, why_client_away
from models import Station
from models.enums import OutcomeKind, Resolution

# How far back the doors are read: a week of service days.
LOOK_BACK = timedelta(days=6)
Said = Literal["not_home", "in_hospital", "away"]
_AWAY: dict[Resolution, Said] = {Resolution.IN_HOSPITAL: "in_hospital", Resolution.AWAY: "away"}


class AwayLately(BaseModel):
    client_id: int
    client_name: str
    said: Said
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
    last: dict[int, Any] = {}  # each client's last word from the door (events oldest first)
    for event in repository.door_events(session, station_id, day - LOOK_BACK, day):
        last[event.client_id] = event
    away = {c: (e, said) for c, e in last.items() if (said := _said(e)) is not None}
    clients = repository.clients_by_id(session, set(away))
    return sorted(
        (
            AwayLately(
                client_id=client_id,
                client_name=clients[client_id].name,
                said=said,
                service_date=event.service_date,
                volunteer_name=event.volunteer_name,
                note=event.note,
            )
            for client_id, (event, said) in away.items()
            if why_client_away(clients[client_id], day + timedelta(days=1)) is None
            and not heard_home_since(clients[client_id], event.service_date)
        ),
        key=lambda word: (word.service_date, word.client_name),
        reverse=True,
    )


def _said(event: Any) -> Said | None:
    """What a door's event says of the client's whereabouts, if it says they are away."""
    if event.kind is OutcomeKind.NOT_HOME:
        return "not_home"
    return _AWAY.get(event.resolution) if event.kind is OutcomeKind.NO_ANSWER else None
