"""Planning from the board: plan the day, adjust by hand, publish; kitchen and pharmacy
sheets and meal labels to print."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from dispatch.access import Principal
from dispatch.deps import PlanEditsDep, PlanningDep, SessionDep, StationsDep
from dispatch.i18n import translations
from dispatch.planning.schemas import (
    PLAN_TIME_LIMIT_SECONDS,
    REPLAN_TIME_LIMIT_SECONDS,
    Edit,
    LockRoute,
    MoveStop,
    PinStop,
    PlanningRequest,
)
from dispatch.planning.sheets import day_sheets
from dispatch.web.forms import VIOLATIONS
from dispatch.web.kit import PageUserDep, action, back_with, language, printout

router = APIRouter(include_in_schema=False)


@router.post("/days/{station_id}/{day}/plan", response_model=None)
def plan_day(
    station_id: int,
    day: date,
    request: Request,
    session: SessionDep,
    planning: PlanningDep,
    seconds: Annotated[float, Form()] = PLAN_TIME_LIMIT_SECONDS,
) -> Response:
    """Start planning the day; the board follows the job's progress."""
    body = PlanningRequest(time_limit_seconds=seconds)
    return action(
        request,
        session,
        f"/days/{station_id}/{day}",
        lambda who: planning.start(session, who, station_id, day, body),
    )


@router.post("/plans/{plan_id}/publish", response_model=None)
def publish(
    plan_id: int,
    request: Request,
    session: SessionDep,
    edits: PlanEditsDep,
    revision: Annotated[int, Form()],
    back: Annotated[str, Form()],
) -> Response:
    return action(
        request,
        session,
        back,
        lambda who: edits.publish(session, who, plan_id, Edit(revision=revision)),
    )


@router.post("/plans/{plan_id}/routes/{route_id}/lock", response_model=None)
def lock(
    plan_id: int,
    route_id: int,
    request: Request,
    session: SessionDep,
    edits: PlanEditsDep,
    revision: Annotated[int, Form()],
    locked: Annotated[bool, Form()],
    back: Annotated[str, Form()],
) -> Response:
    edit = LockRoute(revision=revision, locked=locked)
    return action(
        request, session, back, lambda who: edits.lock_route(session, who, plan_id, route_id, edit)
    )


@router.post("/plans/{plan_id}/stops/{stop_id}/move", response_model=None)
def move(
    plan_id: int,
    stop_id: int,
    request: Request,
    session: SessionDep,
    edits: PlanEditsDep,
    revision: Annotated[int, Form()],
    volunteer_id: Annotated[int, Form()],
    back: Annotated[str, Form()],
    position: Annotated[int | None, Form()] = None,
) -> Response:
    """Move a stop; its new time and what the new route breaks come back as a message."""
    notes: list[str] = []

    def do(who: Principal) -> None:
        edit = MoveStop(revision=revision, volunteer_id=volunteer_id, position=position)
        _plan, outcome = edits.move_stop(session, who, plan_id, stop_id, edit)
        gettext = translations(language(request)).gettext
        notes.append(f"{outcome.eta_before or '–'} → {outcome.eta_after or '–'}")
        kinds = dict.fromkeys(warning.kind for warning in outcome.warnings)
        notes.extend("⚠ " + gettext(VIOLATIONS.get(kind, kind)) for kind in kinds)

    response = action(request, session, back, do)
    if notes and response.headers.get("location") == back:
        return back_with(back, " · ".join(notes))
    return response


@router.post("/plans/{plan_id}/stops/{stop_id}/unpin", response_model=None)
def unpin(
    plan_id: int,
    stop_id: int,
    request: Request,
    session: SessionDep,
    edits: PlanEditsDep,
    revision: Annotated[int, Form()],
    back: Annotated[str, Form()],
) -> Response:
    """Let the planner choose the stop's volunteer again at the next re-plan."""
    edit = PinStop(revision=revision, volunteer_id=None)
    return action(
        request, session, back, lambda who: edits.pin_stop(session, who, plan_id, stop_id, edit)
    )


@router.post("/plans/{plan_id}/volunteers/{volunteer_id}/off", response_model=None)
def volunteer_off(
    plan_id: int,
    volunteer_id: int,
    request: Request,
    session: SessionDep,
    edits: PlanEditsDep,
    planning: PlanningDep,
    revision: Annotated[int, Form()],
    back: Annotated[str, Form()],
) -> Response:
    """Called in sick: off for the day, and the day re-planned at once."""

    def off_and_replan(who: Principal) -> None:
        plan = edits.volunteer_off(session, who, plan_id, volunteer_id, Edit(revision=revision))
        session.commit()
        again = PlanningRequest(time_limit_seconds=REPLAN_TIME_LIMIT_SECONDS)
        planning.start(session, who, plan.station_id, plan.service_date, again)

    return action(request, session, back, off_and_replan)


@router.get("/plans/{plan_id}/sheets", response_model=None)
@router.get("/plans/{plan_id}/sheets.pdf", response_model=None)
@router.get("/plans/{plan_id}/labels", response_model=None)
@router.get("/plans/{plan_id}/labels.pdf", response_model=None)
def sheets(
    plan_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    stations: StationsDep,
) -> Response:
    """Kitchen and pharmacy sheets, or meal labels: as a page, or as .pdf."""
    name, _dot, extension = request.url.path.rsplit("/", 1)[1].partition(".")
    made = day_sheets(session, principal, plan_id)
    station = stations.get(session, principal, made.station_id)
    return printout(
        f"{name}.html",
        language(request, station),
        f"{name}-{made.service_date}.pdf",
        as_pdf=extension == "pdf",
        station=station,
        service_date=made.service_date,
        sheets=made,
    )
