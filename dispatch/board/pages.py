"""The coordinator's board of a day: one page that gathers the day's tasks, its plan on a
map, alerts, route links and released days. Its actions live with their features (days,
planning, rounds, alerts): this page only reads."""

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from dispatch.access import Action, Resource, allowed
from dispatch.alerts import service as alerts
from dispatch.board.service import Way, overdue_before, route_ways
from dispatch.clients.away import away_lately
from dispatch.days.schemas import DayDrift, DayWork
from dispatch.deps import (
    DaysDep,
    PlanningDep,
    ServicesDep,
    SessionDep,
    SettingsDep,
    SitesDep,
    StationsDep,
)
from dispatch.errors import NotFound
from dispatch.planning.schemas import MAX_TIME_LIMIT_SECONDS, PLAN_TIME_LIMIT_SECONDS, PlanPublic
from dispatch.planning.service import regulars_off
from dispatch.rounds.links import links_of
from dispatch.rounds.swaps import releases_of, takers
from dispatch.teams.service import members, teams_of
from dispatch.web.forms import VIOLATIONS
from dispatch.web.kit import PageUserDep, first_page, language, render, signed_in
from models import Site, Station
from models.enums import AlertStatus
from routing.matrix.roads import RoadNetwork

router = APIRouter(include_in_schema=False)
ROUTE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


@router.get("/days/{station_id}/{day}", response_model=None)
def day_page(
    station_id: int,
    day: date,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    settings: SettingsDep,
    stations: StationsDep,
    days: DaysDep,
    planning: PlanningDep,
    sites: SitesDep,
    services: ServicesDep,
    team: int | None = None,
) -> Response:
    """The day: tasks, who is free, the plan on a map, alerts, links and released days;
    with `team`, the tasks of the team's clients and the routes of its volunteers."""
    station = stations.get(session, principal, station_id)
    work = days.get(session, principal, station_id, day)
    try:
        plan: PlanPublic | None = planning.latest(session, principal, station_id, day)
    except NotFound:
        plan = None
    # The whole day's: a team's clients' regulars may be of other teams.
    modes = {v.volunteer_id: v.travel_mode for v in work.volunteers}
    # The whole plan's, as its counts of regulars kept are, before a team's view of it.
    off = regulars_off(session, plan, set(modes)) if plan and plan.with_regular else 0
    if team is not None:
        _team, clients, volunteers = members(session, principal, team)
        work, plan = _of_team(work, plan, clients, volunteers)
    open_alerts = alerts.alerts_of(session, principal, station_id, status=AlertStatus.OPEN)
    todays = alerts.alerts_of(session, principal, station_id, day=day)
    shown = {alert.id: alert for alert in open_alerts + todays}
    places = sites.list(session, principal, first_page(station_id)).items
    releases = releases_of(session, principal, station_id, day)
    drift = _drift(days.drift(session, principal, station_id, day), plan)
    # Who the doors say is away, for a coordinator to pause: a reader only sees the day.
    may_pause = allowed(principal, Resource.CLIENT, Action.UPDATE)
    away = away_lately(session, principal, station_id, day) if may_pause else []
    ways = route_ways(services.travel, plan, modes)
    late = overdue_before(day, datetime.now(ZoneInfo(station.timezone)))
    return render(
        request,
        "day.html",
        language(request, station),
        station=station,
        day=day,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        work=work,
        plan=plan,
        job=planning.last_job(session, principal, station_id, day),
        colours=ROUTE_COLOURS,
        map_json=json.dumps(
            _map(station, places, plan, ways, settings.map_tiles), ensure_ascii=False
        ),
        alerts=sorted(shown.values(), key=lambda a: (a.status != "open", -a.id)),
        links=links_of(session, principal, station_id, day),
        releases=releases,
        takers={
            release.id: takers(work.volunteers, plan, release.volunteer_id) for release in releases
        },
        helpers=takers(work.volunteers, plan),
        regulars_off=off,
        drift=drift,
        away=away,
        overdue_before=late,
        can_act=allowed(principal, Resource.ALERT, Action.UPDATE),
        # Only the actions the reader may take are shown (the server refuses the rest too).
        can_plan=allowed(principal, Resource.PLAN, Action.UPDATE),
        can_enter_paper=allowed(principal, Resource.OUTCOME, Action.CREATE),
        back=f"/days/{station_id}/{day}",
        violations=VIOLATIONS,
        plan_seconds=PLAN_TIME_LIMIT_SECONDS,
        max_seconds=MAX_TIME_LIMIT_SECONDS,
        teams=teams_of(session, principal, station_id),
        team=team,
    )


def _drift(drift: DayDrift, plan: PlanPublic | None) -> DayDrift:
    """What the coordinator has to act on: tasks no longer due that are still open or on
    the plan's routes (a re-plan leaves them out: then nothing is left to do), and services
    due with no task."""
    routed = {stop.task_id for route in plan.routes for stop in route.stops} if plan else set()
    gone = [
        g.model_copy(update={"planned": g.task_id in routed})
        for g in drift.gone
        if not g.planned or g.task_id in routed
    ]
    return drift.model_copy(update={"gone": gone})


def _of_team(
    work: DayWork, plan: PlanPublic | None, clients: set[int], volunteers: set[int]
) -> tuple[DayWork, PlanPublic | None]:
    """The day as one team sees it: its clients' tasks, its volunteers' routes and free
    volunteers, its clients left unplanned."""
    work = work.model_copy(
        update={
            "tasks": [t for t in work.tasks if t.client_id in clients],
            "volunteers": [v for v in work.volunteers if v.volunteer_id in volunteers],
        }
    )
    if plan is not None:
        plan = plan.model_copy(
            update={
                "routes": [r for r in plan.routes if r.volunteer_id in volunteers],
                "unplanned": [s for s in plan.unplanned if s.client_id in clients],
            }
        )
    return work, plan


def _map(
    station: Station,
    sites: list[Site],
    plan: PlanPublic | None,
    ways: dict[int, Way],
    tiles: str | None,
) -> dict[str, Any]:
    """What the page's map draws: the station, its sites, each route (along the streets
    where the station has a street map), the unplanned."""
    routes = plan.routes if plan else []
    return {
        "station": [station.lat, station.lon],
        "sites": [[s.lat, s.lon, s.name] for s in sites if s.lat is not None],
        "routes": [
            {
                "colour": ROUTE_COLOURS[n % len(ROUTE_COLOURS)],
                "name": route.volunteer_name,
                "stops": [[s.lat, s.lon, s.client_name] for s in route.stops if s.lat],
                "way": ways.get(route.id),
            }
            for n, route in enumerate(routes)
        ],
        "unplanned": [[s.lat, s.lon, s.client_name] for s in (plan.unplanned if plan else [])],
        "tiles": tiles,
    }


@router.get("/map/streets.json", response_model=None)
def streets(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    """The streets of the configured map extract, for maps drawn without tiles."""
    if signed_in(request, session) is None:
        return JSONResponse({"detail": "log in first"}, status_code=401)
    if not isinstance(services.travel, RoadNetwork):
        return JSONResponse({"segments": []})
    segments = services.travel.streets().round(6).tolist()
    return JSONResponse({"segments": segments}, headers={"Cache-Control": "private, max-age=86400"})
