"""Alerts from the board: a step of the ladder taken, or the alert resolved."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from dispatch.access import Principal
from dispatch.alerts import service
from dispatch.alerts.schemas import ResolutionCreate, StepCreate
from dispatch.deps import SessionDep
from dispatch.web.kit import action, valid

router = APIRouter(include_in_schema=False)


@router.post("/alerts/{alert_id}/steps", response_model=None)
def alert_step(
    alert_id: int,
    request: Request,
    session: SessionDep,
    step: Annotated[str, Form()],
    result: Annotated[str, Form()],
    back: Annotated[str, Form()],
) -> Response:
    def do(who: Principal) -> None:
        service.take_step(session, who, alert_id, valid(StepCreate, step=step, result=result))

    return action(request, session, back, do)


@router.post("/alerts/{alert_id}/resolve", response_model=None)
def alert_resolve(
    alert_id: int,
    request: Request,
    session: SessionDep,
    resolution: Annotated[str, Form()],
    back: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    def do(who: Principal) -> None:
        service.resolve(
            session, who, alert_id, valid(ResolutionCreate, resolution=resolution, note=note)
        )

    return action(request, session, back, do)
