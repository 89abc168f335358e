"""A volunteer's own routes over HTTP."""

from datetime import date, datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from dispatch.deps import PrincipalDep, SessionDep
from dispatch.errors import Conflict, Forbidden, NotFound
from dispatch.myroute.outcomes import (
    mark_round,
    outcomes_of,
    record_outcome,
    record_paper_outcome,
)
from dispatch.myroute.service import MyRoute, my_days, my_route
from dispatch.records.endpoints import error_responses
from dispatch.services import Services
from models import OutcomeCreate, OutcomePublic
from models.enums import RoundEvent


def build_router(services: Services) -> APIRouter:
    router = APIRouter(tags=["my route"])

    @router.get("/api/me/days", response_model=list[date], responses=error_responses(Forbidden))
    def days(session: SessionDep, principal: PrincipalDep, since: date) -> list[date]:
        """Days from `since` on which a published plan gives me a route."""
        return my_days(session, principal, since)

    @router.get(
        "/api/me/routes/{day}",
        response_model=MyRoute,
        responses=error_responses(Forbidden, NotFound),
    )
    def route(day: date, session: SessionDep, principal: PrincipalDep) -> MyRoute:
        """My published route of the day: what to collect where, then each door in order."""
        return my_route(session, principal, day)

    @router.post(
        "/api/me/stops/{stop_id}/outcomes",
        response_model=OutcomePublic,
        status_code=status.HTTP_201_CREATED,
        responses={
            200: {"description": "Already stored: the event as it was stored"},
            **error_responses(Forbidden, NotFound, Conflict),
        },
    )
    def record(
        stop_id: int,
        body: OutcomeCreate,
        response: Response,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> OutcomePublic:
        """Record what happened at my stop. The same client_event_id again stores nothing
        and answers 200 with the first event; a correction is a new event."""
        stored = record_outcome(session, principal, stop_id, body)
        if stored.duplicate:
            response.status_code = status.HTTP_200_OK
        return stored

    @router.get(
        "/api/me/stops/{stop_id}/outcomes",
        response_model=list[OutcomePublic],
        responses=error_responses(Forbidden),
    )
    def history(stop_id: int, session: SessionDep, principal: PrincipalDep) -> list[OutcomePublic]:
        return outcomes_of(session, principal, stop_id)

    @router.post(
        "/api/stops/{stop_id}/outcomes",
        response_model=OutcomePublic,
        status_code=status.HTTP_201_CREATED,
        tags=["outcomes"],
        responses={
            200: {"description": "Already stored: the event as it was stored"},
            **error_responses(Forbidden, NotFound, Conflict),
        },
    )
    def record_from_paper(
        stop_id: int,
        body: OutcomeCreate,
        response: Response,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> OutcomePublic:
        """A coordinator enters an outcome ticked on a paper route sheet: stored as the
        route's volunteer's, marked entered_by_coordinator."""
        stored = record_paper_outcome(session, principal, stop_id, body)
        if stored.duplicate:
            response.status_code = status.HTTP_200_OK
        return stored

    @router.post(
        "/api/me/routes/{day}/{event}",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=error_responses(Forbidden, NotFound),
    )
    def mark(
        day: date,
        event: RoundEvent,
        body: RoundMarkRequest,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> None:
        """The start or the finish of my round (volunteer hours); idempotent by event id."""
        mark_round(session, principal, day, event, body.client_event_id, body.recorded_at)

    return router


class RoundMarkRequest(BaseModel):
    client_event_id: str = Field(min_length=8, max_length=64)
    recorded_at: datetime
