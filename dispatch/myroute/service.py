"""What a volunteer sees of a published plan: their own route, nothing of anyone else's.

A stop carries what is needed at the door (name, address, floor and lift, key box, access
notes, diet, what to bring, a phone number) and nothing of the client's file beyond that: no
health notes, no emergency contact. A route of a draft, or of another volunteer, does not
exist for them (404).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from pydantic import BaseModel
from sqlmodel import Session, col, select

from dispatch.access import Principal
from dispatch.errors import Forbidden, NotFound
from dispatch.planning.problem import clock
from models import Client, Plan, PlanRoute, PlanStop, Site, Task
from models.enums import PlanStatus, Role, StopKind


class Collect(BaseModel):
    site_name: str
    address: str
    at: str  # HH:MM
    counts: dict[str, int]  # per diet for meals, "medicine" for a pharmacy


class DoorStop(BaseModel):
    stop_id: int
    number: int
    eta: str
    client_name: str
    address: str
    floor: int | None
    has_lift: bool | None
    key_box: str
    has_dog: bool
    access_notes: str
    diet: str
    bring: str  # "meal" x quantity, "medicine", or "visit"
    quantity: int
    phone: str | None
    lat: float | None
    lon: float | None


class MyRoute(BaseModel):
    service_date: date
    plan_version: int
    needs_recheck: bool
    depart: str
    collect: list[Collect]
    stops: list[DoorStop]


def my_days(session: Session, principal: Principal, first: date) -> list[date]:
    """Days from `first` on which a published plan gives this volunteer a route."""
    volunteer = volunteer_of(principal)
    plans = session.exec(
        select(Plan)
        .join(PlanRoute, col(PlanRoute.plan_id) == Plan.id)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.service_date >= first,
            PlanRoute.volunteer_id == volunteer,
        )
    ).all()
    return sorted({plan.service_date for plan in plans})


def my_route(session: Session, principal: Principal, day: date) -> MyRoute:
    volunteer = volunteer_of(principal)
    found = session.exec(
        select(Plan, PlanRoute)
        .join(PlanRoute, col(PlanRoute.plan_id) == Plan.id)
        .where(
            Plan.status == PlanStatus.PUBLISHED,
            Plan.service_date == day,
            PlanRoute.volunteer_id == volunteer,
        )
    ).first()
    if found is None:
        raise NotFound("route on", str(day))
    plan, route = found
    rows = session.exec(
        select(PlanStop, Task, Client)
        .join(Task, col(Task.id) == PlanStop.task_id)
        .join(Client, col(Client.id) == Task.client_id)
        .where(PlanStop.route_id == route.id)
        .order_by(col(PlanStop.position))
    ).all()
    collect: dict[int, tuple[int, Counter[str]]] = {}
    stops: list[DoorStop] = []
    for stop, task, client in rows:
        assert stop.id is not None
        if stop.kind is StopKind.PICKUP and task.site_id is not None:
            what = "medicine" if task.kind == "medicine" else str(client.diet)
            at, counts = collect.get(task.site_id, (stop.start_seconds or 0, Counter()))
            counts[what] += task.quantity
            collect[task.site_id] = (min(at, stop.start_seconds or at), counts)
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
            )
        )
    sites = []
    for site_id, (at, counts) in sorted(collect.items(), key=lambda item: item[1][0]):
        site = session.get(Site, site_id)
        assert site is not None
        sites.append(
            Collect(site_name=site.name, address=site.address, at=clock(at), counts=dict(counts))
        )
    return MyRoute(
        service_date=day,
        plan_version=plan.version,
        needs_recheck=route.needs_recheck,
        depart=clock(route.depart_seconds),
        collect=sites,
        stops=stops,
    )


def volunteer_of(principal: Principal) -> int:
    if principal.role is not Role.VOLUNTEER or principal.volunteer_id is None:
        raise Forbidden("only a volunteer has routes of their own")
    return principal.volunteer_id
