"""The outbox as a page, and the page an opt-out link opens."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from dispatch.deps import SessionDep, SettingsDep, StationsDep
from dispatch.errors import DispatchError
from dispatch.notifications import service
from dispatch.notifications.schemas import OutboxQuery
from dispatch.web.kit import PageUserDep, language, link_gone, render

router = APIRouter(include_in_schema=False)


@router.get("/stations/{station_id}/notifications", response_model=None)
def outbox_page(
    station_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    stations: StationsDep,
    query: Annotated[OutboxQuery, Query()],
) -> Response:
    station = stations.get(session, principal, station_id)
    messages = service.outbox(session, principal, station_id, query)
    return render(
        request,
        "outbox.html",
        language(request, station),
        station=station,
        messages=messages,
        status=query.status.value if query.status else "",
        days=query.days,
    )


@router.get("/n/{token}", response_model=None)
def opt_out_page(
    token: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Asks before stopping: a link opened by a mail scanner must not opt anyone out."""
    try:
        preference = service.opted_out_preference(session, settings.resolved_secret_key, token)
    except DispatchError as error:
        return link_gone(request, error)
    return render(request, "optout.html", preference.locale, preference=preference, done=False)


@router.post("/n/{token}", response_model=None)
def opt_out(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        preference = service.opt_out(session, settings.resolved_secret_key, token)
    except DispatchError as error:
        return link_gone(request, error)
    return render(request, "optout.html", preference.locale, preference=preference, done=True)
