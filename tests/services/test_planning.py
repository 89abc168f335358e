"""Planning a day as a background job in a process of its own: success, crash, time-out
and cancel, each leaving earlier plans as they were."""

import itertools
import os
import signal
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from dispatch.access import Principal
from dispatch.clients.schemas import ClientUpdate
from dispatch.clients.service import ClientService
from dispatch.days.service import DayService
from dispatch.errors import Conflict, Forbidden, InvalidInput, NotFound
from dispatch.planning.edits import PlanEdits
from dispatch.planning.problem import build_problem
from dispatch.planning.runner import PROGRESS_SECONDS, Finished, Outcome, ProcessRunner
from dispatch.planning.schemas import Edit, LockRoute, MoveStop, PinStop, PlanningRequest
from dispatch.planning.service import PlanningService
from dispatch.planning.sheets import day_sheets
from dispatch.rounds.service import my_days, my_route
from dispatch.teams.schemas import TeamCreate
from dispatch.teams.service import TeamService
from dispatch.volunteers.schemas import VolunteerUpdate
from dispatch.volunteers.service import VolunteerService
from models import Client, Menu, PlanningJob, Site, Station, Task, Volunteer
from models.enums import JobStatus, PlanStatus, Role, SiteKind, StopKind, TaskStatus, TeamKind
from routing import GreatCircle, Progress, SolveParams
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)
from tests.routing.builders import problem, visit, volunteer

DAY = date(2026, 11, 24)  # a Tuesday


@pytest.fixture
def runner() -> ProcessRunner:
    # Starting the planner's process (it imports the solver) took over two seconds on a slow
    # machine beside a busy test run: a grace of one second timed out a one-second plan.
    return ProcessRunner(grace_seconds=10.0)


@pytest.fixture
def planning(runner: ProcessRunner) -> PlanningService:
    return PlanningService(runner, GreatCircle(), DayService())


@pytest.fixture
def station(session: Session) -> Station:
    """Eight clients with lunch or medicine, three volunteers free on Tuesdays."""
    station = create_station(session)
    kitchen = create_site(session, station=station, kind=SiteKind.KITCHEN)
    pharmacy = create_site(session, station=station, kind=SiteKind.PHARMACY, lat=32.048)
    for n in range(8):
        client = create_client(
            session, station=station, name=f"客户{n}", lat=32.04 + n * 0.002, lon=118.77
        )
        if n % 4 == 3:
            create_schedule(session, client=client, site=pharmacy, kind="medicine")
        else:
            create_schedule(session, client=client, site=kitchen, max_ride_minutes=45)
    for n in range(3):
        volunteer = create_volunteer(session, station=station, name=f"志愿者{n}")
        create_availability(
            session, volunteer=volunteer, weekday=1, start_time=clock(10), end_time=clock(14)
        )
    return station


@pytest.fixture
def coordinator(station: Station) -> Principal:
    return Principal(user_id=None, role=Role.COORDINATOR, station_ids=frozenset({ident(station)}))


def plan(
    planning: PlanningService,
    session: Session,
    who: Principal,
    station: Station,
    seconds: float,
) -> PlanningJob:
    DayService().generate(session, who, ident(station), DAY)
    request = PlanningRequest(time_limit_seconds=seconds)
    return planning.start(session, who, ident(station), DAY, request)


