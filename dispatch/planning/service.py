"""Planning a station's day: start the planner as a job, follow it, keep what it makes.

A job builds the day's problem from the open tasks and the free volunteers, runs the
planner in a process of its own, and on success stores a new draft plan: routes with ordered
stops and times, and every task it could not plan with the planner's reason. A crash, a
time-out or a cancel leaves every earlier plan as it was and says what happened.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, require, system_principal
from dispatch.audit import chain
from dispatch.crud.service import snapshot
from dispatch.days.service import DayService
from dispatch.db import session_scope
from dispatch.errors import Conflict, DispatchError, InvalidInput, NotFound, Unavailable
from dispatch.i18n import N_
from dispatch.planning import repository
from dispatch.planning.problem import DayProblem, build_problem, job_id, volunteer_id, worker_id
from dispatch.planning.runner import Finished, Outcome, Runner
from dispatch.planning.schemas import PlanningRequest, PlanPublic, RoutePublic, StopPublic
from dispatch.processes import THIS_PROCESS, gone
from dispatch.times import clock
from models import Plan, PlanningJob, PlanRoute, PlanStop
from models.common import utcnow
from models.enums import JobStatus, PlanStatus, StopKind, TaskStatus
from routing import MatrixProvider, Progress, SolveParams, sentence
from routing import Plan as Solution

log = logging.getLogger(__name__)


class JobQueue(Protocol):
    """Where jobs go when workers of their own plan them (`dispatch.planning.queue`)."""

    def submit(self, job_id: int, urgent: bool) -> None:
        """Hand the job to a worker; raises if the queue cannot be reached."""


class PlanningService:
    def __init__(
        self,
        runner: Runner,
        provider: MatrixProvider,
        days: DayService,
        queue: JobQueue | None = None,
        cores: int = 1,
    ) -> None:
        """`queue`: jobs go to workers through it; without one, `runner` plans them here.
        `cores`: searches side by side for each plan, the cheaper one kept."""
        self.runner = runner
        self.provider = provider
        self.days = days
        self.queue = queue
        self.cores = cores

    # --- jobs ----------------------------------------------------------------------------

    def start(
        self,
        session: Session,
        principal: Principal,
        station_id: int,
        day: date,
        request: PlanningRequest,
        hand_over: tuple[int, int] | None = None,
    ) -> PlanningJob:
        """Plan the day's open tasks in the background; the job reports its progress.

        `hand_over` (from, to): the route of one volunteer goes to another as it is, pinned
        to them, before the planner fits it to the new volunteer's day."""
        require(principal, Resource.PLAN, Action.CREATE)
        self.days.station(session, principal, station_id)
        busy = repository.active_job(session, station_id, day)
        # A lost job is failed, not queued again: this new job takes its place.
        if busy is not None and self.recover(session, [busy], requeue=False):
            busy = None  # its server is gone: it will never finish
        if busy is not None:
            raise Conflict(N_("planning job %(job)s is already planning this day"), job=busy.id)
        job = PlanningJob(
            station_id=station_id,
            service_date=day,
            time_limit_seconds=request.time_limit_seconds,
            requested_by=principal.user_id,
            watcher=WATCHER if self.queue is None else QUEUED_WATCHER,
            urgent=hand_over is not None or repository.newest_version(session, station_id, day) > 0,
            hand_over_from=hand_over[0] if hand_over else None,
            hand_over_to=hand_over[1] if hand_over else None,
        )
        # Here the day is built at once, so that what cannot be planned is said before a
        # job exists; a worker builds it when it takes the job (the server only checks).
        prepared = self._prepare(session, principal, job, build=self.queue is None)
        session.add(job)
        session.flush()
        self._audit(session, principal, "create", job, {})
        session.commit()  # the job's own thread, or a worker, reads and writes this row
        assert job.id is not None
        if self.queue is not None:
            self._submit(session, principal, job)
            return job
        assert prepared is not None
        # The job's own thread records its progress and result on the same database.
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        built, basis, params = prepared
        listener = _JobListener(engine, job.id, built, basis, principal)
        self.runner.start(job.id, built.problem, params, listener)
        return job

    def _prepare(
        self, session: Session, principal: Principal, job: PlanningJob, build: bool = True
    ) -> tuple[DayProblem, Basis, SolveParams] | None:
        """The job's problem, what it starts from and the solver's settings; with `build`
        False only the checks that it can be planned."""
        station_id, day = job.station_id, job.service_date
        station = self.days.station(session, principal, station_id)
        work = self.days.get(session, principal, station_id, day)
        if not work.open:
            raise InvalidInput.field(
                "day", N_("the station is closed that day: %(why)s"), why=work.closed_reason
            )
        tasks = repository.plannable_tasks(session, station_id, day)
        if not tasks:
            raise InvalidInput.field(
                "day", N_("there are no tasks to plan: generate the day first")
            )
        if not build:
            return None
        basis = _basis(session, repository.current_plan(session, station_id, day))
        if job.hand_over_from is not None and job.hand_over_to is not None:
            basis.hand_over(job.hand_over_from, job.hand_over_to)
        free = [v for v in work.volunteers if v.volunteer_id not in basis.locked_volunteers]
        tasks = [task for task in tasks if task.id not in basis.locked_tasks]
        built = build_problem(session, station, day, tasks, free, self.provider, pins=basis.pins)
        # Re-planning starts from the current plan and moves as little as it can.
        initial = {
            worker_id(volunteer): [
                built.step(task, kind) for task, kind in steps if job_id(task) in built.task_of
            ]
            for volunteer, steps in basis.routes.items()
        }
        params = SolveParams(
            time_limit=job.time_limit_seconds, initial=initial or None, cores=self.cores
        )
        return built, basis, params

    def _submit(self, session: Session, principal: Principal, job: PlanningJob) -> None:
        assert self.queue is not None
        assert job.id is not None
        try:
            self.queue.submit(job.id, job.urgent)
        except Exception as error:
            log.exception("planning job %s could not be queued", job.id)
            self._end(session, job, JobStatus.FAILED, f"the planning queue is unreachable: {error}")
            session.commit()
            raise Unavailable(
                N_("the planning queue cannot be reached; try again shortly")
            ) from error

    def run_queued(self, engine: Engine, job_id: int) -> None:
        """A worker plans a job it took from the queue, and returns when the job has ended.

        A job taken twice (the broker hands a job out again when its worker died before
        finishing it) is begun once more only if nobody plans it now, and a job that was
        cancelled, superseded or has ended meanwhile is dropped."""
        with session_scope(engine) as session:
            job = self._claim(session, job_id)
            if job is None:
                return
            who = replace(system_principal("worker"), user_id=job.requested_by)
            try:
                prepared = self._prepare(session, system_principal("worker"), job)
            except DispatchError as error:
                self._end(session, job, JobStatus.FAILED, error.message)
                return
        assert prepared is not None
        built, basis, params = prepared
        ended = threading.Event()
        listener = _JobListener(engine, job_id, built, basis, who, ended)
        self.runner.start(job_id, built.problem, params, listener)
        ended.wait()

    def recover(
        self, session: Session, jobs: list[PlanningJob] | None = None, requeue: bool = True
    ) -> list[int]:
        """Fail the jobs (of `jobs`, else every job still queued or running) whose watcher is
        gone: its heartbeat is stale, or it was a server of this machine that no longer runs.
        Returns their ids. With `requeue`, a job whose queue worker died is queued once more
        instead (committed, then handed to the queue's urgent lane: someone waits for it)."""
        now = utcnow()
        failed = []
        for job in jobs if jobs is not None else repository.active_jobs(session):
            why = orphaned(job, now) if job.status in repository.ACTIVE_JOBS else None
            if why is None:
                continue
            if requeue and self.queue is not None and 0 < job.attempts < MAX_ATTEMPTS:
                self._requeue(session, job)
                continue
            self._end(session, job, JobStatus.FAILED, why)
            assert job.id is not None
            failed.append(job.id)
        return failed

    def _requeue(self, session: Session, job: PlanningJob) -> None:
        before = snapshot(job)
        job.status, job.watcher, job.worker_pid, job.urgent = (
            JobStatus.QUEUED,
            QUEUED_WATCHER,
            None,
            True,
        )
        session.add(job)
        session.flush()
        self._audit(session, system_principal("planning"), "requeue", job, before)
        session.commit()  # before a worker can take it
        self._submit(session, system_principal("planning"), job)

    def _claim(self, session: Session, job_id: int) -> PlanningJob | None:
        """The job, now marked as planned by this worker, if it should be planned here."""
        job = session.get(PlanningJob, job_id, with_for_update=True)
        if job is None or job.status not in repository.ACTIVE_JOBS:
            return None  # cancelled while it waited, failed as lost, or planned already
        worker = system_principal("worker")
        newest = repository.last_job(session, job.station_id, job.service_date)
        if newest is not None and newest.id != job.id:
            why = "a newer planning job of the day took its place"
            self._end(session, job, JobStatus.FAILED, why, worker)
            return None
        if job.status is JobStatus.RUNNING and orphaned(job, utcnow()) is None:
            return None  # a live worker plans it: this is a second delivery of the message
        if job.cancel_requested:
            self._end(session, job, JobStatus.CANCELLED, "", worker)
            return None
        if job.attempts >= MAX_ATTEMPTS:
            why = "the workers planning it stopped twice; plan again"
            self._end(session, job, JobStatus.FAILED, why, worker)
            return None
        before = snapshot(job)
        job.attempts += 1
        job.status, job.watcher = JobStatus.RUNNING, WATCHER
        job.started_at = job.heartbeat_at = utcnow()  # planning begins: the day is built now
        session.add(job)
        session.flush()
        self._audit(session, worker, "claim", job, before)
        session.commit()  # other workers see it taken
        return job

    def job(self, session: Session, principal: Principal, job_id: int) -> PlanningJob:
        require(principal, Resource.PLAN, Action.READ)
        job = session.get(PlanningJob, job_id)
        if job is None:
            raise NotFound("planning job", job_id)
        self.days.station(session, principal, job.station_id)
        session.refresh(job)  # progress is written by the job's own thread
        return self._checked(session, job)

    def last_job(
        self, session: Session, principal: Principal, station_id: int, day: date
    ) -> PlanningJob | None:
        """The day's most recent planning job, if any."""
        require(principal, Resource.PLAN, Action.READ)
        self.days.station(session, principal, station_id)
        job = repository.last_job(session, station_id, day)
        return self._checked(session, job) if job is not None else None

    def _checked(self, session: Session, job: PlanningJob) -> PlanningJob:
        """The job as it is: one whose server is gone is failed now, in a transaction of its
        own (reading it is what finds it), so nobody waits for it."""
        if job.status not in repository.ACTIVE_JOBS or orphaned(job, utcnow()) is None:
            return job
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with session_scope(engine) as other:
            found = other.get(PlanningJob, job.id)
            if found is None or found.status not in repository.ACTIVE_JOBS:
                return job
            self.recover(other, [found])
        # The row as written there: this transaction's own view of it may be older (SQLite
        # reads from the snapshot its transaction began with).
        return found

    def cancel(self, session: Session, principal: Principal, job_id: int) -> PlanningJob:
        """Stop a job: at once when it runs here or waits in the queue; otherwise its
        watcher (another server, a worker) stops it at its next heartbeat, within seconds."""
        require(principal, Resource.PLAN, Action.UPDATE)
        job = self.job(session, principal, job_id)
        if self.recover(session, [job], requeue=False):
            return job  # its server is gone: failed, which is as stopped as it gets
        if job.status not in repository.ACTIVE_JOBS:
            raise Conflict(N_("planning job %(job)s has already ended"), job=job_id)
        if self.runner.cancel(job_id):
            return job
        if job.status is JobStatus.QUEUED and job.watcher == QUEUED_WATCHER:
            self._end(session, job, JobStatus.CANCELLED, "", principal)  # the worker drops it
            return job
        if not job.cancel_requested:
            before = snapshot(job)
            job.cancel_requested = True
            session.add(job)
            session.flush()
            self._audit(session, principal, "cancel", job, before)
        return job

    def _end(
        self,
        session: Session,
        job: PlanningJob,
        status: JobStatus,
        why: str,
        principal: Principal | None = None,
    ) -> None:
        """End a job that no process plans, saying why, in the audit trail too."""
        before = snapshot(job)
        job.status, job.finished_at, job.worker_pid = status, utcnow(), None
        job.error = why[:2000]
        session.add(job)
        session.flush()
        self._audit(session, principal or system_principal("planning"), str(status), job, before)

    # --- plans ---------------------------------------------------------------------------

    def plan(self, session: Session, principal: Principal, plan_id: int) -> PlanPublic:
        require(principal, Resource.PLAN, Action.READ)
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", plan_id)
        self.days.station(session, principal, plan.station_id)
        return plan_public(session, plan)

    def latest(
        self, session: Session, principal: Principal, station_id: int, day: date
    ) -> PlanPublic:
        """The day's current plan: the newest draft, else the published version."""
        require(principal, Resource.PLAN, Action.READ)
        self.days.station(session, principal, station_id)
        plan = repository.current_plan(session, station_id, day)
        if plan is None:
            raise NotFound("plan of", f"station {station_id} on {day}")
        return plan_public(session, plan)

    # --- helpers -------------------------------------------------------------------------

    def _audit(
        self, session: Session, principal: Principal, action: str, row: Any, before: dict[str, Any]
    ) -> None:
        chain.record(
            session,
            principal,
            action=action,
            entity=type(row).__tablename__,
            entity_id=row.id,
            station_id=row.station_id,
            changes=chain.diff(before, snapshot(row)),
        )


