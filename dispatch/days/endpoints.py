"""A station's day over HTTP: its tasks and who is free; closures as records."""

from datetime import date

from fastapi import APIRouter

from dispatch.deps import PrincipalDep, SessionDep
from dispatch.errors import Forbidden, NotFound
from dispatch.records.endpoints import error_responses, record_router
from dispatch.services import Services
from models import (
    ClosureCreate,
    ClosurePublic,
    ClosureUpdate,
    DayWork,
    MenuCreate,
    MenuPublic,
    MenuUpdate,
)


def build_router(services: Services) -> APIRouter:
    router = APIRouter(tags=["days"])

    @router.get(
        "/api/stations/{station_id}/days/{day}",
        response_model=DayWork,
        responses=error_responses(Forbidden, NotFound),
    )
    def get_day(
        station_id: int, day: date, session: SessionDep, principal: PrincipalDep
    ) -> DayWork:
        """The day as stored: whether the station works, its tasks, and who is free."""
        return services.days.get(session, principal, station_id, day)

    @router.post(
        "/api/stations/{station_id}/days/{day}/generate",
        response_model=DayWork,
        responses=error_responses(Forbidden, NotFound),
    )
    def generate_day(
        station_id: int, day: date, session: SessionDep, principal: PrincipalDep
    ) -> DayWork:
        """Derive the day's tasks from the schedules; safe to repeat. Tasks already planned
        or done are never dropped: if no longer due, they are kept with the reason."""
        return services.days.generate(session, principal, station_id, day)

    router.include_router(
        record_router(
            services.closures,
            prefix="/api/closures",
            label="closures",
            public=ClosurePublic,
            create=ClosureCreate,
            update=ClosureUpdate,
        )
    )
    router.include_router(
        record_router(
            services.menus,
            prefix="/api/menus",
            label="menus",
            public=MenuPublic,
            create=MenuCreate,
            update=MenuUpdate,
        )
    )
    return router
