"""Swaps: a volunteer releases a day they can no longer do; the coordinator offers the route
to another volunteer, or re-plans the day without the one who released it.

The released route stays on the published plan until a re-plan is published, so that no
client is forgotten while a replacement is found. The released volunteer is off that day
from the moment the coordinator re-plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.audit import chain
from dispatch.days.schemas import AvailableVolunteer
from dispatch.errors import Conflict, NotFound
from dispatch.i18n import N_
from dispatch.planning.edits import record_leave
from dispatch.planning.schemas import REPLAN_TIME_LIMIT_SECONDS, PlanningRequest, PlanPublic
from dispatch.planning.service import PlanningService
from dispatch.rounds import repository
from dispatch.rounds.schemas import OfferCreate, ReleaseCreate, ReleasePublic
from dispatch.rounds.service import volunteer_of
from dispatch.times import clock
from models import PlanningJob, RouteRelease, Station, Volunteer
from models.enums import ReleaseStatus, StopKind

_STANDING = (ReleaseStatus.OPEN, ReleaseStatus.OFFERED, ReleaseStatus.TAKEN)


def release_day(
    session: Session, principal: Principal, day: date, data: ReleaseCreate
) -> ReleasePublic:
    """I can no longer do this day. Asked again, the standing release is the answer."""
    volunteer = volunteer_of(principal)
    found = repository.published_route(session, volunteer, day)
    if found is None:
        raise NotFound("route on", str(day))
    plan, _route = found
    standing = repository.standing_release(session, volunteer, day, _STANDING)
    if standing is None:
        standing = RouteRelease(
            station_id=plan.station_id, volunteer_id=volunteer, service_date=day, reason=data.reason
        )
        session.add(standing)
        session.flush()
        _audit(session, principal, standing, "release_day", {"status": [None, "open"]})
    return _public(session, standing)


def my_release(session: Session, principal: Principal, day: date) -> ReleasePublic | None:
    volunteer = volunteer_of(principal)
    row = repository.last_release(session, volunteer, day)
    return _public(session, row) if row else None


def my_offers(session: Session, principal: Principal) -> list[ReleasePublic]:
    """Routes offered to me, awaiting my answer. No client is named until I take one."""
    volunteer = volunteer_of(principal)
    return [_public(session, row) for row in repository.offers_to(session, volunteer)]


def answer_offer(
    session: Session, principal: Principal, release_id: int, accept: bool
) -> ReleasePublic:
    volunteer = volunteer_of(principal)
    row = session.get(RouteRelease, release_id)
    if row is None or row.offered_to_volunteer_id != volunteer:
        raise NotFound("offer", release_id)
    if row.status is not ReleaseStatus.OFFERED:
        raise Conflict(N_("this offer was answered already"))
    before = row.status.value
    if accept:
        row.status, row.taken_by_volunteer_id = ReleaseStatus.TAKEN, volunteer
    else:
        row.status, row.offered_to_volunteer_id = ReleaseStatus.OPEN, None
    session.add(row)
    session.flush()
    action = "accept_offer" if accept else "decline_offer"
    _audit(session, principal, row, action, {"status": [before, row.status.value]})
    return _public(session, row)


def releases_of(
    session: Session, principal: Principal, station_id: int, day: date
) -> list[ReleasePublic]:
    require(principal, Resource.PLAN, Action.READ)
    reachable(session, principal, Station, station_id, "station")
    rows = repository.releases_of_day(session, station_id, day)
    return [_public(session, row) for row in rows]


@dataclass(frozen=True)
class Taker:
    """Someone a released route could be offered to: free that day, with their own route of
    that day if they have one."""

    volunteer: AvailableVolunteer
    depart: str | None = None  # their own route's times, "HH:MM"
    arrive: str | None = None
    doors: int = 0


def takers(
    free: Sequence[AvailableVolunteer], plan: PlanPublic | None, giver: int | None = None
) -> list[Taker]:
    """Who to ask first to take stops over (a released route, a stop left out): those whose
    free hours span the giver's route, and of them first those without a route of their own
    that day, then those with the fewest doors already; never the giver."""
    routes = {route.volunteer_id: route for route in plan.routes} if plan else {}
    given = routes.get(giver) if giver is not None else None
    found = []
    for volunteer in free:
        if volunteer.volunteer_id == giver:
            continue
        route = routes.get(volunteer.volunteer_id)
        if route is None or not route.stops:
            found.append(Taker(volunteer))
            continue
        doors = sum(1 for stop in route.stops if stop.kind is StopKind.DOOR)
        found.append(Taker(volunteer, route.depart, route.arrive, doors))

    def spans(taker: Taker) -> bool:
        shift = taker.volunteer.shift
        return given is None or (
            shift.start.strftime("%H:%M") <= given.depart
            and shift.end.strftime("%H:%M") >= given.arrive
        )

    return sorted(
        found, key=lambda taker: (not spans(taker), taker.depart is not None, taker.doors)
    )


def offer(
    session: Session, principal: Principal, release_id: int, data: OfferCreate
) -> ReleasePublic:
    """Offer the released route to another volunteer of the station."""
    require(principal, Resource.PLAN, Action.UPDATE)
    row = _release(session, principal, release_id)
    if row.status not in (ReleaseStatus.OPEN, ReleaseStatus.OFFERED):
        raise Conflict(N_("the released day was handled already"))
    taker = session.get(Volunteer, data.volunteer_id)
    if taker is None or taker.station_id != row.station_id or taker.id == row.volunteer_id:
        raise NotFound("volunteer", data.volunteer_id)
    before = row.status.value
    row.status, row.offered_to_volunteer_id = ReleaseStatus.OFFERED, data.volunteer_id
    session.add(row)
    session.flush()
    changes: dict[str, list[object]] = {
        "status": [before, "offered"],
        "offered_to": [None, data.volunteer_id],
    }
    _audit(session, principal, row, "offer_route", changes)
    return _public(session, row)


def replan(
    session: Session,
    principal: Principal,
    planning: PlanningService,
    release_id: int,
) -> PlanningJob:
    """Re-plan the day without the volunteer who released it; a route someone took is handed
    to them. The coordinator reviews the new draft and publishes it."""
    require(principal, Resource.PLAN, Action.CREATE)
    row = _release(session, principal, release_id)
    if row.status not in _STANDING:
        raise Conflict(N_("the released day was handled already"))
    giver = session.get(Volunteer, row.volunteer_id)
    assert giver is not None
    record_leave(session, principal, giver, row.service_date, f"released: {row.reason}")
    before = row.status.value
    row.status = ReleaseStatus.REPLANNED
    session.add(row)
    session.flush()
    hand_over = (row.volunteer_id, row.taken_by_volunteer_id) if row.taken_by_volunteer_id else None
    job = planning.start(
        session,
        principal,
        row.station_id,
        row.service_date,
        PlanningRequest(time_limit_seconds=REPLAN_TIME_LIMIT_SECONDS),
        hand_over=hand_over,
    )
    row.planning_job_id = job.id
    session.add(row)
    _audit(session, principal, row, "replan_released_day", {"status": [before, "replanned"]})
    return job


def _release(session: Session, principal: Principal, release_id: int) -> RouteRelease:
    return reachable(session, principal, RouteRelease, release_id, "released day")


def _public(session: Session, row: RouteRelease) -> ReleasePublic:
    assert row.id is not None
    names = repository.volunteer_names(
        session, [row.volunteer_id, row.offered_to_volunteer_id, row.taken_by_volunteer_id]
    )
    found = repository.published_route(session, row.volunteer_id, row.service_date)
    route = found[1] if found else None
    doors = repository.doors_of_route(session, route.id) if route is not None else 0
    return ReleasePublic(
        id=row.id,
        volunteer_id=row.volunteer_id,
        volunteer_name=names.get(row.volunteer_id, ""),
        service_date=row.service_date,
        reason=row.reason,
        released_at=row.released_at,
        status=row.status,
        offered_to_volunteer_id=row.offered_to_volunteer_id,
        offered_to_name=names.get(row.offered_to_volunteer_id),
        taken_by_volunteer_id=row.taken_by_volunteer_id,
        taken_by_name=names.get(row.taken_by_volunteer_id),
        planning_job_id=row.planning_job_id,
        stops=doors,
        depart=clock(route.depart_seconds) if route is not None else None,
    )


def _audit(
    session: Session,
    principal: Principal,
    row: RouteRelease,
    action: str,
    changes: dict[str, list[object]],
) -> None:
    chain.record(
        session,
        principal,
        action=action,
        entity="route_release",
        entity_id=row.id,
        station_id=row.station_id,
        changes=changes,
        volunteer_id=row.volunteer_id,
    )
