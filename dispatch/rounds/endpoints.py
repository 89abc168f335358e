"""A volunteer's own routes over HTTP."""

from datetime import date
from typing import Literal

from fastapi import APIRouter, Request, Response, status

from dispatch.access import Principal
from dispatch.deps import (
    BEARER_SECURITY,
    PlanningDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    committed,
    principal_of,
)
from dispatch.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from dispatch.http import absolute_url, declared_body, error_responses, json_body
from dispatch.planning.schemas import PlanningJobPublic
from dispatch.rounds.links import issue_link, links_of, principal_of_link, revoke_link
from dispatch.rounds.outcomes import (
    mark_round,
    outcomes_of,
    record_linked_outcome,
    record_outcome,
    record_paper_outcome,
)
from dispatch.rounds.schemas import (
    MyRoute,
    OfferCreate,
    OutcomeCreate,
    OutcomePublic,
    ReleaseCreate,
    ReleasePublic,
    RoundMarkRequest,
    RouteLinkCreate,
    RouteLinkPublic,
)
from dispatch.rounds.service import my_days, my_route
from dispatch.rounds.swaps import (
    answer_offer,
    my_offers,
    offer,
    release_day,
    releases_of,
    replan,
)
from models import PlanningJob
from models.enums import RoundEvent

router = APIRouter(tags=["my route"])


# First: the phones' outcomes (with an account or through a route link) are most of a day's
# requests, and each route tried before the one that matches costs a request (dispatch.app).
@router.post(
    "/api/me/stops/{stop_id}/outcomes",
    response_model=OutcomePublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "Already stored: the event as it was stored"},
        **error_responses(Forbidden, NotFound, Conflict, InvalidInput),
    },
    openapi_extra=declared_body(OutcomeCreate) | BEARER_SECURITY,
)
async def record(stop_id: int, request: Request) -> Response:
    """Record what happened at my stop (an `OutcomeCreate`). The same client_event_id
    again stores nothing and answers 200 with the first event; a correction is a new event."""
    principal = await principal_of(request)
    body = await json_body(request, OutcomeCreate)
    stored = await committed(
        request,
        lambda session: record_outcome(session, principal, stop_id, body),
        together=_station_of(principal),
    )
    return _stored(stored)


@router.post(
    "/r/{token}/api/stops/{stop_id}/outcomes",
    response_model=OutcomePublic,
    status_code=status.HTTP_201_CREATED,
    tags=["route links"],
    responses=error_responses(NotFound, Gone, Conflict),
    openapi_extra=declared_body(OutcomeCreate),
)
async def linked_record(token: str, stop_id: int, request: Request) -> Response:
    """What happened at a door, recorded through a route link (the link is the credential;
    the body an `OutcomeCreate`, read as the phone's own outcome reads it)."""
    secret = request.app.state.settings.resolved_secret_key
    body = await json_body(request, OutcomeCreate)
    stored = await committed(
        request,
        lambda session: record_linked_outcome(session, secret, token, stop_id, body),
        together=("route link", token),  # one volunteer's route: one station
    )
    return _stored(stored)


def _stored(stored: OutcomePublic) -> Response:
    """The stored event as the answer: 201, or 200 for an id already stored. Serialised
    here, once: FastAPI would check again the model the service has just built, on the
    request every door makes."""
    code = status.HTTP_200_OK if stored.duplicate else status.HTTP_201_CREATED
    return Response(stored.model_dump_json(), code, media_type="application/json")


def writes_in_batches(path: str) -> bool:
    """The outcome endpoints: their writes go with the others that arrive meanwhile
    (dispatch.deps.committed), and take the write turn as a batch."""
    return path.endswith("/outcomes")


def _station_of(principal: Principal) -> int | None:
    """The station whose outcomes this user's may be written with: a volunteer's, or a
    coordinator's only station; None (written alone) for one of several."""
    return next(iter(principal.station_ids)) if len(principal.station_ids) == 1 else None


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
        **error_responses(Forbidden, NotFound, Conflict, InvalidInput),
    },
)
async def record_from_paper(
    stop_id: int,
    body: OutcomeCreate,
    request: Request,
    principal: PrincipalDep,
) -> Response:
    """A coordinator enters an outcome ticked on a paper route sheet: stored as the
    route's volunteer's, marked entered_by_coordinator."""
    stored = await committed(
        request,
        lambda session: record_paper_outcome(session, principal, stop_id, body),
        together=_station_of(principal),
    )
    return _stored(stored)


