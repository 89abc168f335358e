"""What the kitchens and pharmacies prepare for a plan, and a label for every meal.

Each site gets its counts per diet (medicine for a pharmacy) in all and per route, with the
time each volunteer comes to collect. Each meal gets a label: client, route and stop number,
diet, the dish and the client's allergies; a dish that contains one of them is a clash the
label shows loudly.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlmodel import Session, col, select

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.times import clock
from models import (
    Client,
    DaySheets,
    MealLabel,
    Menu,
    Plan,
    PlanRoute,
    PlanStop,
    RouteCount,
    Site,
    SiteSheet,
    Task,
    Volunteer,
)
from models.enums import ServiceKind, StopKind


def day_sheets(session: Session, principal: Principal, plan_id: int) -> DaySheets:
    require(principal, Resource.PLAN, Action.READ)
    plan = reachable(session, principal, Plan, plan_id, "plan")
    assert plan.id is not None
    rows = session.exec(
        select(PlanStop, PlanRoute, Task, Client)
        .join(PlanRoute, col(PlanRoute.id) == PlanStop.route_id)
        .join(Task, col(Task.id) == PlanStop.task_id)
        .join(Client, col(Client.id) == Task.client_id)
        .where(PlanStop.plan_id == plan.id)
        .order_by(col(PlanStop.route_id), col(PlanStop.position))
    ).all()
    volunteers = {
        v.id: v
        for v in session.exec(
            select(Volunteer).where(Volunteer.station_id == plan.station_id)
        ).all()
    }
    menus = {
        (menu.site_id, menu.diet): menu
        for menu in session.exec(
            select(Menu).where(
                Menu.station_id == plan.station_id,
                Menu.service_date == plan.service_date,
                col(Menu.archived_at).is_(None),
            )
        ).all()
    }
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    per_route: dict[int, dict[int, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    collect: dict[tuple[int, int], int] = {}
    names: dict[int, str] = {}
    labels: list[MealLabel] = []
    doors: Counter[int] = Counter()
    for stop, route, task, client in rows:
        assert route.id is not None
        volunteer = volunteers[route.volunteer_id]
        names[route.id] = volunteer.name
        if stop.kind is StopKind.DOOR:
            doors[route.id] += 1
            if task.kind is ServiceKind.MEAL and task.site_id is not None:
                menu = menus.get((task.site_id, client.diet))
                clash = sorted(a for a in client.allergies if menu and a in set(menu.allergens))
                for _ in range(max(1, task.quantity)):
                    labels.append(
                        MealLabel(
                            client_name=client.name,
                            volunteer_name=volunteer.name,
                            stop_number=doors[route.id],
                            diet=client.diet,
                            dish=menu.dish if menu else "",
                            allergies=list(client.allergies),
                            clash=clash,
                        )
                    )
            continue
        if task.site_id is None:
            continue
        what = "medicine" if task.kind is ServiceKind.MEDICINE else str(client.diet)
        totals[task.site_id][what] += task.quantity
        per_route[task.site_id][route.id][what] += task.quantity
        key = (task.site_id, route.id)
        start = stop.start_seconds or 0
        collect[key] = min(collect.get(key, start), start)
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
                routes=[
                    RouteCount(
                        volunteer_name=names[route_id],
                        pickup=clock(collect[site_id, route_id]),
                        counts=dict(sorted(route_counts.items())),
                    )
                    for route_id, route_counts in sorted(
                        per_route[site_id].items(), key=lambda item: collect[site_id, item[0]]
                    )
                ],
            )
        )
    return DaySheets(
        plan_id=plan.id,
        station_id=plan.station_id,
        service_date=plan.service_date,
        sites=sorted(sites, key=lambda s: s.site_name),
        labels=labels,
    )
