"""`solve`: from a `Problem` to a `Plan` with OR-Tools, every job planned that can be and a
reason for every one that cannot. The search itself is in routing/search/."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import pickle
import queue
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.queues import Queue
from typing import Any

from routing.certify import insert_left_out, keep_pinned
from routing.check import check
from routing.explain import explain_unplanned, precheck
from routing.lifetime import end_with_parent
from routing.problem import Problem
from routing.search import pieces
from routing.search.model import empty_route
from routing.search.params import SolveParams
from routing.search.portfolio import ProgressCallback, search_day
from routing.solution import Plan, Progress, Sequences

__all__ = ["SolveParams", "solve"]

# The search leaves this much of the time limit (at most) for the certificate pass.
_CERTIFY_SECONDS = 0.5
_CERTIFY_SHARE = 0.05
# ... and the pass, when the search left jobs out, has at least this much, past the limit if
# need be: at 1.5 s it had 0.075 s, and the explanations after it found where doors it had
# no time to try would fit (docs/benchmarks, twenty-fourth session).
_CERTIFY_AT_LEAST = 0.3
# Past the limit, the explanations of what was left out may take this much more: a solve
# ends within its limit and a second.
_EXPLAIN_SECONDS = 0.5


def _searching(time_limit: float) -> float:
    """Seconds of a solve's time limit for the search: the rest is the certificate pass's."""
    return time_limit - min(_CERTIFY_SECONDS, _CERTIFY_SHARE * time_limit)


@dataclass(frozen=True)
class _Meeting:
    """Where searches side by side hand each other their best plan: at a small day's handover
    from the whole day's search to groups of routes, each goes on from the cheapest plan of
    all, its own seed ordering its groups."""

    at: float  # the handover, wall clock (shared with the other processes)
    until: float  # wall clock: no longer waiting for the others' plans
    inbox: Queue[Any]
    others: tuple[Queue[Any], ...]

    def cheapest(self, routes: Sequences, cost: int | None) -> tuple[Sequences, int] | None:
        """The cheapest of the others' plans if cheaper than `cost` (None: no plan here)."""
        for box in self.others:
            box.put((cost, routes))
        best: tuple[Sequences, int] | None = None
        for _ in self.others:
            try:
                their_cost, theirs = self.inbox.get(timeout=max(0.0, self.until - time.time()))
            except queue.Empty:  # gone, or out of time: on alone
                break
            if their_cost is None or (cost is not None and their_cost >= cost):
                continue
            if best is None or their_cost < best[1]:
                best = (theirs, their_cost)
        return best


def solve(
    problem: Problem,
    params: SolveParams,
    on_progress: ProgressCallback | None = None,
) -> Plan:
    """Plan the day: every job that can be planned, and a reason for every one that cannot.

    Parameters
    ----------
    problem
        The day's volunteers and jobs.
    params
        How long and how to search.
    on_progress
        Called at each improving solution with the time so far and the best cost.
    """
    if params.cores > 1:
        return _side_by_side(problem, params, on_progress)
    return _solve(problem, params, on_progress, None)


def _solve(
    problem: Problem,
    params: SolveParams,
    on_progress: ProgressCallback | None,
    meeting: _Meeting | None,
) -> Plan:
    began = time.perf_counter()
    refused = precheck(problem)
    plannable = [job for job in problem.jobs if job.id not in refused]
    if not plannable or not problem.volunteers:
        empty = tuple(empty_route(problem, index) for index in range(len(problem.volunteers)))
        return Plan(
            empty,
            tuple(refused.values()),
            sum(problem.penalty(problem.job(j)) for j in refused),
            time.perf_counter() - began,
            "nothing_to_plan",
        )
    history: list[Progress] = []
    end = began + params.time_limit
    window = (began, began + _searching(params.time_limit))
    # A large day is planned in pieces, then a few routes at a time to the end when time
    # allows: the whole day's model takes seconds to build and its search did less in the
    # same time (docs/benchmarks, issue 17, eleventh session).
    first = pieces.first_plan(problem, plannable, params, window, history, on_progress)
    start, to_the_end = first if first is not None else (None, False)
    if to_the_end:
        plan, warm_started, status = None, False, "success"
    else:
        # A small day's guided local search stalls in its own penalties long before the end:
        # half the window to it, the rest to groups of nearby routes, each searched afresh.
        groups = pieces.in_groups_after_search(params, plannable)
        search_end = began + pieces.SMALL_SHARE * (window[1] - began) if groups else window[1]
        if groups and meeting is not None:
            search_end = time.perf_counter() + meeting.at - time.time()
        plan, warm_started, status = search_day(
            problem, plannable, params, start, (began, search_end), history, on_progress
        )
        if groups:
            tell = pieces.teller(began, history, on_progress)
            routes: Sequences = plan.sequences() if plan is not None else {}
            cost = plan.cost if plan is not None else None
            if meeting is not None:
                theirs = meeting.cheapest(routes, cost)
                if theirs is not None:
                    routes, cost = theirs
                    tell(routes, cost)
            if cost is not None:
                routes = pieces.plan_routes_again(
                    problem, plannable, params, routes, cost, window[1], tell, pieces.SMALL_GROUP
                )
                if plan is None or history[-1].cost < plan.cost:
                    plan = _checked_plan(problem, routes, status, history[-1].cost)
    if plan is None:  # no plan from the whole day's search: the pieces' if any
        # at the cost last reported for it (the pieces' models priced it, soft goals too)
        plan = _checked_plan(problem, start or {}, status, history[-1].cost if history else None)
    deadline = max(end, time.perf_counter() + _CERTIFY_AT_LEAST)
    plan = _certified(problem, plan, [j.id for j in plannable], list(refused), deadline)
    planned = plan.assignment()
    refused = {job: why for job, why in refused.items() if job not in planned}
    unplanned_ids = [job.id for job in plannable if job.id not in planned]
    explained = explain_unplanned(
        problem,
        unplanned_ids,
        plan.sequences(),
        max(end + _EXPLAIN_SECONDS, time.perf_counter() + 0.1),
    )
    order = {job.id: index for index, job in enumerate(problem.jobs)}
    unplanned = sorted([*refused.values(), *explained], key=lambda u: order[u.job])
    return Plan(
        plan.routes,
        tuple(unplanned),
        plan.cost,
        time.perf_counter() - began,
        plan.status,
        tuple(history),
        warm_started,
        plan.inserted,
        plan.kept,
    )


