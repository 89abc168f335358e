"""The volunteer's round as pages: their route of a day on a phone (signed in, or through a
route link), releasing a day, answering an offer; and the coordinator's side of rounds:
route sheets to print, outcomes entered from paper, route links, released days."""

from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.deps import PlanningDep, SessionDep, SettingsDep, StationsDep
from dispatch.errors import Conflict, DispatchError, NotFound
from dispatch.http import absolute_url
from dispatch.i18n import N_
from dispatch.rounds.links import issue_link, principal_of_link, revoke_link
from dispatch.rounds.outcomes import record_paper_outcome
from dispatch.rounds.schemas import (
    OfferCreate,
    OutcomeCreate,
    ReleaseCreate,
    RouteLinkCreate,
    RouteSheets,
)
from dispatch.rounds.service import my_days, my_route, route_sheets
from dispatch.rounds.swaps import (
    answer_offer,
    my_offers,
    my_release,
    offer,
    release_day,
    replan,
)
from dispatch.stations.service import StationService
from dispatch.web.kit import (
    PageUserDep,
    action,
    back_with,
    language,
    link_gone,
    printout,
    render,
    said,
    valid,
)

router = APIRouter(include_in_schema=False)


@router.get("/me/{day}", response_model=None)
def my_route_page(
    day: date, request: Request, principal: PageUserDep, session: SessionDep
) -> Response:
    """A volunteer's route of the day, for a phone."""
    try:
        route = my_route(session, principal, day)
    except NotFound:
        route = None
    return render(
        request,
        "myroute.html",
        language(request),
        day=day,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        route=route,
        upcoming=my_days(session, principal, day + timedelta(days=1))[:7],
        api="/api/me",
        linked=False,
        release=my_release(session, principal, day),
        offers=my_offers(session, principal),
    )


@router.post("/me/{day}/release", response_model=None)
def release_page(
    day: date, request: Request, session: SessionDep, reason: Annotated[str, Form()] = ""
) -> Response:
    def do(who: Principal) -> None:
        release_day(session, who, day, valid(ReleaseCreate, reason=reason))

    return action(request, session, f"/me/{day}", do)


@router.post("/me/offers/{release_id}/{answer}", response_model=None)
def answer_page(
    release_id: int,
    answer: str,
    request: Request,
    session: SessionDep,
    back: Annotated[str, Form()],
) -> Response:
    return action(
        request,
        session,
        back,
        lambda who: answer_offer(session, who, release_id, accept=answer == "accept"),
    )


