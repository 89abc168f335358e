"""Simulate a station's service over a period: every working day generated, planned,
published, and each door given an outcome, with misses, late deliveries, alerts (most
resolved) and the volunteers' start and finish, as the volunteers and the coordinator
would record them through the services.

    python scripts/simulate_history.py --first 2026-11-02 --last 2026-11-30 [--seconds 2]

uses the configured database (CAREROUTE_DATABASE_URL, else the SQLite file under data/) and
the demo station (loaded when missing). The times of the day (when a meal arrived, when an
alert was raised and resolved) are the simulated day's, not the moment the script runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dispatch import migrate
from dispatch.access import Principal, system_principal
from dispatch.alerts import service as alerts
from dispatch.alerts.schemas import ResolutionCreate, StepCreate
from dispatch.config import Settings
from dispatch.container import Services, build_services, travel_matrices
from dispatch.db import for_writing, make_engine
from dispatch.planning.runner import InlineRunner
from dispatch.planning.schemas import Edit, PlanningRequest
from dispatch.rounds.outcomes import mark_round, record_outcome
from dispatch.rounds.schemas import OutcomeCreate
from models import Alert, AlertStep, Plan, PlanningJob, PlanRoute, PlanStop, Station
from models.enums import (
    JobStatus,
    LadderStep,
    OutcomeKind,
    PlanStatus,
    Resolution,
    Role,
    RoundEvent,
    StopKind,
)
from routing import GreatCircle
from routing.reasons import Reason
from scripts.demo_station import STATION_CODE, load_demo_station

# What happens at a door, in a month of a real station (roughly).
KINDS = {
    OutcomeKind.DELIVERED: 0.90,
    OutcomeKind.NO_ANSWER: 0.03,
    OutcomeKind.REFUSED: 0.02,
    OutcomeKind.NOT_HOME: 0.03,
    OutcomeKind.UNREACHABLE: 0.01,
}
NO_OUTCOME = 0.01  # nobody recorded anything
LATE = 0.08  # delivered after the window
CONCERN = 0.02
RESOLVED = 0.85  # alerts closed within the day


def simulate(
    session: Session,
    services: Services,
    engine: Engine,
    station_id: int,
    first: date,
    last: date,
    *,
    seconds: float = 2.0,
    seed: int = 20261101,
) -> dict[str, int]:
    rng = random.Random(seed)
    office = system_principal("simulation")
    station = session.get(Station, station_id)
    assert station is not None
    zone = ZoneInfo(station.timezone)
    counts = {"days": 0, "outcomes": 0, "alerts": 0}
    day = first
    while day <= last:
        work = services.days.generate(session, office, station_id, day)
        session.commit()
        if work.open and work.tasks:
            _plan_and_publish(session, services, engine, office, station_id, day, seconds)
            counts["days"] += 1
            # Only the last day's alerts may still be open: a station leaves no door that
            # did not open unanswered for weeks.
            may_stay_open = day == last
            found = _deliver(session, office, station_id, day, zone, rng, may_stay_open)
            for key, n in found.items():
                counts[key] += n
        day += timedelta(days=1)
    return counts


def _plan_and_publish(
    session: Session,
    services: Services,
    engine: Engine,
    office: Principal,
    station_id: int,
    day: date,
    seconds: float,
) -> None:
    plan_id = _planned(session, services, office, station_id, day, seconds)
    plan = services.planning.plan(session, office, plan_id)
    if any(stop.reason == Reason.NOT_PLACED for stop in plan.unplanned):
        # Doors left out for lack of time: a coordinator, told so, plans the day again.
        plan_id = _planned(session, services, office, station_id, day, seconds)
        plan = services.planning.plan(session, office, plan_id)
    services.plan_edits.publish(session, office, plan.id, Edit(revision=plan.revision))
    session.commit()


def _planned(
    session: Session,
    services: Services,
    office: Principal,
    station_id: int,
    day: date,
    seconds: float,
) -> int:
    request = PlanningRequest(time_limit_seconds=seconds)
    job = services.planning.start(session, office, station_id, day, request)
    job_id = job.id
    deadline = time.monotonic() + 120 + 3 * seconds
    while True:
        session.rollback()  # hold no transaction while the job's thread writes
        if time.monotonic() > deadline:
            raise TimeoutError(f"planning {day} did not finish")
        time.sleep(0.2)
        done = session.get(PlanningJob, job_id, populate_existing=True)
        assert done is not None
        if done.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            break
    if done.plan_id is None:
        raise RuntimeError(f"planning {day} failed: {done.error}")
    return done.plan_id


def _deliver(
    session: Session,
    office: Principal,
    station_id: int,
    day: date,
    zone: ZoneInfo,
    rng: random.Random,
    may_stay_open: bool,
) -> dict[str, int]:
    counts = {"outcomes": 0, "alerts": 0}
    plan = _published(session, station_id, day)
    midnight = datetime.combine(day, datetime.min.time(), zone)
    routes = session.exec(select(PlanRoute).where(PlanRoute.plan_id == plan)).all()
    for route in routes:
        volunteer = Principal(
            user_id=None,
            role=Role.VOLUNTEER,
            station_ids=frozenset({station_id}),
            volunteer_id=route.volunteer_id,
            interface="simulation",
        )
        start = midnight + timedelta(seconds=route.depart_seconds + rng.randint(-300, 300))
        mark_round(session, volunteer, day, RoundEvent.STARTED, uuid.uuid4().hex, start)
        doors = session.exec(
            select(PlanStop)
            .where(PlanStop.route_id == route.id, PlanStop.kind == StopKind.DOOR)
            .order_by(PlanStop.position)  # type: ignore[arg-type]
        ).all()
        for stop in doors:
            if rng.random() < NO_OUTCOME:
                continue
            kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
            delay = rng.randint(25, 90) * 60 if rng.random() < LATE else rng.randint(-300, 300)
            at = midnight + timedelta(seconds=(stop.start_seconds or 0) + delay)
            body = OutcomeCreate(
                client_event_id=uuid.uuid4().hex,
                kind=kind,
                recorded_at=at.astimezone(UTC),
                concern=rng.random() < CONCERN,
            )
            assert stop.id is not None
            stored = record_outcome(session, volunteer, stop.id, body)
            counts["outcomes"] += 1
            alert = session.exec(select(Alert).where(Alert.outcome_id == stored.id)).first()
            if alert is not None:
                counts["alerts"] += 1
                _walk(session, office, alert, at, rng, may_stay_open)
        end = midnight + timedelta(seconds=route.arrive_seconds + rng.randint(0, 900))
        mark_round(session, volunteer, day, RoundEvent.FINISHED, uuid.uuid4().hex, end)
        session.commit()
    return counts


def _walk(
    session: Session,
    office: Principal,
    alert: Alert,
    at: datetime,
    rng: random.Random,
    may_stay_open: bool,
) -> None:
    """The coordinator calls within minutes, and mostly finds the client safe; the alert's
    clock, its step's included, is the day's."""
    assert alert.id is not None
    alert.raised_at = at + timedelta(minutes=1)
    session.add(alert)
    alerts.take_step(
        session, office, alert.id, StepCreate(step=LadderStep.CALL_CLIENT, result="模拟：已致电")
    )
    resolved = rng.random() < RESOLVED or not may_stay_open
    step = session.exec(select(AlertStep).where(AlertStep.alert_id == alert.id)).one()
    step.done_at = alert.raised_at + timedelta(minutes=rng.randint(2, 15))
    session.add(step)
    if resolved:
        alerts.resolve(
            session, office, alert.id, ResolutionCreate(resolution=Resolution.CLIENT_SAFE)
        )
        alert.resolved_at = step.done_at + timedelta(minutes=rng.randint(10, 180))
        session.add(alert)


def _published(session: Session, station_id: int, day: date) -> int:
    plan = session.exec(
        select(Plan).where(
            Plan.station_id == station_id,
            Plan.service_date == day,
            Plan.status == PlanStatus.PUBLISHED,
        )
    ).one()
    assert plan.id is not None
    return plan.id


def demo_past(monday: date, today: date) -> tuple[date, date]:
    """The demo's past, loaded on `today` with its first week from `monday`: the four weeks
    before that week, and the week's days before today."""
    return monday - timedelta(days=28), today - timedelta(days=1)