@dataclass
class Basis:
    """What a re-plan starts from: the current plan's routes, its pins and locked routes."""

    plan_id: int | None = None
    routes: dict[int, list[tuple[int, StopKind]]] = field(default_factory=dict)  # by volunteer
    owners: dict[int, int] = field(default_factory=dict)  # task -> volunteer
    pins: dict[int, int] = field(default_factory=dict)  # task -> volunteer
    locked: list[int] = field(default_factory=list)  # route ids kept as they are
    locked_volunteers: set[int] = field(default_factory=set)
    locked_tasks: set[int] = field(default_factory=set)

    def hand_over(self, giver: int, taker: int) -> None:
        given = self.routes.pop(giver, [])
        self.routes.setdefault(taker, []).extend(given)
        for task, _kind in given:
            self.owners[task] = self.pins[task] = taker


def _basis(session: Session, plan: Plan | None) -> Basis:
    if plan is None:
        return Basis()
    basis = Basis(plan_id=plan.id)
    assert plan.id is not None
    for stop, route in repository.stops_with_routes(session, plan.id):
        if stop.pinned_volunteer_id is not None:
            basis.pins[stop.task_id] = stop.pinned_volunteer_id
        if route is None:
            continue
        if route.locked:
            assert route.id is not None
            if route.id not in basis.locked:
                basis.locked.append(route.id)
            basis.locked_volunteers.add(route.volunteer_id)
            basis.locked_tasks.add(stop.task_id)
            continue
        basis.routes.setdefault(route.volunteer_id, []).append((stop.task_id, stop.kind))
        basis.owners[stop.task_id] = route.volunteer_id
    return basis


