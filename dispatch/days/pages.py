"""The day's work from the board: derive its tasks from the schedules."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dispatch.deps import DaysDep, SessionDep
from dispatch.web.kit import action

router = APIRouter(include_in_schema=False)


@router.post("/days/{station_id}/{day}/generate", response_model=None)
def generate(
    station_id: int, day: date, request: Request, session: SessionDep, days: DaysDep
) -> Response:
    return action(
        request,
        session,
        f"/days/{station_id}/{day}",
        lambda who: days.generate(session, who, station_id, day),
    )
