"""Completion of a station's service over a period, from the published plans and the outcomes.

A task counts as planned when it is on a route of its day's published plan, as unplanned when
that plan could not hold it. Its standing outcome (the last event) says whether it was
delivered, and whether in its window; a planned task with another outcome is missed, with
that outcome as the reason, and so is one without an outcome once its window is over
("no_outcome"); until then it is still to come (`pending`): at nine in the morning the
day's lunches are not missed. Every figure can be opened into the stops behind it
(`stops_behind`), so the dashboard, the reports and the raw events can be checked against
each other.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require, station_scope
from dispatch.errors import InvalidInput
from dispatch.i18n import N_
from dispatch.reports import repository
from dispatch.reports.history import round_spans
from dispatch.reports.schemas import (
    AcrossStations,
    Completion,
    DayFigures,
    StationRow,
    StopRow,
    TeamFigures,
)
from dispatch.teams import repository as teams
from models import Station
from models.common import utcnow
from models.enums import AlertStatus, OutcomeKind

Figure = Literal["planned", "delivered", "late", "missed", "pending", "unplanned"]
MAX_DAYS = 366


@dataclass
class _Stop:
    day: date
    task_id: int
    kind: str
    window_end: time | None
    client_id: int
    client_name: str
    volunteer_id: int | None
    volunteer_name: str | None
    reason: str
    outcome: str | None  # the standing outcome's kind
    recorded_at: datetime | None
    late: bool
    pending: bool  # no outcome yet, and its window not over


def completion(
    session: Session,
    principal: Principal,
    station_id: int,
    first: date,
    last: date,
    team_id: int | None = None,
    now: datetime | None = None,
) -> Completion:
    """The station's figures; with `team_id`, those of the team: its clients' stops and
    alerts, its volunteers' routes and hours. `now`: what is still to come (default: now)."""
    station = _station(session, principal, station_id, first, last)
    stops = _stops(session, station, first, last, now or utcnow())
    plans = repository.published_plans(session, station_id, first, last)
    routes = repository.routes_of_plans(session, [p.id for p in plans])
    alerts = repository.alerts_of_period(session, station_id, first, last)
    volunteers: set[int] | None = None
    if team_id is not None:
        clients, volunteers = _team(session, station_id, team_id)
        stops = [s for s in stops if s.client_id in clients]
        routes = [r for r in routes if r.volunteer_id in volunteers]
        alerts = [a for a in alerts if a.client_id in clients]
    planned = [s for s in stops if s.volunteer_id is not None]
    delivered = [s for s in planned if _delivered(s)]
    missed = [s for s in planned if _missed(s)]
    minutes = [
        (a.resolved_at - a.raised_at).total_seconds() / 60
        for a in alerts
        if a.resolved_at is not None
    ]
    days = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        of_day = [s for s in stops if s.day == day]
        if not of_day:
            continue
        on_route = [s for s in of_day if s.volunteer_id is not None]
        days.append(
            DayFigures(
                day=day,
                planned=len(on_route),
                delivered=sum(1 for s in on_route if _delivered(s)),
                late=sum(1 for s in on_route if _delivered(s) and s.late),
                missed=sum(1 for s in on_route if _missed(s)),
                pending=sum(1 for s in on_route if s.pending),
                unplanned=len(of_day) - len(on_route),
            )
        )
    return Completion(
        station_id=station_id,
        first=first,
        last=last,
        planned=len(planned),
        delivered=len(delivered),
        late=sum(1 for s in delivered if s.late),
        missed=len(missed),
        missed_by_reason=dict(sorted(Counter(s.outcome or "no_outcome" for s in missed).items())),
        pending=sum(1 for s in planned if s.pending),
        unplanned=len(stops) - len(planned),
        by_kind=dict(sorted(Counter(s.kind for s in delivered).items())),
        alerts_raised=len(alerts),
        alerts_open=sum(1 for a in alerts if a.status is AlertStatus.OPEN),
        alerts_resolved=sum(1 for a in alerts if a.status is AlertStatus.RESOLVED),
        median_minutes_to_resolve=round(statistics.median(minutes), 1) if minutes else None,
        distance_km=round(sum(r.distance_m for r in routes) / 1000, 1),
        volunteers=len({r.volunteer_id for r in routes}),
        volunteer_hours=_hours(session, station_id, first, last, volunteers),
        days=days,
        by_team=_by_team(session, station_id, stops) if team_id is None else [],
        team_id=team_id,
    )


def _team(session: Session, station_id: int, team_id: int) -> tuple[set[int], set[int]]:
    """The team's clients and volunteers; a team of another station is not found."""
    if team_id not in repository.team_names(session, station_id):
        raise InvalidInput.field(
            "team", N_("team %(team)s is not a team of this station"), team=team_id
        )
    return teams.members(session, team_id)


def _by_team(session: Session, station_id: int, stops: list[_Stop]) -> list[TeamFigures]:
    """Each team's clients' figures, in the order of the team names; then those of no team."""
    names = repository.team_names(session, station_id)
    if not names:
        return []
    team_of = repository.teams_of_clients(session, station_id)
    grouped: dict[int | None, list[_Stop]] = {}
    for stop in stops:
        grouped.setdefault(team_of.get(stop.client_id), []).append(stop)
    order = sorted(names, key=lambda team: names[team])
    rows = []
    for team in [*order, None]:
        own = grouped.get(team, [])
        if team is None and not own:
            continue
        on_route = [s for s in own if s.volunteer_id is not None]
        rows.append(
            TeamFigures(
                team_id=team,
                team_name=names.get(team, "") if team is not None else "",
                planned=len(on_route),
                delivered=sum(1 for s in on_route if _delivered(s)),
                late=sum(1 for s in on_route if _delivered(s) and s.late),
                missed=sum(1 for s in on_route if _missed(s)),
                pending=sum(1 for s in on_route if s.pending),
                unplanned=len(own) - len(on_route),
            )
        )
    return rows