class _JobListener:
    """Writes what the job's process reports, from the thread that watches it; `ended` is
    set once the outcome is stored."""

    def __init__(
        self,
        engine: Engine,
        job_id: int,
        built: DayProblem,
        basis: Basis,
        who: Principal,
        ended: threading.Event | None = None,
    ) -> None:
        self.engine = engine
        self.job_id = job_id
        self.built = built
        self.basis = basis
        self.who = who
        self.ended = ended

    def started(self, pid: int | None) -> None:
        with session_scope(self.engine) as session:
            job = _job(session, self.job_id)
            # A queue worker began the job when it took it; a server, now.
            if job.status is not JobStatus.RUNNING or job.started_at is None:
                job.started_at = utcnow()
            job.status, job.worker_pid = JobStatus.RUNNING, pid
            job.watcher, job.heartbeat_at = WATCHER, utcnow()
            session.add(job)

    def alive(self) -> bool:
        with session_scope(self.engine) as session:
            job = _job(session, self.job_id)
            job.heartbeat_at = utcnow()
            session.add(job)
            return not job.cancel_requested

    def progress(self, progress: Progress) -> None:
        with session_scope(self.engine) as session:
            job = _job(session, self.job_id)
            job.elapsed_seconds, job.best_cost = round(progress.seconds, 2), progress.cost
            job.planned_stops = progress.planned
            session.add(job)

    def finished(self, outcome: Outcome) -> None:
        try:
            self._store(outcome)
        finally:
            if self.ended is not None:
                self.ended.set()

    def _store(self, outcome: Outcome) -> None:
        with session_scope(self.engine) as session:
            job = _job(session, self.job_id)
            before = snapshot(job)
            job.finished_at, job.worker_pid = utcnow(), None
            if isinstance(outcome, Finished):
                plan = store_plan(session, job, self.built, outcome.plan, self.basis)
                job.status, job.plan_id = JobStatus.SUCCEEDED, plan.id
                job.elapsed_seconds = round(outcome.plan.seconds, 2)
                job.best_cost = outcome.plan.cost
                job.planned_stops = plan.planned_stops
            else:
                job.status = _FAILURE[outcome.timed_out, outcome.cancelled]
                job.error = outcome.message[:2000]
            session.add(job)
            session.flush()
            chain.record(
                session,
                self.who,
                action=str(job.status),
                entity="planning_job",
                entity_id=job.id,
                station_id=job.station_id,
                changes=chain.diff(before, snapshot(job)),
            )