def _side_by_side(
    problem: Problem, params: SolveParams, on_progress: ProgressCallback | None
) -> Plan:
    """`params.cores` searches at once, each with the next seed, the first in this process
    (it reports progress); the cheapest plan, the lowest seed's among equals."""
    now = time.time()
    deadline = now + params.time_limit  # wall clock: shared with the other processes
    others = [
        dataclasses.replace(params, cores=1, seed=params.seed + k) for k in range(1, params.cores)
    ]
    search = _searching(params.time_limit)
    # Pickled here, before this process's search fills the problem's cached values: the
    # pool sends it from a thread of its own, and a dict changing while it was pickled
    # failed the solve ("dictionary changed size during iteration").
    sent = pickle.dumps(problem)
    # Spawned, not forked: OR-Tools' threads and a web server's state do not survive a fork.
    context = multiprocessing.get_context("spawn")
    boxes: list[Queue[Any]] = [context.Queue() for _ in range(params.cores)]
    for box in boxes:  # a plan nobody read does not keep a process from ending
        box.cancel_join_thread()

    def meeting(k: int) -> _Meeting:
        others = tuple(box for i, box in enumerate(boxes) if i != k)
        return _Meeting(now + pieces.SMALL_SHARE * search, now + search, boxes[k], others)

    meetings = tuple(meeting(k) for k in range(params.cores))
    # Queues go to a process as it starts, not with its work.
    pool = ProcessPoolExecutor(
        len(others), context, initializer=_side_start, initargs=(os.getpid(), meetings)
    )
    with pool:
        running = [
            pool.submit(_solve_until, sent, other, deadline, k) for k, other in enumerate(others, 1)
        ]
        mine = dataclasses.replace(params, cores=1)
        plans = [_solve(problem, mine, on_progress, meetings[0])]
        plans += [future.result() for future in running]
    return min(plans, key=lambda plan: plan.cost)


_meetings: tuple[_Meeting, ...] = ()  # in a side search's process: every search's


def _side_start(parent: int, meetings: tuple[_Meeting, ...]) -> None:
    """A side search ends with this process: stopped (a cancelled job), it leaves no search
    running to its limit on a core nobody reads."""
    global _meetings
    end_with_parent(parent)
    _meetings = meetings


def _solve_until(sent: bytes, params: SolveParams, deadline: float, k: int) -> Plan:
    """Solve within what is left of the shared time limit (a process takes time to start),
    as the `k`th search."""
    left = max(0.1, deadline - time.time())
    problem: Problem = pickle.loads(sent)
    return _solve(problem, dataclasses.replace(params, time_limit=left), None, _meetings[k])


def _certified(
    problem: Problem, plan: Plan, jobs: list[str], refused: list[str], deadline: float
) -> Plan:
    """The plan with every left-out job that a route can still take put on it, and every
    pinned job kept on its volunteer's route even where that breaks a rule (`refused`: the
    jobs the pre-check found no route can take)."""
    planned = plan.assignment()
    left_out = [job for job in jobs if job not in planned]
    if not left_out and not refused:
        return plan
    found = insert_left_out(problem, plan.sequences(), left_out, deadline)
    jobs_by_id = problem.jobs_by_id()
    routes = {route.volunteer: found.routes.get(route.volunteer, route) for route in plan.routes}
    saved = sum(problem.penalty(jobs_by_id[job]) for job in found.inserted)
    cost = plan.cost - saved + found.added_cost
    still = [job for job in left_out if job not in found.inserted] + refused
    _sequences, kept, retimed = keep_pinned(problem, found.sequences, still)
    routes |= retimed
    if not found.inserted and not kept:
        return plan
    return dataclasses.replace(
        plan,
        routes=tuple(routes[route.volunteer] for route in plan.routes),
        cost=cost,
        inserted=found.inserted,
        kept=kept,
    )


def _checked_plan(
    problem: Problem, sequences: Sequences, status: str, cost: int | None = None
) -> Plan:
    """A plan for routes the whole day's search never costed: times from the checker, and
    `cost` if known, else the checker's (without the soft goals' prices)."""
    verdict = check(problem, sequences)
    routes = {route.volunteer: route for route in verdict.routes}
    every = tuple(
        routes.get(volunteer.id) or empty_route(problem, index)
        for index, volunteer in enumerate(problem.volunteers)
    )
    known = verdict.cost + verdict.penalty if cost is None else cost
    return Plan(every, (), known, 0.0, status)
