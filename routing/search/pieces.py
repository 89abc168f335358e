"""A large day planned piece by piece: each neighbourhood (routing/split.py) planned alone
with its own volunteers, the routes joined into the first plan of the whole day; and any day
improved a few nearby routes at a time, each group searched afresh from its own routes."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence

from routing.problem import Job, Problem
from routing.search.model import Model, fair_share
from routing.search.params import SolveParams
from routing.search.portfolio import ProgressCallback, Search, report, run
from routing.solution import Progress, Sequences, Step, StopKind
from routing.split import routes_around, split, symmetric_times

# Above this many jobs the first plan is made piece by piece (see routing/split.py): whole-day
# insertion heuristics took 8 s for 600 jobs and did not finish 1,000 in 60 s.
LARGE_DAY = 250
_PIECE = 60  # jobs per piece: 500 jobs in pieces of 60 plan 463 in 1.8 s; of 125, 307
_PIECES = 0.3  # share of the time limit the pieces get, construction and search
_FIRST_PER_JOB = 0.003  # seconds per job for the first plan in pieces: 1.5 s for 500 jobs
# ... and at most this much, however large the day (issue 17 asks for a first plan of 1,000
# jobs within 3 s). Not less per job on smaller days: 300 meals at 4 s on a busy machine
# then left up to 29 out (0.0025 s per job), where 0.003 planned all.
_FIRST_SECONDS = 2.5
# Groups of routes planned again (Gehring-Homberger 1,000 customers at 60 s, six instances,
# mean gap 16.2% without; 150 jobs for 2 s each to the end 8.7%; the other sizes, times and
# shares of the limit tried are in docs/benchmarks/README.md, eleventh session).
_GROUP = 150  # jobs in a group of routes planned again together
_GROUP_SECONDS = 2.0  # a group's search at most
_LEAST_GROUP = 0.2  # seconds: less is not worth a group's model
# A small day: the whole day's guided local search for half the window, then groups of this
# many jobs (issue 17, twelfth session, mean gap at 30 s: 200 Gehring-Homberger customers,
# the 12 instances of no report, 3.35% -> 0.95%; X of 101-242 customers, the report's 16,
# 5.69% -> 3.96%; Solomon, all 31, at 10 s 3.20% -> 2.57%). Groups of 80 did as well on 200
# customers and worse on 100; a third or seven tenths of the window to the whole day worse.
SMALL_GROUP = 50
SMALL_SHARE = 0.5


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


def plan_routes_again(
    problem: Problem,
    jobs: list[Job],
    params: SolveParams,
    start: Sequences,
    cost: int,
    until: float,
    tell: Callable[[Sequences, int], None] | None = None,
    size: int = _GROUP,
) -> Sequences:
    """The day improved a few nearby routes at a time (about `size` jobs) until `until`;
    `tell` hears of each cheaper plan (routes and cost).

    Fixed pieces never move a job across their borders; groups of routes around each route
    in turn do, and the search of a group converges where the whole day's barely moves.
    Each group searches from its own routes and is kept only if cheaper. With a solution
    limit, one round over the routes (the same plan on every machine).
    """
    routes = {who: tuple(steps) for who, steps in start.items() if steps}
    fair = fair_share(problem, len(jobs))
    times = symmetric_times(problem)
    order = [v.id for v in problem.volunteers if v.id in routes]
    shuffle = random.Random(params.seed).shuffle
    shuffle(order)
    while order and time.perf_counter() < until - _LEAST_GROUP:
        covered: set[str] = set()  # routes planned again this round
        for seed in order:
            now = time.perf_counter()
            if now >= until - _LEAST_GROUP:
                break
            if seed not in routes or seed in covered:
                continue
            planned = {s.job for steps in routes.values() for s in steps}
            left_out = [job for job in jobs if job.id not in planned]
            piece = routes_around(problem, times, routes, left_out, seed, size)
            share = min(until - now, _GROUP_SECONDS)
            model = Model(piece.problem(problem), list(piece.jobs), params, fair)
            own = {v.id: routes[v.id] for v in piece.volunteers if v.id in routes}
            covered.update(v.id for v in piece.volunteers)
            tried: list[Progress] = []
            # A search in fixed order of moves never reaches those that insert left-out
            # pickups and their doors (see search_day); a bandit does.
            planned_before = sum(
                1 for steps in own.values() for s in steps if s.kind is StopKind.DOOR
            )
            how = Search(
                bandit=model.pairs and planned_before < len(piece.jobs), path_lns=model.pairs
            )
            plan = run(model, None, now, now + share, tried, how, start=own)
            # Its first plan is the group's routes as they were, if they read back.
            if plan is None or not model.read_start or plan.cost >= tried[0].cost:
                continue
            cost -= tried[0].cost - plan.cost
            for volunteer in piece.volunteers:
                routes.pop(volunteer.id, None)
            routes.update((r.volunteer, r.steps) for r in plan.routes if r.visits)
            if tell is not None:
                tell(routes, cost)
        if params.solution_limit is not None:
            break
        order = sorted(routes)
        shuffle(order)
    return routes


def first_plan(
    problem: Problem,
    jobs: list[Job],
    params: SolveParams,
    window: tuple[float, float],
    history: list[Progress],
    on_progress: ProgressCallback | None,
) -> tuple[Sequences, bool] | None:
    """For a large day left to "auto": a first plan within seconds whatever the time limit
    (pieces planned quickly), improved piece by piece for a share of the time limit, then,
    if time allows, a few nearby routes at a time until the window's end; and whether it
    went to the end (else the whole day's search is to go on from it). None for a day small
    enough for the whole day's search alone."""
    if not _fresh(params) or len(jobs) <= LARGE_DAY:
        return None
    began, end = window
    quick = min(_PIECES * params.time_limit, _FIRST_PER_JOB * len(jobs), _FIRST_SECONDS)
    tell = teller(began, history, on_progress)
    routes, cost = plan_in_pieces(problem, jobs, params, began + quick)
    tell(routes, cost)
    if quick < _PIECES * params.time_limit:
        # The pieces again, each from its routes, placing what the first pass left out.
        until = began + _PIECES * params.time_limit
        again, more = plan_in_pieces(problem, jobs, params, until, routes)
        # This pass can end dearer (a piece out of time, or rebuilt from scratch when its
        # routes no longer read back): the search then starts from the better pass, the
        # one the progress reported.
        if more < cost:
            routes, cost = again, more
            tell(routes, cost)
    # Groups of routes pay once they can go round the whole day; with less time the whole
    # day's search places what is left out sooner (300 meals at 4 s on a busy machine: 279
    # and 293 of 300 planned in groups, 300 by the whole day's search).
    if end - time.perf_counter() < math.ceil(len(jobs) / _GROUP) * _GROUP_SECONDS:
        return routes, False
    return plan_routes_again(problem, jobs, params, routes, cost, end, tell), True


def in_groups_after_search(params: SolveParams, jobs: list[Job]) -> bool:
    """Whether a small day's search hands over to groups of routes (`SMALL_SHARE`): not when
    re-planning from an earlier plan, whose changes only the whole day's model prices."""
    return _fresh(params) and len(jobs) <= LARGE_DAY


def _fresh(params: SolveParams) -> bool:
    """A day left to "auto" and not re-planned from an earlier plan."""
    return params.first_solution == "auto" and params.initial is None


def teller(
    began: float, history: list[Progress], on_progress: ProgressCallback | None
) -> Callable[[Sequences, int], None]:
    """Report routes and their cost as progress, like the whole day's search does."""

    def tell(routes: Sequences, cost: int) -> None:
        doors = sum(1 for steps in routes.values() for s in steps if s.kind is StopKind.DOOR)
        report(
            Progress(time.perf_counter() - began, cost, len(history) + 1, doors),
            history,
            on_progress,
        )

    return tell
