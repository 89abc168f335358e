"""After the search: every job it left out is tried once more, exhaustively, with the exact
checker, so that "unplanned" means no route of the day can take it.

The search stops at its time limit wherever it is, and a busy day's search may end with a
job left out that some route, or an idle volunteer, could still take. Here each left-out job
is tried at every position of every allowed volunteer's route (an idle volunteer's empty
route included; a pickup at every position before every later position of its door), and
the cheapest insertion that keeps every rule is made. Jobs go in the order of their
penalty, so a job that matters more gets the room first.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from routing.check import evaluate
from routing.explain import allowed_volunteers, insertions
from routing.problem import Job, Problem, Volunteer
from routing.solution import Kept, Route, Sequences, Step, StopKind


@dataclass(frozen=True)
class Insertions:
    """What the pass did: the routes after it, the jobs it placed (in order), the change in
    arc costs and fixed costs it made, and the routes it re-timed."""

    sequences: dict[str, tuple[Step, ...]]
    inserted: tuple[str, ...]
    added_cost: int
    routes: dict[str, Route]


def insert_left_out(
    problem: Problem, sequences: Sequences, left_out: Sequence[str], deadline: float
) -> Insertions:
    """Insert every left-out job that some route can still take, cheapest place first.

    Parameters
    ----------
    problem
        The day.
    sequences
        The routes the search made, by volunteer id.
    left_out
        The ids of the jobs it left out (jobs no volunteer may do are skipped quickly).
    deadline
        A `time.perf_counter()` moment; the pass stops there, whatever is left to try.
    """
    routes = {
        volunteer.id: tuple(sequences.get(volunteer.id, ())) for volunteer in problem.volunteers
    }
    jobs = problem.jobs_by_id()
    order = sorted(left_out, key=lambda job_id: -problem.penalty(jobs[job_id]))
    inserted: list[str] = []
    added = 0
    for job_id in order:
        if time.perf_counter() > deadline:
            break
        best = _best_insertion(problem, jobs[job_id], routes, deadline)
        if best is None:
            continue
        volunteer, steps, extra = best
        routes[volunteer] = steps
        inserted.append(job_id)
        added += extra
    by_id = {volunteer.id: volunteer for volunteer in problem.volunteers}
    changed = {owner for owner in {_owner(routes, job) for job in inserted} if owner is not None}
    timed = {owner: evaluate(problem, by_id[owner], routes[owner])[0] for owner in changed}
    return Insertions(routes, tuple(inserted), added, timed)


def keep_pinned(
    problem: Problem, sequences: Sequences, left_out: Sequence[str]
) -> tuple[dict[str, tuple[Step, ...]], tuple[Kept, ...], dict[str, Route]]:
    """Put every left-out job that is pinned to a volunteer of the day on that volunteer's
    route, where it breaks the fewest rules (then costs least): the routes, what was kept
    with the rules it breaks, and the routes re-timed."""
    routes = {v.id: tuple(sequences.get(v.id, ())) for v in problem.volunteers}
    by_id = {volunteer.id: volunteer for volunteer in problem.volunteers}
    jobs = problem.jobs_by_id()
    placed: list[tuple[str, str]] = []
    for job_id in left_out:
        job = jobs[job_id]
        volunteer = by_id.get(job.pinned_to or "")
        if volunteer is None:
            continue  # pinned to someone absent: that is the reason it stays out
        steps = list(routes[volunteer.id])
        every = insertions(steps, job, [0] * len(steps))  # no position ruled out
        best: list[Step] = min(every, key=_least_broken(problem, volunteer))
        routes[volunteer.id] = tuple(best)
        placed.append((job_id, volunteer.id))
    kept = []
    timed: dict[str, Route] = {}
    for job_id, owner in placed:
        timed[owner], violations = evaluate(problem, by_id[owner], routes[owner])
        broken = sorted({str(v.kind) for v in violations if v.job in (job_id, None)})
        kept.append(Kept(job_id, owner, tuple(broken)))
    return routes, tuple(kept), timed


def _least_broken(
    problem: Problem, volunteer: Volunteer
) -> Callable[[list[Step]], tuple[int, int]]:
    def rank(candidate: list[Step]) -> tuple[int, int]:
        broken = len(evaluate(problem, volunteer, candidate)[1])
        return broken, _cost(problem, volunteer, candidate)

    return rank


def _best_insertion(
    problem: Problem, job: Job, routes: dict[str, tuple[Step, ...]], deadline: float
) -> tuple[str, tuple[Step, ...], int] | None:
    """The cheapest way to add the job to one route that keeps every rule, if any."""
    best: tuple[str, tuple[Step, ...], int] | None = None
    for volunteer in allowed_volunteers(problem, job):
        route = list(routes[volunteer.id])
        doors = sum(1 for step in route if step.kind is StopKind.DOOR)
        if volunteer.max_stops is not None and doors >= volunteer.max_stops:
            continue
        before = _cost(problem, volunteer, route)
        timed, _ = evaluate(problem, volunteer, route)
        starts = [visit.start for visit in timed.visits]
        for candidate in insertions(route, job, starts):
            extra = _cost(problem, volunteer, candidate) - before
            if best is not None and extra >= best[2]:
                continue  # a rule check costs more than a price: price first
            _, violations = evaluate(problem, volunteer, candidate)
            if not violations:
                best = (volunteer.id, tuple(candidate), extra)
            if time.perf_counter() > deadline:
                return best
    return best


def _cost(problem: Problem, volunteer: Volunteer, steps: Sequence[Step]) -> int:
    """What the route costs in the objective's units: its arcs, and the volunteer's fixed
    cost if it is used (as `routing.check` counts it)."""
    if not steps:
        return 0
    jobs = problem.jobs_by_id()  # a view of a cached dict: cheap
    places = [volunteer.start]
    for step in steps:
        job = jobs[step.job]
        stop = job.door if step.kind is StopKind.DOOR else job.pickup
        assert stop is not None
        places.append(stop.location)
    places.append(volunteer.end_location)
    arcs = sum(problem.arc_cost(volunteer, a, b) for a, b in itertools.pairwise(places))
    return volunteer.fixed_cost + arcs


def _owner(routes: dict[str, tuple[Step, ...]], job_id: str) -> str | None:
    return next(
        (volunteer for volunteer, steps in routes.items() if any(s.job == job_id for s in steps)),
        None,
    )