def demo_history(engine: Engine, days: tuple[date, date], seconds: float = 1.5) -> dict[str, int]:
    """Run the demo station's past `days` through the services, a week (seven days from the
    first) at a time: plans (a short time limit, planned in-process), outcomes with a few
    misses, alerts. A week with a published plan already is left as it is (loaded again
    weeks later, the demo gains the weeks since). The weeks are shared between this
    machine's cores (two at most): planning is most of the time, and each week is its own.

    `seconds`: each day's time limit (the demo's days are all planned at 1.5 s; at 1 s a
    few percent are left out)."""
    first, last = days
    with Session(engine) as session:
        station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
        assert station.id is not None
        published: set[date] = set(
            session.exec(
                select(col(Plan.service_date)).where(
                    Plan.station_id == station.id,
                    Plan.status == PlanStatus.PUBLISHED,
                    col(Plan.service_date) >= first,
                    col(Plan.service_date) <= last,
                )
            ).all()
        )
    weeks = [
        (start, end, seconds)
        for start, end in (
            (first + timedelta(days=n), min(last, first + timedelta(days=n + 6)))
            for n in range(0, (last - first).days + 1, 7)
        )
        if not any(start <= day <= end for day in published)
    ]
    if not weeks:
        return {"days": 0, "outcomes": 0, "alerts": 0}
    url = engine.url.render_as_string(hide_password=False)
    workers = max(1, min(2, os.cpu_count() or 1, len(weeks)))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(_simulate_week, [(url, station.id, *w) for w in weeks]))
    return {key: sum(r[key] for r in results) for key in ("days", "outcomes", "alerts")}


def _simulate_week(args: tuple[str, int, date, date, float]) -> dict[str, int]:
    """One week of the demo's past, in a process of its own (planned in that process)."""
    url, station_id, first, last, seconds = args
    engine = make_engine(url)
    services = build_services(None, GreatCircle(), runner=InlineRunner())
    try:
        with Session(for_writing(engine), expire_on_commit=False) as session:
            seed = 20261101 + first.toordinal()
            return simulate(
                session, services, engine, station_id, first, last, seconds=seconds, seed=seed
            )
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=date.fromisoformat, required=True)
    parser.add_argument("--last", type=date.fromisoformat, required=True)
    parser.add_argument("--seconds", type=float, default=2.0, help="planner time per day")
    args = parser.parse_args(argv)
    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    migrate.upgrade(engine)
    services = build_services(None, travel_matrices(settings))
    with Session(for_writing(engine), expire_on_commit=False) as session:
        station = session.exec(select(Station).where(Station.code == STATION_CODE)).first()
        if station is None:  # loaded on its fixed week; one there keeps its own week's dates
            load_demo_station(session, services)
            session.commit()
            station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
        assert station.id is not None
        counts = simulate(
            session, services, engine, station.id, args.first, args.last, seconds=args.seconds
        )
    print(counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