# The watcher of a job: this server, on this machine.
WATCHER = THIS_PROCESS
# The watcher of a job waiting in the planning queue for a worker.
QUEUED_WATCHER = "queue"
# A running job whose watcher has not said it is alive for this long is taken for dead.
STALE_SECONDS = 15
# A job waiting for its process (the server starts one at a time, a second each) this long.
QUEUED_SECONDS = 600
# A job waiting in the planning queue this long: a city's morning may queue for half an hour.
QUEUE_WAIT_SECONDS = 3 * 3600
# A job begun this often by workers that died before it ended is not begun again.
MAX_ATTEMPTS = 2


def orphaned(job: PlanningJob, now: datetime) -> str | None:
    """Why a queued or running job will never finish, or None if it may still."""
    if gone(job.watcher):
        return "the server planning it stopped before the plan was ready; plan again"
    if job.status is JobStatus.RUNNING:
        silent = (now - (job.heartbeat_at or job.created_at)).total_seconds()
        if silent > STALE_SECONDS:
            return "the planner stopped answering (its server may have stopped); plan again"
    elif job.watcher == QUEUED_WATCHER:
        if (now - job.created_at).total_seconds() > QUEUE_WAIT_SECONDS:
            return "no planning worker took the job (are the workers running?); plan again"
    elif (now - job.created_at).total_seconds() > QUEUED_SECONDS:
        return "the planner never started (its server may have stopped); plan again"
    return None