def wait(session: Session, job: PlanningJob, until: set[JobStatus], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        session.rollback()  # a new transaction sees what the job's thread wrote
        session.refresh(job)
        if job.status in until:
            return
        assert time.monotonic() < deadline, f"job still {job.status}"
        time.sleep(0.1)


def running(session: Session, job: PlanningJob) -> int:
    """The pid of the job's process once the planner has reported progress."""
    deadline = time.monotonic() + 60
    while True:
        session.rollback()
        session.refresh(job)
        if job.worker_pid and job.best_cost is not None:
            return job.worker_pid
        assert time.monotonic() < deadline, f"job still {job.status}"
        time.sleep(0.1)


def test_a_planned_day_is_a_draft_with_routes_times_and_reasons(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    job = plan(planning, session, coordinator, station, 2)
    wait(session, job, {JobStatus.SUCCEEDED, JobStatus.FAILED})
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert job.plan_id is not None
    draft = planning.plan(session, coordinator, job.plan_id)
    assert draft.status is PlanStatus.DRAFT
    assert job.planned_stops == draft.planned_stops  # progress said how many as it went
    assert draft.planned_stops + draft.unplanned_stops == 8
    assert all(stop.reason and stop.explanation for stop in draft.unplanned)
    for route in draft.routes:
        starts = [stop.start or "" for stop in route.stops]
        assert "" not in starts
        assert starts == sorted(starts)  # in order, with times
        kinds = [stop.kind for stop in route.stops]
        assert kinds.count(StopKind.PICKUP) == kinds.count(StopKind.DOOR)  # all collected
    statuses = session.exec(select(Task.status)).all()
    assert statuses.count(TaskStatus.PLANNED) == draft.planned_stops
    assert planning.latest(session, coordinator, ident(station), DAY).id == draft.id


@pytest.mark.parametrize("ending", ["crash", "time-out", "cancel"])
def test_a_job_that_does_not_finish_leaves_the_previous_plan(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
    ending: str,
) -> None:
    first = plan(planning, session, coordinator, station, 1)
    wait(session, first, {JobStatus.SUCCEEDED})
    job = plan(planning, session, coordinator, station, 60 if ending != "time-out" else 1)
    pid = running(session, job)
    if ending == "crash":
        os.kill(pid, signal.SIGKILL)
    elif ending == "time-out":
        os.kill(pid, signal.SIGSTOP)  # hangs: no answer within the limit and its grace
    else:
        planning.cancel(session, coordinator, ident(job))
    expected = {
        "crash": JobStatus.FAILED,
        "time-out": JobStatus.TIMED_OUT,
        "cancel": JobStatus.CANCELLED,
    }[ending]
    wait(session, job, {expected}, seconds=30)
    assert job.plan_id is None
    assert job.error
    assert planning.latest(session, coordinator, ident(station), DAY).id == first.plan_id


def test_one_job_at_a_time_for_a_day(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    job = plan(planning, session, coordinator, station, 60)
    with pytest.raises(Exception, match="already planning this day"):
        plan(planning, session, coordinator, station, 1)
    planning.cancel(session, coordinator, ident(job))
    wait(session, job, {JobStatus.CANCELLED})


def test_re_planning_keeps_locks_and_pins_and_moves_the_sick_volunteers_stops(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    edits = PlanEdits(GreatCircle(), DayService())
    first = plan(planning, session, coordinator, station, 1)
    wait(session, first, {JobStatus.SUCCEEDED})
    assert first.plan_id is not None
    draft = planning.plan(session, coordinator, first.plan_id)
    assert len(draft.routes) >= 2, "the day needs two routes for this test"
    locked, sick = draft.routes[0], draft.routes[1]
    revision = draft.revision
    edits.lock_route(session, coordinator, draft.id, locked.id, LockRoute(revision=revision))
    with pytest.raises(Conflict, match="changed by someone else"):
        edits.lock_route(session, coordinator, draft.id, sick.id, LockRoute(revision=revision))
    edits.volunteer_off(
        session, coordinator, draft.id, sick.volunteer_id, Edit(revision=revision + 1)
    )
    session.commit()

    again = plan(planning, session, coordinator, station, 1)
    wait(session, again, {JobStatus.SUCCEEDED, JobStatus.FAILED})
    assert again.plan_id is not None, again.error
    replanned = planning.plan(session, coordinator, again.plan_id)
    assert replanned.based_on_id == draft.id
    routes = {route.volunteer_id: route for route in replanned.routes}
    assert sick.volunteer_id not in routes
    kept = routes[locked.volunteer_id]
    assert kept.locked
    assert [(s.task_id, s.kind, s.start) for s in kept.stops] == [
        (s.task_id, s.kind, s.start) for s in locked.stops
    ]
    sick_tasks = {stop.task_id for stop in sick.stops}
    assert replanned.moved_stops >= len(sick_tasks) - sum(
        1 for stop in replanned.unplanned if stop.task_id in sick_tasks
    )
    assert replanned.planned_stops + replanned.unplanned_stops == 8


def test_publishing_versions_the_plan_and_marks_changed_routes(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    edits = PlanEdits(GreatCircle(), DayService())
    first = plan(planning, session, coordinator, station, 1)
    wait(session, first, {JobStatus.SUCCEEDED})
    assert first.plan_id is not None
    draft = planning.plan(session, coordinator, first.plan_id)
    edits.publish(session, coordinator, draft.id, Edit(revision=draft.revision))
    session.commit()
    published = planning.latest(session, coordinator, ident(station), DAY)
    assert (published.id, published.status, published.version) == (draft.id, "published", 1)
    assert not any(route.needs_recheck for route in published.routes)  # first version
    with pytest.raises(Conflict, match="only a draft"):
        edits.publish(session, coordinator, draft.id, Edit(revision=published.revision))

    second = plan(planning, session, coordinator, station, 1)
    wait(session, second, {JobStatus.SUCCEEDED})
    assert second.plan_id is not None
    redraft = planning.plan(session, coordinator, second.plan_id)
    busiest = max(redraft.routes, key=lambda route: len(route.stops))
    edits.volunteer_off(
        session, coordinator, redraft.id, busiest.volunteer_id, Edit(revision=redraft.revision)
    )
    session.commit()
    third = plan(planning, session, coordinator, station, 1)
    wait(session, third, {JobStatus.SUCCEEDED})
    assert third.plan_id is not None
    new = planning.plan(session, coordinator, third.plan_id)
    edits.publish(session, coordinator, new.id, Edit(revision=new.revision))
    session.commit()
    current = planning.latest(session, coordinator, ident(station), DAY)
    assert (current.id, current.version, current.based_on_id) == (new.id, 3, draft.id)
    assert planning.plan(session, coordinator, draft.id).status == "superseded"
    old = {r.volunteer_id: [(s.task_id, s.start) for s in r.stops] for r in published.routes}
    flagged = []
    for route in current.routes:
        changed = old.get(route.volunteer_id) != [(s.task_id, s.start) for s in route.stops]
        assert route.needs_recheck == changed
        flagged.append(changed)
    assert any(flagged)  # the sick volunteer's stops went to someone


def test_moving_a_stop_by_hand_times_both_routes_pins_it_and_warns(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    edits = PlanEdits(GreatCircle(), DayService())
    job = plan(planning, session, coordinator, station, 1)
    wait(session, job, {JobStatus.SUCCEEDED})
    assert job.plan_id is not None
    draft = planning.plan(session, coordinator, job.plan_id)
    giver, taker = draft.routes[0], draft.routes[1]
    door = next(stop for stop in giver.stops if stop.kind is StopKind.DOOR)
    task = session.get(Task, door.task_id)
    assert task is not None
    task.required_skills = ["nursing"]  # nobody has it: the move must warn
    session.add(task)
    session.flush()

    moved, outcome = edits.move_stop(
        session,
        coordinator,
        draft.id,
        door.id,
        MoveStop(revision=draft.revision, volunteer_id=taker.volunteer_id, position=0),
    )
    after = planning.plan(session, coordinator, ident(moved))
    routes = {route.volunteer_id: route for route in after.routes}
    first_door = next(s for s in routes[taker.volunteer_id].stops if s.kind is StopKind.DOOR)
    assert first_door.task_id == door.task_id
    assert first_door.id == door.id  # the same stop, moved
    assert first_door.pinned
    assert door.task_id not in {s.task_id for s in routes[giver.volunteer_id].stops}
    for route in routes.values():
        starts = [s.start or "" for s in route.stops]
        assert starts == sorted(starts)
    assert "not_allowed" in [w.kind for w in outcome.warnings]
    assert outcome.eta_before == door.start
    assert outcome.eta_after == first_door.start
    assert after.revision == draft.revision + 1
    assert after.planned_stops == draft.planned_stops
    with pytest.raises(InvalidInput, match="not free"):
        edits.move_stop(
            session,
            coordinator,
            draft.id,
            door.id,
            MoveStop(revision=after.revision, volunteer_id=999_999),
        )


def test_kitchen_sheets_count_per_route_and_labels_flag_allergy_clashes(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    kitchen = session.exec(select(Site).where(Site.kind == SiteKind.KITCHEN)).one()
    allergic = session.exec(select(Client).where(Client.name == "客户0")).one()
    allergic.allergies = ["花生"]
    session.add(allergic)
    session.add(
        Menu(
            station_id=ident(station),
            site_id=ident(kitchen),
            service_date=DAY,
            diet=allergic.diet,
            dish="宫保鸡丁",
            allergens=["花生"],
        )
    )
    session.commit()
    job = plan(planning, session, coordinator, station, 1)
    wait(session, job, {JobStatus.SUCCEEDED})
    assert job.plan_id is not None
    draft = planning.plan(session, coordinator, job.plan_id)
    sheets = day_sheets(session, coordinator, job.plan_id)

    meals = [s for r in draft.routes for s in r.stops if s.kind is StopKind.PICKUP]
    by_site = {sheet.site_name: sheet for sheet in sheets.sites}
    assert sum(sum(sheet.counts.values()) for sheet in sheets.sites) == len(meals)
    assert by_site[kitchen.name].counts == {"regular": 6}  # clients 0-2, 4-6; 3 and 7: medicine
    for sheet in sheets.sites:
        assert sum(sum(r.counts.values()) for r in sheet.routes) == sum(sheet.counts.values())
        assert [r.pickup for r in sheet.routes] == sorted(r.pickup for r in sheet.routes)
    [clash] = [label for label in sheets.labels if label.clash]
    assert (clash.client_name, clash.dish, clash.clash) == ("客户0", "宫保鸡丁", ["花生"])
    assert len(sheets.labels) == 6


def test_a_volunteer_sees_only_their_own_published_route_and_only_what_the_door_needs(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    job = plan(planning, session, coordinator, station, 1)
    wait(session, job, {JobStatus.SUCCEEDED})
    assert job.plan_id is not None
    draft = planning.plan(session, coordinator, job.plan_id)
    mine = draft.routes[0]
    me = Principal(
        user_id=None,
        role=Role.VOLUNTEER,
        station_ids=frozenset({ident(station)}),
        volunteer_id=mine.volunteer_id,
    )
    with pytest.raises(NotFound):
        my_route(session, me, DAY)  # a draft is not for volunteers
    PlanEdits(GreatCircle(), DayService()).publish(
        session, coordinator, draft.id, Edit(revision=draft.revision)
    )
    session.commit()

    route = my_route(session, me, DAY)
    doors = [s for s in mine.stops if s.kind is StopKind.DOOR]
    assert [s.client_name for s in route.stops] == [s.client_name for s in doors]
    assert [s.eta for s in route.stops] == [s.start for s in doors]
    assert sum(sum(c.counts.values()) for c in route.collect) == len(mine.stops) - len(doors)
    fields = set(route.stops[0].model_dump())
    assert {"address", "floor", "key_box", "access_notes", "diet", "phone"} <= fields
    assert not fields & {"health_notes", "emergency_contact_name", "emergency_contact_phone"}
    assert my_days(session, me, DAY) == [DAY]

    idle = session.exec(select(Volunteer).where(Volunteer.station_id == ident(station))).all()
    others = [v for v in idle if v.id not in {r.volunteer_id for r in draft.routes}]
    if others:
        nobody = Principal(
            user_id=None,
            role=Role.VOLUNTEER,
            station_ids=frozenset({ident(station)}),
            volunteer_id=others[0].id,
        )
        with pytest.raises(NotFound):
            my_route(session, nobody, DAY)
    with pytest.raises(Forbidden):
        my_route(session, coordinator, DAY)


class _Queue:
    """The planning queue as the service sees it: the jobs handed over, in order. (A real
    broker and workers are in tests/test_planning_queue.py; this is what a message finds.)"""

    def __init__(self) -> None:
        self.sent: list[tuple[int, bool]] = []

    def submit(self, job_id: int, urgent: bool) -> None:
        self.sent.append((job_id, urgent))


def test_a_worker_drops_a_message_whose_job_was_superseded_cancelled_or_lost_twice(
    runner: ProcessRunner,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    queue = _Queue()
    planning = PlanningService(runner, GreatCircle(), DayService(), queue)
    first = plan(planning, session, coordinator, station, 1)
    assert first.status is JobStatus.QUEUED
    assert queue.sent == [(ident(first), False)]  # the day's first plan: the bulk lane
    # The message waited long; meanwhile the job was failed as lost and a new one began.
    first.status = JobStatus.FAILED
    session.add(first)
    session.commit()
    newer = planning.start(session, coordinator, ident(station), DAY, PlanningRequest())
    planning.run_queued(engine, ident(first))  # a late delivery of the first message
    session.refresh(first)
    assert (first.status, first.attempts) == (JobStatus.FAILED, 0)

    # A job still queued when a newer job of the day exists (two servers racing): superseded.
    stale = save_job(session, station, JobStatus.QUEUED)
    save_job(session, station, JobStatus.SUCCEEDED)
    planning.run_queued(engine, ident(stale))
    session.refresh(stale)
    assert stale.status is JobStatus.FAILED
    assert "newer planning job" in stale.error

    # Cancelled while it waited: dropped, and not begun.
    cancelled = planning.cancel(session, coordinator, ident(newer))
    assert cancelled.status is JobStatus.CANCELLED
    session.commit()
    planning.run_queued(engine, ident(newer))
    session.refresh(newer)
    assert (newer.status, newer.attempts) == (JobStatus.CANCELLED, 0)

    # Begun twice by workers that died: failed, not begun a third time.
    save_job(session, station, JobStatus.FAILED)
    lost = save_job(session, station, JobStatus.RUNNING, attempts=2, watcher="gone-host:1")
    planning.run_queued(engine, ident(lost))
    session.refresh(lost)
    assert (lost.status, lost.attempts) == (JobStatus.FAILED, 2)
    assert "stopped twice" in lost.error


def test_a_job_whose_worker_died_once_is_queued_again_when_read(
    runner: ProcessRunner,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    queue = _Queue()
    planning = PlanningService(runner, GreatCircle(), DayService(), queue)
    DayService().generate(session, coordinator, ident(station), DAY)
    lost = save_job(session, station, JobStatus.RUNNING, attempts=1, watcher="gone-host:1")
    found = planning.job(session, coordinator, ident(lost))
    assert (found.status, found.urgent) == (JobStatus.QUEUED, True)
    assert queue.sent == [(ident(lost), True)]
    planning.run_queued(engine, ident(lost))  # a worker takes it: the second attempt
    session.rollback()  # a new transaction sees what the worker wrote
    session.refresh(lost)
    assert (lost.status, lost.attempts) == (JobStatus.SUCCEEDED, 2), lost.error


def save_job(
    session: Session, station: Station, status: JobStatus, attempts: int = 0, watcher: str = ""
) -> PlanningJob:
    """A job as a worker finds it; a stale heartbeat when it runs."""
    stale = datetime.now(UTC) - timedelta(minutes=1)
    job = PlanningJob(
        station_id=ident(station),
        service_date=DAY,
        status=status,
        time_limit_seconds=1,
        heartbeat_at=stale if status is JobStatus.RUNNING else None,
        attempts=attempts,
        watcher=watcher,
    )
    session.add(job)
    session.commit()
    return job


def test_a_client_who_volunteers_is_never_sent_to_their_own_door(
    planning: PlanningService,
    session: Session,
    engine: Engine,
    coordinator: Principal,
    station: Station,
) -> None:
    volunteers = VolunteerService(None)
    clients = list(session.exec(select(Client).where(Client.station_id == ident(station))))
    crew = list(session.exec(select(Volunteer).where(Volunteer.station_id == ident(station))))
    me, client = crew[0], clients[0]
    volunteers.update(session, coordinator, ident(me), VolunteerUpdate(client_id=ident(client)))
    for other in crew[1:]:  # the client who volunteers is the only one working today
        volunteers.update(session, coordinator, ident(other), VolunteerUpdate(active=False))
    with pytest.raises(InvalidInput, match="is volunteer"):  # one person, one volunteer
        volunteers.update(
            session, coordinator, ident(crew[1]), VolunteerUpdate(client_id=ident(client))
        )
    elsewhere = create_client(session, station=create_station(session))
    with pytest.raises(InvalidInput, match="not a client of this station"):
        volunteers.update(
            session, coordinator, ident(crew[1]), VolunteerUpdate(client_id=ident(elsewhere))
        )
    session.commit()

    job = plan(planning, session, coordinator, station, 1)
    wait(session, job, {JobStatus.SUCCEEDED, JobStatus.FAILED})
    assert job.plan_id is not None, job.error
    draft = planning.plan(session, coordinator, job.plan_id)
    (route,) = draft.routes
    assert route.volunteer_id == ident(me)
    assert client.id not in {stop.client_id for stop in route.stops}
    assert route.stops  # the rest of the day is theirs
    (own,) = [stop for stop in draft.unplanned if stop.client_id == client.id]
    assert own.explanation  # said why

    edits = PlanEdits(GreatCircle(), DayService())
    with pytest.raises(InvalidInput, match="own door"):
        edits.move_stop(
            session,
            coordinator,
            draft.id,
            own.id,
            MoveStop(revision=draft.revision, volunteer_id=ident(me)),
        )
    with pytest.raises(InvalidInput, match="own door"):
        edits.pin_stop(
            session,
            coordinator,
            draft.id,
            own.id,
            PinStop(revision=draft.revision, volunteer_id=ident(me)),
        )


def test_a_clients_team_volunteers_are_preferred_for_their_stops(
    session: Session, coordinator: Principal, station: Station
) -> None:
    teams, days = TeamService(), DayService()
    east = teams.create(session, coordinator, TeamCreate(station_id=ident(station), name="东片"))
    point = teams.create(
        session,
        coordinator,
        TeamCreate(station_id=ident(station), name="王家村服务点", kind=TeamKind.VILLAGE_POINT),
    )
    crew = list(session.exec(select(Volunteer).where(Volunteer.station_id == ident(station))))
    clients = list(session.exec(select(Client).where(Client.station_id == ident(station))))
    volunteers = VolunteerService(None)
    volunteers.update(session, coordinator, ident(crew[0]), VolunteerUpdate(team_id=ident(east)))
    volunteers.update(session, coordinator, ident(crew[1]), VolunteerUpdate(team_id=ident(point)))
    ClientService(None).update(
        session, coordinator, ident(clients[0]), ClientUpdate(team_id=ident(east))
    )
    other = create_station(session)
    elsewhere = teams.create(
        session, coordinator_of(other), TeamCreate(station_id=ident(other), name="别站")
    )
    with pytest.raises(InvalidInput, match="not a team of this station"):
        volunteers.update(
            session, coordinator, ident(crew[2]), VolunteerUpdate(team_id=ident(elsewhere))
        )

    days.generate(session, coordinator, ident(station), DAY)
    work = days.get(session, coordinator, ident(station), DAY)
    tasks = list(session.exec(select(Task).where(Task.station_id == ident(station))))
    built = build_problem(session, station, DAY, tasks, work.volunteers, GreatCircle())
    teamed = {built.task_of[job.id]: job.team for job in built.problem.jobs}
    task_of_client = {task.client_id: ident(task) for task in tasks}
    assert teamed[task_of_client[ident(clients[0])]] == {f"v{ident(crew[0])}"}
    assert teamed[task_of_client[ident(clients[1])]] == frozenset()  # no team: no preference


def test_the_plan_shows_which_clients_their_regular_volunteer_serves(
    planning: PlanningService, session: Session, coordinator: Principal, station: Station
) -> None:
    """Continuity as the coordinator reads it: each door brought by a volunteer the client
    knows is marked, and the plan counts the clients who get theirs (a hand move shows)."""
    job = plan(planning, session, coordinator, station, 1)
    wait(session, job, {JobStatus.SUCCEEDED})
    assert job.plan_id is not None
    draft = planning.plan(session, coordinator, job.plan_id)
    assert (draft.with_regular, draft.by_regular) == (0, 0)  # nobody has a regular yet
    doors = [(r.volunteer_id, s) for r in draft.routes for s in r.stops if s.kind is StopKind.DOOR]
    regular, known = doors[0]
    _elsewhere, stranger = next(door for door in doors if door[0] != regular)
    clients = ClientService(None)
    for stop in (known, stranger):
        update = ClientUpdate(preferred_volunteer_ids=[regular])
        clients.update(session, coordinator, stop.client_id, update)

    shown = planning.plan(session, coordinator, draft.id)
    marked = [s.client_id for r in shown.routes for s in r.stops if s.regular]
    assert marked == [known.client_id]  # the door only: the pickup is not the client's
    assert (shown.with_regular, shown.by_regular) == (2, 1)

    edits = PlanEdits(GreatCircle(), DayService())
    edit = MoveStop(revision=shown.revision, volunteer_id=regular)
    moved, _outcome = edits.move_stop(session, coordinator, draft.id, stranger.id, edit)
    after = planning.plan(session, coordinator, ident(moved))
    assert {s.client_id for r in after.routes for s in r.stops if s.regular} == {
        known.client_id,
        stranger.client_id,
    }
    assert (after.with_regular, after.by_regular) == (2, 2)


def coordinator_of(station: Station) -> Principal:
    return Principal(user_id=None, role=Role.COORDINATOR, station_ids=frozenset({ident(station)}))


class _Heard:
    """A listener that keeps what the runner tells it, and when."""

    def __init__(self) -> None:
        self.progress_at: list[float] = []
        self.outcome: Outcome | None = None
        self.ended = threading.Event()

    def started(self, pid: int | None) -> None:
        return None

    def alive(self) -> bool:
        return True

    def progress(self, progress: Progress) -> None:
        self.progress_at.append(time.monotonic())

    def finished(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.ended.set()


def test_progress_is_passed_on_at_most_four_times_a_second(runner: ProcessRunner) -> None:
    """Each improvement is a database write: early in a search there are dozens a second."""
    points = [(x * 37 % 400, x * 53 % 400) for x in range(80)]
    jobs = [visit(f"j{i}", i) for i in range(1, 80)]
    crew = [volunteer(f"v{n}", start=0) for n in range(3)]
    heard = _Heard()
    runner.start(1, problem(points, crew, jobs), SolveParams(time_limit=3), heard)
    assert heard.ended.wait(60)
    assert isinstance(heard.outcome, Finished)
    assert len(heard.progress_at) >= 2
    gaps = [later - earlier for earlier, later in itertools.pairwise(heard.progress_at)]
    # The last may come sooner: what was pending when the plan came.
    assert min(gaps[:-1] or [PROGRESS_SECONDS]) >= PROGRESS_SECONDS * 0.95, gaps