@router.post(
    "/api/me/routes/{day}/{event}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Forbidden, NotFound, InvalidInput),
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


@router.post(
    "/api/me/days/{day}/release",
    response_model=ReleasePublic,
    tags=["swaps"],
    responses=error_responses(Forbidden, NotFound),
)
def release(
    day: date, body: ReleaseCreate, session: SessionDep, principal: PrincipalDep
) -> ReleasePublic:
    """I can no longer do this day: the coordinator finds someone. My route stands until
    then; asked again, the standing release is the answer."""
    return release_day(session, principal, day, body)


@router.get(
    "/api/me/offers",
    response_model=list[ReleasePublic],
    tags=["swaps"],
    responses=error_responses(Forbidden),
)
def offers(session: SessionDep, principal: PrincipalDep) -> list[ReleasePublic]:
    """Routes offered to me: the day, when it leaves, how many doors."""
    return my_offers(session, principal)


@router.post(
    "/api/me/offers/{release_id}/{answer}",
    response_model=ReleasePublic,
    tags=["swaps"],
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def answer(
    release_id: int,
    answer: Literal["accept", "decline"],
    session: SessionDep,
    principal: PrincipalDep,
) -> ReleasePublic:
    return answer_offer(session, principal, release_id, accept=answer == "accept")


@router.get(
    "/api/stations/{station_id}/releases",
    response_model=list[ReleasePublic],
    tags=["swaps"],
    responses=error_responses(Forbidden, NotFound),
)
def station_releases(
    station_id: int, day: date, session: SessionDep, principal: PrincipalDep
) -> list[ReleasePublic]:
    """Days volunteers released, with who it was offered to and who took it."""
    return releases_of(session, principal, station_id, day)


@router.post(
    "/api/releases/{release_id}/offer",
    response_model=ReleasePublic,
    tags=["swaps"],
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def offer_route(
    release_id: int, body: OfferCreate, session: SessionDep, principal: PrincipalDep
) -> ReleasePublic:
    return offer(session, principal, release_id, body)


@router.post(
    "/api/releases/{release_id}/replan",
    response_model=PlanningJobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    tags=["swaps"],
    responses=error_responses(Forbidden, NotFound, Conflict),
)
def replan_released(
    release_id: int, planning: PlanningDep, session: SessionDep, principal: PrincipalDep
) -> PlanningJob:
    """Re-plan the day without the volunteer who released it (a route someone took goes
    to them); publish the new draft when it is ready."""
    return replan(session, principal, planning, release_id)


@router.post(
    "/api/route-links",
    response_model=RouteLinkPublic,
    status_code=status.HTTP_201_CREATED,
    tags=["route links"],
    responses=error_responses(Forbidden, NotFound),
)
def make_link(
    body: RouteLinkCreate,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> RouteLinkPublic:
    """A link to the volunteer's route of the day that needs no password, to send by
    message; it works until it expires or is revoked. The URL is shown once."""
    link = issue_link(session, principal, settings.resolved_secret_key, body)
    return link.model_copy(update={"url": absolute_url(request, str(link.url))})


@router.get(
    "/api/stations/{station_id}/route-links",
    response_model=list[RouteLinkPublic],
    tags=["route links"],
    responses=error_responses(Forbidden, NotFound),
)
def station_links(
    station_id: int, day: date, session: SessionDep, principal: PrincipalDep
) -> list[RouteLinkPublic]:
    return links_of(session, principal, station_id, day)


@router.post(
    "/api/route-links/{link_id}/revoke",
    response_model=RouteLinkPublic,
    tags=["route links"],
    responses=error_responses(Forbidden, NotFound),
)
def revoke(link_id: int, session: SessionDep, principal: PrincipalDep) -> RouteLinkPublic:
    """The link stops working at once."""
    return revoke_link(session, principal, link_id)


@router.get(
    "/r/{token}/api/route",
    response_model=MyRoute,
    tags=["route links"],
    responses=error_responses(NotFound, Gone),
)
def linked_route(token: str, session: SessionDep, settings: SettingsDep) -> MyRoute:
    """The route a link opens (the link is the credential)."""
    who, link = principal_of_link(session, settings.resolved_secret_key, token)
    return my_route(session, who, link.service_date)


@router.post(
    "/r/{token}/api/routes/{day}/{event}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["route links"],
    responses=error_responses(NotFound, Gone),
)
def linked_mark(
    token: str,
    day: date,
    event: RoundEvent,
    body: RoundMarkRequest,
    session: SessionDep,
    settings: SettingsDep,
) -> None:
    who, link = principal_of_link(session, settings.resolved_secret_key, token)
    if day != link.service_date:
        raise NotFound("route on", str(day))
    mark_round(session, who, day, event, body.client_event_id, body.recorded_at)
