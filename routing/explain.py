"""Why jobs cannot be planned: checks before solving, and an account of what was left out."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Collection

from routing.check import ViolationKind, evaluate, hhmm
from routing.problem import Job, Problem, TimeWindow, Volunteer
from routing.reasons import Reason, sentence
from routing.solution import Sequences, Step, StopKind, Unplanned

_TRIALS_PER_JOB = 3000  # insertions tried before judging on what was seen
_TIME_KINDS = {ViolationKind.TIME_WINDOW, ViolationKind.SHIFT, ViolationKind.WORK_TIME}


def allowed_volunteers(problem: Problem, job: Job) -> list[Volunteer]:
    return [volunteer for volunteer in problem.volunteers if problem.may_do(volunteer, job)]


def precheck(problem: Problem) -> dict[str, Unplanned]:
    """Jobs that no plan can hold, whatever the other jobs: by job id, with the reason.

    A job passes when at least one volunteer may do it and could do it alone: reach it within
    its windows, carry it, keep its ride time, and be back within their shift.
    """
    found: dict[str, Unplanned] = {}
    for job in problem.jobs:
        unplanned = _precheck_job(problem, job)
        if unplanned is not None:
            found[job.id] = unplanned
    return found


def _precheck_job(problem: Problem, job: Job) -> Unplanned | None:
    if not problem.volunteers:
        return _unplanned(job, Reason.NO_VOLUNTEERS)
    ids = {volunteer.id for volunteer in problem.volunteers}
    if job.pinned_to is not None and job.pinned_to not in ids:
        return _unplanned(job, Reason.PINNED_VOLUNTEER_ABSENT, volunteer=job.pinned_to)
    if not any(job.skills <= volunteer.skills for volunteer in problem.volunteers):
        return _unplanned(job, Reason.NO_SKILLED_VOLUNTEER, skills=", ".join(sorted(job.skills)))
    allowed = allowed_volunteers(problem, job)
    if not allowed:
        return _unplanned(job, Reason.NO_ALLOWED_VOLUNTEER)
    if all(job.demand > volunteer.capacity for volunteer in allowed):
        capacity = max(volunteer.capacity for volunteer in allowed)
        return _unplanned(job, Reason.DEMAND_OVER_CAPACITY, demand=job.demand, capacity=capacity)
    if all(volunteer.max_stops == 0 for volunteer in allowed):
        return _unplanned(job, Reason.STOP_LIMIT)
    too_early = _pickup_too_early(job)
    if too_early is not None:
        return too_early
    alone = _steps(job)
    each: list[set[ViolationKind]] = []
    for volunteer in allowed:
        _, violations = evaluate(problem, volunteer, alone)
        if not violations:
            return None
        each.append({violation.kind for violation in violations})
    if not any(_overlaps(volunteer.shift, job.door.windows) for volunteer in allowed):
        window = ", ".join(f"{hhmm(w.start)}–{hhmm(w.end)}" for w in job.door.windows)
        return _unplanned(job, Reason.NO_SHIFT_IN_WINDOW, window=window)
    minutes = (job.max_ride or 0) // 60
    if {ViolationKind.RIDE_TIME} in each or not set().union(*each) & _TIME_KINDS:
        return _unplanned(job, Reason.RIDE_TIME_IMPOSSIBLE, minutes=minutes)
    return _unplanned(job, Reason.WINDOW_UNREACHABLE)


def _pickup_too_early(job: Job) -> Unplanned | None:
    """A pickup that closes longer before the door's window opens than the job may ride:
    impossible for anyone, whatever the travel."""
    if job.pickup is None or job.max_ride is None or not job.pickup.windows:
        return None
    if not job.door.windows:
        return None
    closes = max(w.end for w in job.pickup.windows)
    opens = min(w.start for w in job.door.windows)
    if opens - closes <= job.max_ride:
        return None
    return _unplanned(
        job,
        Reason.PICKUP_TOO_EARLY,
        closes=hhmm(closes),
        opens=hhmm(opens),
        minutes=job.max_ride // 60,
    )


def _overlaps(shift: TimeWindow, windows: tuple[TimeWindow, ...]) -> bool:
    return not windows or any(w.start <= shift.end and w.end >= shift.start for w in windows)


def explain_unplanned(
    problem: Problem,
    job_ids: Collection[str],
    sequences: Sequences,
    deadline: float = math.inf,
) -> list[Unplanned]:
    """The reason each job was left out of these routes.

    A job that failed the pre-check keeps that reason. Otherwise each route its allowed
    volunteers have is tried with the job inserted at every position: if one insertion keeps
    every rule, the planner simply did not find it; otherwise the reason is what blocked it
    most often (capacity, stop limits, or time). Past `deadline` (a `time.perf_counter()`
    moment) the jobs not yet looked at say that time ran out: a busy day on a slow machine
    may leave a hundred jobs out, each worth thousands of trials.
    """
    prechecked = precheck(problem)
    jobs = problem.jobs_by_id()
    explained: list[Unplanned] = []
    for job_id in job_ids:
        if job_id in prechecked:
            explained.append(prechecked[job_id])
            continue
        job = jobs[job_id]
        explained.append(_explain_against_routes(problem, job, sequences, deadline))
    return explained


def _explain_against_routes(
    problem: Problem, job: Job, sequences: Sequences, deadline: float
) -> Unplanned:
    blocked: Counter[ViolationKind] = Counter()
    budget = _TRIALS_PER_JOB
    if time.perf_counter() > deadline:
        return _unplanned(job, Reason.OUT_OF_TIME)
    for volunteer in allowed_volunteers(problem, job):
        route = list(sequences.get(volunteer.id, ()))
        doors = sum(1 for step in route if step.kind is StopKind.DOOR)
        if volunteer.max_stops is not None and doors >= volunteer.max_stops:
            blocked[ViolationKind.STOP_LIMIT] += 1  # no timing needed to know that
            continue
        current, _ = evaluate(problem, volunteer, route)
        starts = [visit.start for visit in current.visits]
        for candidate in insertions(route, job, starts):
            budget -= 1
            _, violations = evaluate(problem, volunteer, candidate)
            if not violations:
                return _unplanned(job, Reason.NOT_PLACED, volunteer=volunteer.id)
            blocked.update(violation.kind for violation in violations)
            if budget <= 0:
                break
            if budget % 100 == 0 and time.perf_counter() > deadline:
                return _unplanned(job, Reason.OUT_OF_TIME)
        if budget <= 0:
            break  # enough evidence: a busy day has thousands of positions to try
    if blocked and blocked.most_common(1)[0][0] is ViolationKind.CAPACITY:
        return _unplanned(job, Reason.CAPACITY_FULL)
    if blocked and set(blocked) == {ViolationKind.STOP_LIMIT}:
        return _unplanned(job, Reason.STOP_LIMIT)
    return _unplanned(job, Reason.NO_TIME_LEFT)


def insertions(route: list[Step], job: Job, starts: list[int]) -> list[list[Step]]:
    """Every way to insert the job, except after a stop that already starts too late for it
    (inserting only ever delays what follows)."""
    door = Step(job.id, StopKind.DOOR)
    last_door = _positions(job.door.windows, starts)
    if job.pickup is None:
        return [[*route[:i], door, *route[i:]] for i in range(last_door + 1)]
    pickup = Step(job.id, StopKind.PICKUP)
    last_pickup = min(_positions(job.pickup.windows, starts), last_door)
    candidates = []
    for i in range(last_pickup + 1):
        with_pickup = [*route[:i], pickup, *route[i:]]
        for j in range(i + 1, last_door + 2):
            candidates.append([*with_pickup[:j], door, *with_pickup[j:]])
    return candidates


def _positions(windows: tuple[TimeWindow, ...], starts: list[int]) -> int:
    """How many leading stops start early enough to be followed by a stop with these windows."""
    if not windows:
        return len(starts)
    latest = windows[-1].end
    return next((index for index, start in enumerate(starts) if start > latest), len(starts))


def _steps(job: Job) -> list[Step]:
    door = Step(job.id, StopKind.DOOR)
    return [door] if job.pickup is None else [Step(job.id, StopKind.PICKUP), door]


def _unplanned(job: Job, reason: Reason, **details: str | int) -> Unplanned:
    return Unplanned(job.id, reason, sentence(reason, **details), details)
