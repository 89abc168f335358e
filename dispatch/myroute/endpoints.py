"""A volunteer's own routes over HTTP."""

from datetime import date

from fastapi import APIRouter

from dispatch.deps import PrincipalDep, SessionDep
from dispatch.errors import Forbidden, NotFound
from dispatch.myroute.service import MyRoute, my_days, my_route
from dispatch.records.endpoints import error_responses
from dispatch.services import Services


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

    return router
