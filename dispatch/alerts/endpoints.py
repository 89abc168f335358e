"""Alerts over HTTP: a station's feed, the steps taken, the resolution."""

from datetime import date

from fastapi import APIRouter

from dispatch.alerts import service
from dispatch.alerts.schemas import AlertPublic, ResolutionCreate, StepCreate
from dispatch.deps import PrincipalDep, SessionDep
from dispatch.errors import Conflict, Forbidden, NotFound
from dispatch.http import error_responses
from models.enums import AlertStatus

router = APIRouter(tags=["alerts"])


@router.get(
    "/api/stations/{station_id}/alerts",
    response_model=list[AlertPublic],
    responses=error_responses(Forbidden, NotFound),
)
def feed(
    station_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    status: AlertStatus | None = None,
    day: date | None = None,
    last: date | None = None,
) -> list[AlertPublic]:
    """The station's alerts, newest first, each with its ladder: every step's due time,
    who took it and the result; `overdue` marks a step due and not taken. `day` (to
    `last`): those raised at the stops of those service days."""
    return service.alerts_of(session, principal, station_id, status=status, day=day, last=last)


@router.get(
    "/api/alerts/{alert_id}",
    response_model=AlertPublic,
    responses=error_responses(Forbidden, NotFound),
)
def one(alert_id: int, session: SessionDep, principal: PrincipalDep) -> AlertPublic:
    return service.alert(session, principal, alert_id)


@router.post(
    "/api/alerts/{alert_id}/steps",
    response_model=AlertPublic,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def step(
    alert_id: int, body: StepCreate, session: SessionDep, principal: PrincipalDep
) -> AlertPublic:
    """Record a step of the ladder as taken, with its result."""
    return service.take_step(session, principal, alert_id, body)


@router.post(
    "/api/alerts/{alert_id}/resolve",
    response_model=AlertPublic,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def resolve(
    alert_id: int, body: ResolutionCreate, session: SessionDep, principal: PrincipalDep
) -> AlertPublic:
    """Close the alert with its resolution; nothing else closes it."""
    return service.resolve(session, principal, alert_id, body)