@router.get("/r/{token}", response_model=None)
def linked_route_page(
    token: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """A route opened from a link sent by message: no password, that day only."""
    try:
        who, link = principal_of_link(session, settings.resolved_secret_key, token)
    except DispatchError as error:
        return link_gone(request, error)
    try:
        route = my_route(session, who, link.service_date)
    except NotFound:
        route = None
    return render(
        request,
        "myroute.html",
        language(request),
        day=link.service_date,
        route=route,
        api=f"/r/{token}/api",
        linked=True,
    )


@router.get("/plans/{plan_id}/routes", response_model=None)
@router.get("/plans/{plan_id}/routes.pdf", response_model=None)
def route_sheets_page(
    plan_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    stations: StationsDep,
    volunteer: int | None = None,
) -> Response:
    """The volunteers' route sheets (all, or one `volunteer`'s), to tick on paper: as a
    page, or as .pdf. Their QR codes open the route page."""
    routes = route_sheets(session, principal, plan_id, volunteer)
    as_pdf = request.url.path.endswith(".pdf")
    return _route_printout(request, session, principal, stations, routes, as_pdf, None)


@router.post("/plans/{plan_id}/routes.pdf", response_model=None)
def route_sheets_with_links(
    plan_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    settings: SettingsDep,
    stations: StationsDep,
    back: Annotated[str, Form()],
    hours: Annotated[int, Form()] = 12,
    volunteer: Annotated[int | None, Form()] = None,
) -> Response:
    """Route sheets whose QR codes are route links: the volunteer scans and sees their
    route without a password, until the links expire (or are revoked)."""
    try:
        routes = route_sheets(session, principal, plan_id, volunteer)
        if routes.plan_status != "published":
            raise Conflict(N_("route links show the published plan: publish it first"))
        links = {}
        for route in routes.routes:
            ask = valid(
                RouteLinkCreate,
                volunteer_id=route.volunteer_id,
                service_date=routes.service_date,
                hours=hours,
            )
            made = issue_link(session, principal, settings.resolved_secret_key, ask)
            links[route.volunteer_id] = absolute_url(request, str(made.url))
    except DispatchError as error:
        session.rollback()
        return back_with(back, said(request, error))
    return _route_printout(request, session, principal, stations, routes, True, links)


def _route_printout(
    request: Request,
    session: Session,
    principal: Principal,
    stations: StationService,
    routes: RouteSheets,
    as_pdf: bool,
    links: dict[int, str] | None,
) -> Response:
    page = absolute_url(request, f"/me/{routes.service_date}")
    qr = {
        route.volunteer_id: Markup(
            segno.make((links or {}).get(route.volunteer_id, page), error="m").svg_inline(scale=3)
        )
        for route in routes.routes
    }
    station = stations.get(session, principal, routes.station_id)
    return printout(
        "routes.html",
        language(request, station),
        f"routes-{routes.service_date}.pdf",
        as_pdf,
        station=station,
        service_date=routes.service_date,
        routes=routes,
        qr=qr,
        linked=links is not None,
    )


@router.post("/stops/{stop_id}/paper", response_model=None)
def paper_outcome(
    stop_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()],
    client_event_id: Annotated[str, Form()],
    back: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """An outcome ticked on a paper route sheet. The form carries its own event id, so
    sending it twice stores it once."""

    def do(who: Principal) -> None:
        body = valid(
            OutcomeCreate,
            client_event_id=client_event_id,
            kind=kind,
            note=note,
            recorded_at=datetime.now(ZoneInfo(settings.timezone)),
        )
        record_paper_outcome(session, who, stop_id, body)

    return action(request, session, back, do)


@router.post("/days/{station_id}/{day}/links", response_model=None)
def make_link(
    station_id: int,
    day: date,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    volunteer_id: Annotated[int, Form()],
    hours: Annotated[int, Form()] = 24,
) -> Response:
    """A route link to send by message; its address comes back as the page's message."""
    made: list[str] = []

    def do(who: Principal) -> None:
        body = valid(RouteLinkCreate, volunteer_id=volunteer_id, service_date=day, hours=hours)
        link = issue_link(session, who, settings.resolved_secret_key, body)
        made.append(absolute_url(request, str(link.url)))

    back = f"/days/{station_id}/{day}"
    response = action(request, session, back, do)
    if made:
        return back_with(back, made[0])
    return response


@router.post("/links/{link_id}/revoke", response_model=None)
def revoke(
    link_id: int, request: Request, session: SessionDep, back: Annotated[str, Form()]
) -> Response:
    return action(request, session, back, lambda who: revoke_link(session, who, link_id))


@router.post("/releases/{release_id}/offer", response_model=None)
def offer_page(
    release_id: int,
    request: Request,
    session: SessionDep,
    volunteer_id: Annotated[int, Form()],
    back: Annotated[str, Form()],
) -> Response:
    body = OfferCreate(volunteer_id=volunteer_id)
    return action(request, session, back, lambda who: offer(session, who, release_id, body))


@router.post("/releases/{release_id}/replan", response_model=None)
def replan_page(
    release_id: int,
    request: Request,
    session: SessionDep,
    planning: PlanningDep,
    back: Annotated[str, Form()],
) -> Response:
    return action(request, session, back, lambda who: replan(session, who, planning, release_id))
