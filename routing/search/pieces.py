"""A large day planned piece by piece: each neighbourhood (routing/split.py) planned alone
with its own volunteers, the routes joined into the first plan of the whole day."""

from __future__ import annotations

import time
from collections.abc import Sequence

from routing.problem import Job, Problem
from routing.search.model import Model, fair_share
from routing.search.params import SolveParams
from routing.search.portfolio import ProgressCallback, report, run
from routing.solution import Progress, Sequences, Step, StopKind
from routing.split import split

# Above this many jobs the first plan is made piece by piece (see routing/split.py): whole-day
# insertion heuristics took 8 s for 600 jobs and did not finish 1,000 in 60 s.
LARGE_DAY = 250
_PIECE = 60  # jobs per piece: 500 jobs in pieces of 60 plan 463 in 1.8 s; of 125, 307
_PIECES = 0.3  # share of the time limit the pieces get, construction and search
_FIRST_PER_JOB = 0.003  # seconds per job for the first plan in pieces: 1.5 s for 500 jobs


def plan_in_pieces(
    problem: Problem,
    jobs: list[Job],
    params: SolveParams,
    until: float,
    start: Sequences | None = None,
) -> tuple[Sequences, int]:
    """A plan for a large day: each neighbourhood planned alone, the routes joined.

    Every piece has its own volunteers, so the joined routes keep every rule; jobs a piece
    could not place are left for the whole-day search. Pieces are priced like the whole
    day, so the sum of their costs is the day's objective for the joined routes. With
    `start` (routes from an earlier call: the split is the same), each piece resumes from
    its routes.
    """
    routes: dict[str, Sequence[Step]] = {}
    cost = 0
    pieces = split(problem, jobs, _PIECE)
    fair = fair_share(problem, len(jobs))
    waiting = sum(len(piece.jobs) for piece in pieces if piece.volunteers)
    for piece in pieces:
        plan = None
        own = {v.id: start[v.id] for v in piece.volunteers if start and v.id in start}
        if piece.volunteers and piece.jobs:
            now = time.perf_counter()
            share = max(0.0, until - now) * len(piece.jobs) / waiting
            waiting -= len(piece.jobs)
            model = Model(piece.problem(problem), list(piece.jobs), params, fair)
            plan = run(model, None, now, now + share, [], start=own or None)
        if plan is None:  # out of time: what the piece had, if anything
            routes.update(own)
            cost += sum(problem.penalty(job) for job in piece.jobs)  # upper bound
            continue
        cost += plan.cost
        routes.update((route.volunteer, route.steps) for route in plan.routes if route.visits)
    return routes, cost


def first_plan(
    problem: Problem,
    jobs: list[Job],
    params: SolveParams,
    began: float,
    history: list[Progress],
    on_progress: ProgressCallback | None,
) -> Sequences | None:
    """For a large day left to "auto": a first plan within seconds whatever the time limit
    (pieces planned quickly), then the pieces improved for a share of the time. None for a
    day small enough for the whole-day heuristics."""
    if params.first_solution != "auto" or params.initial is not None or len(jobs) <= LARGE_DAY:
        return None
    start: Sequences | None = None
    best = 0
    quick = min(_PIECES * params.time_limit, _FIRST_PER_JOB * len(jobs))
    for until in sorted({quick, _PIECES * params.time_limit}):
        routes, cost = plan_in_pieces(problem, jobs, params, began + until, start)
        # The second pass can end dearer (a piece out of time, or rebuilt from scratch when
        # its routes no longer read back): the search then starts from the better pass, the
        # one the progress reported.
        if start is not None and cost >= best:
            continue
        start, best = routes, cost
        doors = sum(1 for steps in routes.values() for s in steps if s.kind is StopKind.DOOR)
        progress = Progress(time.perf_counter() - began, cost, len(history) + 1, doors)
        report(progress, history, on_progress)
    return start
