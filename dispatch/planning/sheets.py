"""What the kitchens and pharmacies prepare for a plan, and a label for every meal.

Each site gets its counts per diet (medicine for a pharmacy) in all and per route, with the
time each volunteer comes to collect. Each meal gets a label: client, route and stop number,
diet, the dish and the client's allergies; a dish that contains one of them is a clash the
label shows loudly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.planning import repository
from dispatch.planning.pickups import collections
from dispatch.planning.schemas import DaySheets, MealLabel, RouteCount, SiteSheet
from dispatch.times import clock
from models import Client, Plan, PlanRoute, PlanStop, Site, Task
from models.enums import ServiceKind, StopKind


def day_sheets(session: Session, principal: Principal, plan_id: int) -> DaySheets:
    require(principal, Resource.PLAN, Action.READ)
    plan = reachable(session, principal, Plan, plan_id, "plan")
    assert plan.id is not None
    rows = repository.planned_stops_for_sheets(session, plan.id)
    volunteers = repository.volunteers_of_station(session, plan.station_id)
    names = {route.id: volunteers[route.volunteer_id].name for _s, route, _t, _c in rows}
    return DaySheets(
        plan_id=plan.id,
        station_id=plan.station_id,
        service_date=plan.service_date,
        sites=_site_sheets(session, rows, names),
        labels=_labels(session, plan, rows, names),
    )


Row = tuple[PlanStop, PlanRoute, Task, Client]


def _labels(
    session: Session, plan: Plan, rows: Sequence[Row], names: dict[int | None, str]
) -> list[MealLabel]:
    """A label for every meal at a door, in route order, with the dish of the client's diet
    and any allergy it clashes with."""
    menus = {
        (menu.site_id, menu.diet): menu
        for menu in repository.menus_of_day(session, plan.station_id, plan.service_date)
    }
    by_route: dict[int | None, list[tuple[PlanStop, Task, Client]]] = defaultdict(list)
    for stop, route, task, client in rows:
        by_route[route.id].append((stop, task, client))
    collected = {
        task_id: collection.at
        for stops in by_route.values()
        for collection in collections(stops)
        for task_id in collection.task_ids
    }
    labels: list[MealLabel] = []
    doors: Counter[int | None] = Counter()
    for stop, route, task, client in rows:
        if stop.kind is not StopKind.DOOR:
            continue
        doors[route.id] += 1
        if task.kind is not ServiceKind.MEAL or task.site_id is None:
            continue
        menu = menus.get((task.site_id, client.diet))
        clash = sorted(a for a in client.allergies if menu and a in set(menu.allergens))
        labels.extend(
            MealLabel(
                client_name=client.name,
                volunteer_name=names[route.id],
                stop_number=doors[route.id],
                pickup=clock(collected[task.id]) if task.id in collected else "",
                diet=client.diet,
                dish=menu.dish if menu else "",
                allergies=list(client.allergies),
                clash=clash,
            )
            for _ in range(max(1, task.quantity))
        )
    return labels


def _site_sheets(
    session: Session, rows: Sequence[Row], names: dict[int | None, str]
) -> list[SiteSheet]:
    """What each site prepares: counts in all, and each route's collections at their times."""
    by_route: dict[int | None, list[tuple[PlanStop, Task, Client]]] = defaultdict(list)
    for stop, route, task, client in rows:
        by_route[route.id].append((stop, task, client))
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    visits: dict[int, list[RouteCount]] = defaultdict(list)
    for route_id, stops in by_route.items():
        for collection in collections(stops):
            totals[collection.site_id].update(collection.counts)
            visits[collection.site_id].append(
                RouteCount(
                    volunteer_name=names[route_id],
                    pickup=clock(collection.at),
                    counts=dict(sorted(collection.counts.items())),
                )
            )
    sites = []
    for site_id, counts in totals.items():
        site = session.get(Site, site_id)
        assert site is not None
        sites.append(
            SiteSheet(
                site_id=site_id,
                site_name=site.name,
                kind=str(site.kind),
                counts=dict(sorted(counts.items())),
                routes=sorted(visits[site_id], key=lambda visit: visit.pickup),
            )
        )
    return sorted(sites, key=lambda s: s.site_name)
