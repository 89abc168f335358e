"""Planning over HTTP: start a job, follow or cancel it, read the plans."""

from datetime import date

from fastapi import APIRouter, Request, status

from dispatch.deps import PlanEditsDep, PlanningDep, PrincipalDep, SessionDep
from dispatch.errors import Conflict, Forbidden, InvalidInput, NotFound
from dispatch.http import error_responses
from dispatch.planning.schemas import (
    DaySheets,
    Edit,
    LockRoute,
    MoveResult,
    MoveStop,
    PinStop,
    PlanningJobPublic,
    PlanningRequest,
    PlanPublic,
)
from dispatch.planning.service import plan_public
from dispatch.planning.sheets import day_sheets

router = APIRouter(tags=["planning"])


@router.post(
    "/api/stations/{station_id}/days/{day}/plan",
    response_model=PlanningJobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(Forbidden, NotFound, Conflict, InvalidInput),
)
def plan_day(
    station_id: int,
    day: date,
    body: PlanningRequest,
    request: Request,
    planning: PlanningDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> PlanningJobPublic:
    """Start planning the day's tasks in the background; poll the job for progress."""
    job = planning.start(session, principal, station_id, day, body)
    return PlanningJobPublic.model_validate(job)


@router.get(
    "/api/planning-jobs/{job_id}",
    response_model=PlanningJobPublic,
    responses=error_responses(Forbidden, NotFound),
)
def get_job(
    job_id: int, planning: PlanningDep, session: SessionDep, principal: PrincipalDep
) -> PlanningJobPublic:
    """The job's state and progress: elapsed time and the best cost so far."""
    return PlanningJobPublic.model_validate(planning.job(session, principal, job_id))


@router.post(
    "/api/planning-jobs/{job_id}/cancel",
    response_model=PlanningJobPublic,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def cancel_job(
    job_id: int, planning: PlanningDep, session: SessionDep, principal: PrincipalDep
) -> PlanningJobPublic:
    """Stop a running job; the day's earlier plans stay as they were."""
    return PlanningJobPublic.model_validate(planning.cancel(session, principal, job_id))


@router.get(
    "/api/stations/{station_id}/days/{day}/plan",
    response_model=PlanPublic,
    responses=error_responses(Forbidden, NotFound),
)
def current_plan(
    station_id: int, day: date, planning: PlanningDep, session: SessionDep, principal: PrincipalDep
) -> PlanPublic:
    """The day's current plan: the newest draft, else the published version."""
    return planning.latest(session, principal, station_id, day)


@router.get(
    "/api/plans/{plan_id}",
    response_model=PlanPublic,
    responses=error_responses(Forbidden, NotFound),
)
def get_plan(
    plan_id: int, planning: PlanningDep, session: SessionDep, principal: PrincipalDep
) -> PlanPublic:
    return planning.plan(session, principal, plan_id)


@router.post(
    "/api/plans/{plan_id}/routes/{route_id}/lock",
    response_model=PlanPublic,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def lock_route(
    plan_id: int,
    route_id: int,
    body: LockRoute,
    edits: PlanEditsDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> PlanPublic:
    """Lock a route (re-planning keeps it as it is) or unlock it."""
    plan = edits.lock_route(session, principal, plan_id, route_id, body)
    return plan_public(session, plan)


@router.post(
    "/api/plans/{plan_id}/stops/{stop_id}/pin",
    response_model=PlanPublic,
    responses=error_responses(Forbidden, NotFound, Conflict, InvalidInput),
)
def pin_stop(
    plan_id: int,
    stop_id: int,
    body: PinStop,
    edits: PlanEditsDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> PlanPublic:
    """Pin a task to a volunteer for re-planning (volunteer_id null: unpin)."""
    plan = edits.pin_stop(session, principal, plan_id, stop_id, body)
    return plan_public(session, plan)


@router.post(
    "/api/plans/{plan_id}/volunteers/{volunteer_id}/off",
    response_model=PlanPublic,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def volunteer_off(
    plan_id: int,
    volunteer_id: int,
    body: Edit,
    edits: PlanEditsDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> PlanPublic:
    """A volunteer called in sick: off for the day; re-plan to give their stops away."""
    plan = edits.volunteer_off(session, principal, plan_id, volunteer_id, body)
    return plan_public(session, plan)


@router.post(
    "/api/plans/{plan_id}/stops/{stop_id}/move",
    response_model=MoveResult,
    responses=error_responses(Forbidden, NotFound, Conflict, InvalidInput),
)
def move_stop(
    plan_id: int,
    stop_id: int,
    body: MoveStop,
    edits: PlanEditsDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> MoveResult:
    """Give the stop's task to a volunteer at a position of their route; the answer
    has the new times and a warning for every rule the route now breaks."""
    plan, outcome = edits.move_stop(session, principal, plan_id, stop_id, body)
    return MoveResult(plan=plan_public(session, plan), **outcome.model_dump())


@router.get(
    "/api/plans/{plan_id}/sheets",
    response_model=DaySheets,
    responses=error_responses(Forbidden, NotFound),
)
def sheets(plan_id: int, session: SessionDep, principal: PrincipalDep) -> DaySheets:
    """Counts per kitchen and pharmacy (in all, per route, with pickup times) and a
    label per meal, clashes with the client's allergies flagged."""
    return day_sheets(session, principal, plan_id)


@router.post(
    "/api/plans/{plan_id}/publish",
    response_model=PlanPublic,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def publish(
    plan_id: int, body: Edit, edits: PlanEditsDep, session: SessionDep, principal: PrincipalDep
) -> PlanPublic:
    """Publish the draft as the day's new version; changed routes need a re-check."""
    return plan_public(session, edits.publish(session, principal, plan_id, body))
