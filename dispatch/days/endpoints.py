"""A station's day over HTTP: its tasks and who is free; closures and menus as records."""

from datetime import date

from fastapi import APIRouter

from dispatch.crud.endpoints import record_router
from dispatch.days.schemas import (
    ClosureCreate,
    ClosurePublic,
    ClosureUpdate,
    DayWork,
    MenuCreate,
    MenuPublic,
    MenuUpdate,
)
from dispatch.deps import DaysDep, PrincipalDep, SessionDep, closure_service, menu_service
from dispatch.errors import Forbidden, NotFound
from dispatch.http import error_responses

router = APIRouter(tags=["days"])


@router.get(
    "/api/stations/{station_id}/days/{day}",
    response_model=DayWork,
    responses=error_responses(Forbidden, NotFound),
)
def get_day(
    station_id: int, day: date, days: DaysDep, session: SessionDep, principal: PrincipalDep
) -> DayWork:
    """The day as stored: whether the station works, its tasks, and who is free."""
    return days.get(session, principal, station_id, day)


@router.post(
    "/api/stations/{station_id}/days/{day}/generate",
    response_model=DayWork,
    responses=error_responses(Forbidden, NotFound),
)
def generate_day(
    station_id: int, day: date, days: DaysDep, session: SessionDep, principal: PrincipalDep
) -> DayWork:
    """Derive the day's tasks from the schedules; safe to repeat. Tasks already planned
    or done are never dropped: if no longer due, they are kept with the reason."""
    return days.generate(session, principal, station_id, day)


router.include_router(
    record_router(
        closure_service,
        prefix="/api/closures",
        label="closures",
        public=ClosurePublic,
        create=ClosureCreate,
        update=ClosureUpdate,
    )
)
router.include_router(
    record_router(
        menu_service,
        prefix="/api/menus",
        label="menus",
        public=MenuPublic,
        create=MenuCreate,
        update=MenuUpdate,
    )
)