def across_stations(
    session: Session, principal: Principal, first: date, last: date
) -> AcrossStations:
    """Every station the user reaches, side by side, and their sums."""
    require(principal, Resource.PLAN, Action.READ)
    rows = []
    for station in repository.stations(session, station_scope(principal)):
        assert station.id is not None
        figures = completion(session, principal, station.id, first, last)
        rows.append(StationRow(station_id=station.id, station_name=station.name, figures=figures))
    return AcrossStations(
        first=first,
        last=last,
        stations=rows,
        planned=sum(r.figures.planned for r in rows),
        delivered=sum(r.figures.delivered for r in rows),
        late=sum(r.figures.late for r in rows),
        missed=sum(r.figures.missed for r in rows),
        pending=sum(r.figures.pending for r in rows),
        unplanned=sum(r.figures.unplanned for r in rows),
        alerts_raised=sum(r.figures.alerts_raised for r in rows),
        alerts_open=sum(r.figures.alerts_open for r in rows),
        volunteers=sum(r.figures.volunteers for r in rows),
        volunteer_hours=round(sum(r.figures.volunteer_hours for r in rows), 1),
    )


def stops_behind(
    session: Session,
    principal: Principal,
    station_id: int,
    first: date,
    last: date,
    figure: Figure,
    reason: str | None = None,
    team_id: int | None = None,
    now: datetime | None = None,
) -> list[StopRow]:
    """The stops a figure counts (for `missed`, optionally those of one reason; with
    `team_id`, of the team's clients)."""
    station = _station(session, principal, station_id, first, last)
    stops = _stops(session, station, first, last, now or utcnow())
    if team_id is not None:
        clients, _volunteers = _team(session, station_id, team_id)
        stops = [s for s in stops if s.client_id in clients]
    chosen = []
    for s in stops:
        on_route = s.volunteer_id is not None
        keep = {
            "planned": on_route,
            "delivered": on_route and _delivered(s),
            "late": on_route and _delivered(s) and s.late,
            "missed": on_route and _missed(s),
            "pending": on_route and s.pending,
            "unplanned": not on_route,
        }[figure]
        if keep and figure == "missed" and reason is not None:
            keep = (s.outcome or "no_outcome") == reason
        if keep:
            chosen.append(s)
    return [
        StopRow(
            day=s.day,
            task_id=s.task_id,
            client_id=s.client_id,
            client_name=s.client_name,
            kind=s.kind,
            volunteer_id=s.volunteer_id,
            volunteer_name=s.volunteer_name,
            window_end=s.window_end.strftime("%H:%M") if s.window_end else None,
            outcome=s.outcome,
            recorded_at=s.recorded_at,
            late=s.late,
            reason=s.reason,
        )
        for s in chosen
    ]


def _station(
    session: Session, principal: Principal, station_id: int, first: date, last: date
) -> Station:
    require(principal, Resource.PLAN, Action.READ)
    station = reachable(session, principal, Station, station_id, "station")
    if last < first or (last - first).days >= MAX_DAYS:
        raise InvalidInput.field(
            "last", N_("give a period of 1 to %(most)s days, first to last"), most=MAX_DAYS
        )
    return station


def _stops(
    session: Session, station: Station, first: date, last: date, now: datetime
) -> list[_Stop]:
    """Each task of the period's published plans once: its door stop, or its unplanned row.
    Columns, not records: a month is thousands of stops."""
    assert station.id is not None
    rows = repository.door_rows(session, station.id, first, last)
    latest = repository.standing_outcomes(session, station.id, first, last)
    zone = ZoneInfo(station.timezone)
    stops = []
    for day, reason, volunteer_id, task_id, kind, window_end, client_id, name, by in rows:
        outcome = latest.get(task_id)
        # Its window's end (a task without one: the end of its day).
        due = (
            datetime.combine(day, window_end, zone)
            if window_end is not None
            else datetime.combine(day + timedelta(days=1), time(0), zone)
        )
        late = outcome is not None and window_end is not None and outcome[1] > due
        stops.append(
            _Stop(
                day=day,
                task_id=task_id,
                kind=str(kind),
                window_end=window_end,
                client_id=client_id,
                client_name=name,
                volunteer_id=volunteer_id,
                volunteer_name=by,
                reason=reason,
                outcome=outcome[0].value if outcome else None,
                recorded_at=outcome[1] if outcome else None,
                late=late,
                pending=outcome is None and now < due,
            )
        )
    return stops


def _delivered(stop: _Stop) -> bool:
    return stop.outcome == OutcomeKind.DELIVERED.value


def _missed(stop: _Stop) -> bool:
    return not _delivered(stop) and not stop.pending


def _hours(
    session: Session, station_id: int, first: date, last: date, volunteers: set[int] | None
) -> float:
    """Hours between each volunteer's first start and last finish of each day (of the
    given volunteers only, if given)."""
    spans = round_spans(session, first, last, station_id=station_id)
    seconds = sum(
        max(0.0, (finish - start).total_seconds())
        for (volunteer, _day), (start, finish) in spans.items()
        if start is not None
        and finish is not None
        and (volunteers is None or volunteer in volunteers)
    )
    return round(seconds / 3600, 1)
