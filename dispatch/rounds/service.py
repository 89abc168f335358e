"""What a volunteer sees of a published plan: their own route, nothing of anyone else's.

A stop carries what is needed at the door (name, address, floor and lift, key box, access
notes, diet, what to bring, a phone number) and nothing of the client's file beyond that: no
health notes, no emergency contact. A route of a draft, or of another volunteer, does not
exist for them (404).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.days.rules import heard_home_since
from dispatch.errors import Forbidden, NotFound
from dispatch.i18n import N_
from dispatch.planning import repository as plans
from dispatch.planning.pickups import collections
from dispatch.rounds import repository
from dispatch.rounds.schemas import (
    Collect,
    DoorStop,
    EscortLeg,
    MissedLast,
    MyRoute,
    RouteSheets,
)
from dispatch.times import clock
from models import (
    Activity,
    Client,
    Invitation,
    Plan,
    PlanRoute,
    PlanStop,
    Site,
    Station,
    Task,
    Volunteer,
)
from models.common import utcnow
from models.enums import ESCORTS, OutcomeKind, Role, RoundEvent, ServiceKind, StopKind

ONE_DAY = timedelta(days=1)
# How far back a door's last word is worth telling its next volunteer: a week of service.
MISSED_LOOK_BACK = timedelta(days=7)


def my_days(session: Session, principal: Principal, first: date) -> list[date]:
    """Days from `first` on which a published plan gives this volunteer a route."""
    volunteer = volunteer_of(principal)
    return repository.published_days(session, volunteer, first)


def day_ahead(service_date: date, timezone: str, now: datetime) -> bool:
    """Whether `service_date` has not yet begun at a station in `timezone`: a route of a day
    ahead is read, not done (an outcome tapped on it would be a false alarm)."""
    return now.astimezone(ZoneInfo(timezone)).date() < service_date


def my_route(session: Session, principal: Principal, day: date) -> MyRoute:
    volunteer = volunteer_of(principal)
    found = repository.published_route(session, volunteer, day)
    if found is None:
        raise NotFound("route on", str(day))
    plan, route = found
    return route_view(session, plan, route)


def _missed_lately(session: Session, clients: list[Client], day: date) -> dict[int, MissedLast]:
    """The clients whose last word from the door this past week was not a delivery, and not
    answered since by a coordinator who heard they are home."""
    ids = {client.id for client in clients if client.id is not None}
    words = repository.last_words(session, ids, day - MISSED_LOOK_BACK, day - ONE_DAY)
    by_id = {client.id: client for client in clients}
    return {
        client_id: MissedLast(service_date=said_on, outcome=kind.value)
        for client_id, (said_on, kind) in words.items()
        if kind is not OutcomeKind.DELIVERED and not heard_home_since(by_id[client_id], said_on)
    }


def route_sheets(
    session: Session, principal: Principal, plan_id: int, volunteer_id: int | None = None
) -> RouteSheets:
    """Every route of a plan as its volunteer gets it (or one volunteer's): the paper sheets."""
    require(principal, Resource.PLAN, Action.READ)
    plan = reachable(session, principal, Plan, plan_id, "plan")
    routes = repository.routes_of_plan(session, plan_id, volunteer_id)
    if volunteer_id is not None and not routes:
        raise NotFound("route of volunteer", volunteer_id)
    return RouteSheets(
        plan_id=plan_id,
        station_id=plan.station_id,
        service_date=plan.service_date,
        plan_status=str(plan.status),
        routes=[route_view(session, plan, route) for route in routes],
    )


def route_view(session: Session, plan: Plan, route: PlanRoute) -> MyRoute:
    """A route as its volunteer sees it: only what the doors need."""
    rows = repository.stops_of_route(session, route.id)
    latest = plans.latest_outcomes(session, [task.id for _s, task, _c in rows if task.id])
    marks = repository.marks_of_route(session, route.id)
    station = session.get(Station, plan.station_id)
    assert station is not None
    venues = {task.id: stop for stop, task, _c in rows if stop.kind is StopKind.PICKUP}
    missed = _missed_lately(session, [client for _s, _t, client in rows], plan.service_date)
    stops: list[DoorStop] = []
    for stop, task, client in rows:
        assert stop.id is not None
        if stop.kind is StopKind.PICKUP:
            continue
        stops.append(
            DoorStop(
                stop_id=stop.id,
                number=len(stops) + 1,
                eta=clock(stop.start_seconds or 0),
                client_name=client.name,
                address=client.address,
                floor=client.floor,
                has_lift=client.has_lift,
                key_box=client.key_box,
                has_dog=client.has_dog,
                access_notes=client.access_notes,
                diet=str(client.diet),
                bring=str(task.kind),
                quantity=task.quantity,
                phone=client.phone,
                lat=client.lat,
                lon=client.lon,
                outcome=latest[task.id].kind.value if task.id in latest else None,
                concern=latest[task.id].concern if task.id in latest else False,
                escort=_escort(session, task, venues.get(task.id)),
                missed_last=missed.get(task.client_id),
            )
        )
    sites = []
    for collection in collections(rows):
        site = session.get(Site, collection.site_id)
        assert site is not None
        sites.append(
            Collect(
                site_name=site.name,
                address=site.address,
                at=clock(collection.at),
                doors_before=collection.doors_before,
                counts=dict(collection.counts),
            )
        )
    volunteer = session.get(Volunteer, route.volunteer_id)
    assert volunteer is not None
    return MyRoute(
        service_date=plan.service_date,
        station_id=plan.station_id,
        volunteer_id=route.volunteer_id,
        volunteer_name=volunteer.name,
        volunteer_phone=volunteer.phone,
        plan_status=str(plan.status),
        plan_version=plan.version,
        needs_recheck=route.needs_recheck,
        proof_of_delivery=station.proof_of_delivery,
        started=RoundEvent.STARTED in marks,
        finished=RoundEvent.FINISHED in marks,
        ahead=day_ahead(plan.service_date, station.timezone, utcnow()),
        depart=clock(route.depart_seconds),
        collect=sites,
        stops=stops,
    )


def _escort(session: Session, task: Task, venue: PlanStop | None) -> EscortLeg | None:
    """For an escort's door, the activity at its other end and when the route is there."""
    if task.kind not in ESCORTS or task.invitation_id is None:
        return None
    invitation = session.get(Invitation, task.invitation_id)
    assert invitation is not None
    activity = session.get(Activity, invitation.activity_id)
    site = session.get(Site, task.site_id)
    assert activity is not None
    assert site is not None
    return EscortLeg(
        there=task.kind is ServiceKind.ESCORT_THERE,
        activity=activity.title,
        place=site.name,
        address=site.address,
        at=clock(venue.start_seconds or 0) if venue else "",
        not_fetched=_not_fetched(session, task),
    )


def _not_fetched(session: Session, task: Task) -> str | None:
    """For the way back, how the way there ended when it was not done: nobody to bring
    home then, unless the coordinator says otherwise."""
    if task.kind is not ServiceKind.ESCORT_BACK:
        return None
    there = repository.escort_there_of(session, task)
    if there is None or there.id is None:
        return None
    outcome = plans.latest_outcomes(session, [there.id]).get(there.id)
    if outcome is None or outcome.kind is OutcomeKind.DELIVERED:
        return None
    return outcome.kind.value


def volunteer_of(principal: Principal) -> int:
    if principal.role is not Role.VOLUNTEER or principal.volunteer_id is None:
        raise Forbidden(N_("only a volunteer has routes of their own"))
    return principal.volunteer_id