_FAILURE = {
    (False, False): JobStatus.FAILED,
    (True, False): JobStatus.TIMED_OUT,
    (False, True): JobStatus.CANCELLED,
    (True, True): JobStatus.CANCELLED,
}


def _job(session: Session, job_id: int) -> PlanningJob:
    job = session.get(PlanningJob, job_id)
    assert job is not None, f"planning job {job_id} vanished"
    return job


def store_plan(
    session: Session, job: PlanningJob, built: DayProblem, solution: Solution, basis: Basis
) -> Plan:
    """The planner's answer as a new draft; earlier drafts of the day are superseded."""
    station_id, day = job.station_id, job.service_date
    for draft in repository.plans_of_day(session, station_id, day, PlanStatus.DRAFT):
        draft.status = PlanStatus.SUPERSEDED
        session.add(draft)
    published = next(
        iter(repository.plans_of_day(session, station_id, day, PlanStatus.PUBLISHED)), None
    )
    plan = Plan(
        station_id=station_id,
        service_date=day,
        version=repository.newest_version(session, station_id, day) + 1,
        based_on_id=basis.plan_id or (published.id if published else None),
        cost=solution.cost,
        solve_seconds=round(solution.seconds, 2),
    )
    session.add(plan)
    session.flush()
    planned = _write_routes(session, plan, built, solution, basis.pins)
    _mark_kept(session, plan, built, solution)
    _write_unplanned(session, plan, built, solution, basis.pins)
    planned |= _copy_locked(session, basis.locked, plan)
    owners = {
        built.task_of[visit.job]: built.volunteer_of[route.volunteer]
        for route in solution.routes
        for visit in route.visits
    }
    plan.moved_stops = sum(
        1 for task, volunteer in basis.owners.items() if owners.get(task, volunteer) != volunteer
    )
    plan.planned_stops = len(planned)
    plan.inserted_stops = len(solution.inserted)
    plan.unplanned_stops = len(solution.unplanned) + len(built.skipped)
    for task in repository.tasks(session, built.task_of.values()):
        wanted = TaskStatus.PLANNED if task.id in planned else TaskStatus.OPEN
        if task.status is not TaskStatus.DONE and task.status is not wanted:
            task.status = wanted
            session.add(task)
    session.add(plan)
    session.flush()
    return plan


