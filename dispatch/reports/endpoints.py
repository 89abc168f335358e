"""Completion figures over HTTP, and the stops behind each figure."""

from datetime import date

from fastapi import APIRouter

from dispatch.deps import PrincipalDep, SessionDep
from dispatch.errors import Forbidden, InvalidInput, NotFound
from dispatch.http import error_responses
from dispatch.reports.completion import Figure, across_stations, completion, stops_behind
from dispatch.reports.history import client_history, volunteer_hours
from dispatch.reports.risks import risk_signals
from dispatch.reports.schemas import (
    AcrossStations,
    ClientHistory,
    ClientRisk,
    Completion,
    StopRow,
    VolunteerHours,
)

router = APIRouter(tags=["completion"])


@router.get(
    "/api/stations/{station_id}/completion",
    response_model=Completion,
    responses=error_responses(Forbidden, NotFound, InvalidInput),
)
def figures(
    station_id: int,
    first: date,
    last: date,
    session: SessionDep,
    principal: PrincipalDep,
    team: int | None = None,
) -> Completion:
    """Planned, delivered (late), missed (why), unplanned; alerts and time to resolve
    them; distance, volunteers and their hours; per day, for charts; per team. `team`:
    that team's only (its clients' stops and alerts, its volunteers' routes and hours)."""
    return completion(session, principal, station_id, first, last, team)


@router.get(
    "/api/completion",
    response_model=AcrossStations,
    responses=error_responses(Forbidden, InvalidInput),
)
def across(first: date, last: date, session: SessionDep, principal: PrincipalDep) -> AcrossStations:
    """Every station the user reaches, side by side, with their sums."""
    return across_stations(session, principal, first, last)


@router.get(
    "/api/stations/{station_id}/completion/stops",
    response_model=list[StopRow],
    responses=error_responses(Forbidden, NotFound, InvalidInput),
)
def behind(
    station_id: int,
    first: date,
    last: date,
    figure: Figure,
    session: SessionDep,
    principal: PrincipalDep,
    reason: str | None = None,
    team: int | None = None,
) -> list[StopRow]:
    """The stops a figure counts (missed ones of one `reason`, if given; of one `team`'s
    clients, if given)."""
    return stops_behind(session, principal, station_id, first, last, figure, reason, team)


@router.get(
    "/api/stations/{station_id}/risks",
    response_model=list[ClientRisk],
    tags=["completion"],
    responses=error_responses(Forbidden, NotFound),
)
def risks(
    station_id: int, first: date, last: date, session: SessionDep, principal: PrincipalDep
) -> list[ClientRisk]:
    """Clients with repeated no-answers or refusals, frequent holds or a concern in the
    period, with the events behind each signal, for the social worker."""
    return risk_signals(session, principal, station_id, first, last)


@router.get(
    "/api/clients/{client_id}/history",
    response_model=ClientHistory,
    tags=["history"],
    responses=error_responses(Forbidden, NotFound),
)
def history(client_id: int, session: SessionDep, principal: PrincipalDep) -> ClientHistory:
    """Every delivery and visit of the client, newest first, with what happened."""
    return client_history(session, principal, client_id)


@router.get(
    "/api/volunteers/{volunteer_id}/hours",
    response_model=VolunteerHours,
    tags=["history"],
    responses=error_responses(Forbidden, NotFound),
)
def hours(
    volunteer_id: int, first: date, last: date, session: SessionDep, principal: PrincipalDep
) -> VolunteerHours:
    """The volunteer's service hours per day, from their recorded start and finish (a
    volunteer may ask for their own)."""
    return volunteer_hours(session, principal, volunteer_id, first, last)