def _write_routes(
    session: Session, plan: Plan, built: DayProblem, solution: Solution, pins: dict[int, int]
) -> set[int]:
    """The solution's routes and their stops as rows of the plan, pins carried over to the
    new plan (so that every later re-plan keeps them too); returns the tasks planned."""
    assert plan.id is not None
    planned: set[int] = set()
    for route in solution.routes:
        if not route.visits:
            continue
        row = PlanRoute(
            plan_id=plan.id,
            volunteer_id=built.volunteer_of[route.volunteer],
            depart_seconds=route.depart,
            arrive_seconds=route.arrive,
            distance_m=route.distance,
            travel_seconds=route.travel,
        )
        session.add(row)
        session.flush()
        for position, visit in enumerate(route.visits):
            task_id = built.task_of[visit.job]
            planned.add(task_id)
            session.add(
                PlanStop(
                    plan_id=plan.id,
                    route_id=row.id,
                    task_id=task_id,
                    kind=built.stop_kind(visit.job, visit.kind),
                    position=position,
                    arrival_seconds=visit.arrival,
                    start_seconds=visit.start,
                    departure_seconds=visit.departure,
                    pinned_volunteer_id=pins.get(task_id),
                )
            )
        plan.distance_m += route.distance
        plan.travel_seconds += route.travel
    return planned


def _mark_kept(session: Session, plan: Plan, built: DayProblem, solution: Solution) -> None:
    """A pinned stop kept on its route though the route breaks a rule says which rules."""
    assert plan.id is not None
    for kept in solution.kept:
        for stop in repository.stops_of_task(session, plan.id, built.task_of[kept.job]):
            stop.reason, stop.explanation = "pin_kept", ",".join(kept.broken)
            session.add(stop)


def _write_unplanned(
    session: Session, plan: Plan, built: DayProblem, solution: Solution, pins: dict[int, int]
) -> None:
    """Every task left out, with the planner's reason (or why it could not be placed)."""
    assert plan.id is not None
    names = {
        v.id: v.name for v in repository.volunteers_of_station(session, plan.station_id).values()
    }
    for unplanned in solution.unplanned:
        details = _named(unplanned.details, names)
        session.add(
            PlanStop(
                plan_id=plan.id,
                task_id=built.task_of[unplanned.job],
                reason=str(unplanned.reason),
                explanation=sentence(unplanned.reason, **details)[:500],
                details=details,
                pinned_volunteer_id=pins.get(built.task_of[unplanned.job]),
            )
        )
    for task_id, why in built.skipped.items():
        session.add(
            PlanStop(
                plan_id=plan.id,
                task_id=task_id,
                reason="no_position",
                explanation=why,
                pinned_volunteer_id=pins.get(task_id),
            )
        )


def _named(details: dict[str, str | int], names: dict[int | None, str]) -> dict[str, str | int]:
    """A reason's particulars with the volunteer by name, and their id as the station knows
    it (the planner calls them by its own: "v3")."""
    if "volunteer" not in details:
        return dict(details)
    volunteer = volunteer_id(str(details["volunteer"]))
    return details | {"volunteer": names.get(volunteer, str(volunteer)), "volunteer_id": volunteer}


def _copy_locked(session: Session, route_ids: list[int], plan: Plan) -> set[int]:
    """Locked routes go into the new plan as they were; returns their tasks."""
    tasks: set[int] = set()
    for route_id in route_ids:
        route = session.get(PlanRoute, route_id)
        assert route is not None
        copy = PlanRoute.model_validate(
            route.model_dump(exclude={"id", "created_at", "updated_at"}) | {"plan_id": plan.id}
        )
        session.add(copy)
        session.flush()
        for stop in repository.stops_of_route(session, route_id):
            tasks.add(stop.task_id)
            session.add(
                PlanStop.model_validate(
                    stop.model_dump(exclude={"id", "created_at", "updated_at"})
                    | {"plan_id": plan.id, "route_id": copy.id}
                )
            )
        plan.distance_m += route.distance_m
        plan.travel_seconds += route.travel_seconds
    return tasks


def regulars_off(session: Session, plan: PlanPublic, free: Collection[int]) -> int:
    """The plan's clients with a regular volunteer who do not get one because none of their
    regulars is free that day (`free`: the day's free volunteers): no plan could do better.
    Whether each door has its regular is the plan's to say (`StopPublic.regular`); only the
    regulars of the others are read."""
    doors = [
        stop
        for stop in [*(s for route in plan.routes for s in route.stops), *plan.unplanned]
        if stop.kind is StopKind.DOOR
    ]
    served = {stop.client_id for stop in doors if stop.regular}
    others = {stop.client_id for stop in doors} - served
    regulars = repository.regulars_of(session, others)
    return sum(1 for ids in regulars.values() if ids and not set(ids) & set(free))


def plan_public(session: Session, plan: Plan) -> PlanPublic:
    assert plan.id is not None
    stops = repository.stops_with_clients(session, plan.id)
    sites = repository.sites_of_station(session, plan.station_id)
    latest = repository.latest_outcomes(session, [task.id for _s, task, _c in stops if task.id])
    crews = repository.routes_with_volunteers(session, plan.id)
    volunteer_of = {route.id: route.volunteer_id for route, _volunteer in crews}
    by_route: dict[int | None, list[StopPublic]] = {}
    with_regular: set[int] = set()  # clients
    by_regular: set[int] = set()
    for stop, task, client in stops:
        site = sites.get(task.site_id) if stop.kind is StopKind.PICKUP else None
        door = stop.kind is StopKind.DOOR
        known = door and bool(client.preferred_volunteer_ids)
        regular = known and volunteer_of.get(stop.route_id) in client.preferred_volunteer_ids
        if known:
            with_regular.add(task.client_id)
        if regular:
            by_regular.add(task.client_id)
        assert stop.id is not None
        assert task.id is not None
        by_route.setdefault(stop.route_id, []).append(
            StopPublic(
                id=stop.id,
                task_id=task.id,
                client_id=task.client_id,
                client_name=client.name,
                kind=stop.kind,
                service=task.kind,
                place=site.name if site else client.address,
                lat=site.lat if site else client.lat,
                lon=site.lon if site else client.lon,
                position=stop.position,
                arrival=_clock(stop.arrival_seconds),
                start=_clock(stop.start_seconds),
                departure=_clock(stop.departure_seconds),
                pinned=stop.pinned_volunteer_id is not None,
                reason=stop.reason,
                explanation=stop.explanation,
                details=stop.details,
                outcome=latest[task.id].kind if door and task.id in latest else None,
                outcome_on_paper=door
                and task.id in latest
                and latest[task.id].entered_by_coordinator,
                regular=regular,
            )
        )
    routes = []
    for route, volunteer in crews:
        assert route.id is not None
        routes.append(
            RoutePublic(
                id=route.id,
                volunteer_id=route.volunteer_id,
                volunteer_name=volunteer.name,
                locked=route.locked,
                needs_recheck=route.needs_recheck,
                depart=_clock(route.depart_seconds) or "",
                arrive=_clock(route.arrive_seconds) or "",
                distance_m=route.distance_m,
                travel_seconds=route.travel_seconds,
                stops=by_route.get(route.id, []),
            )
        )
    assert plan.id is not None
    return PlanPublic(
        **plan.model_dump(exclude={"created_at", "updated_at", "archived_at"}),
        with_regular=len(with_regular),
        by_regular=len(by_regular),
        routes=routes,
        unplanned=by_route.get(None, []),
    )


def _clock(value: int | None) -> str | None:
    return None if value is None else clock(value)
