"""How a day is searched: OR-Tools' parameters for a run, the first plans its construction
heuristics make, and the schedule of runs over one model (a bandit first, then a polish)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from routing.problem import Job, Problem
from routing.search.model import STATUS, Model
from routing.search.params import SolveParams
from routing.solution import Plan, Progress, Sequences, StopKind

ProgressCallback = Callable[[Progress], None]
_FIRST = routing_enums_pb2.FirstSolutionStrategy.Value
_META = routing_enums_pb2.LocalSearchMetaheuristic.Value
# Construction heuristics tried in turn when the first solution is left to "auto".
_PORTFOLIO = (
    "LOCAL_CHEAPEST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION",
    "PATH_CHEAPEST_ARC",
    "SAVINGS",
)
# Guided local search converges from parallel cheapest insertion to lower costs than from
# the cheaper starts savings makes (8 Solomon instances at 10 s: sum of gaps 33% against
# 50%, though savings starts 13-21% cheaper). On large problems the search does not
# converge in the time given and the cheapest start wins (Gehring-Homberger 1,000 at 20 s:
# savings 25% against 32%).
_PREFERRED = "PARALLEL_CHEAPEST_INSERTION"
_LARGE = 600  # job stops
# Guided local search's penalty weight by seed (cycled). On one core no weight is better
# than OR-Tools' 0.1 across instances: 0.2 saved 0.6 points of gap on 8 instances and lost
# 0.5 on 9 others. But each weight leaves a different half of the instances worse, so two
# searches side by side (`SolveParams.cores`) keep the cheaper plan of two.
LAMBDAS = (0.1, 0.2, 0.4, 0.05)


@dataclass(frozen=True)
class Search:
    """How a run searches, beyond SolveParams.

    bandit: pick moves by how well they have paid (a multi-armed bandit), not in fixed order.
    path_lns: include the moves that empty a route and re-insert its stops with an insertion
    heuristic. They insert left-out pickups and deliveries where nothing else does, and make
    the big gains of a large day's search, far from converged (1,000 Gehring-Homberger
    customers at 60 s: 3 of 4 instances cheaper with them in the polish). But one such move
    can take seconds past the time limit where the search has no use for it (the same: 8 s
    over a 10 s limit), and on a small day without pairs they took two thirds of the
    search's time for nothing (R109 at 10 s: 476 plans accepted with them, 1,437 without).
    """

    bandit: bool = False
    path_lns: bool = True


def report(
    progress: Progress, history: list[Progress], on_progress: ProgressCallback | None
) -> None:
    """Keep and pass on an improvement; a plan no cheaper than the best so far is none."""
    if history and progress.cost >= history[-1].cost:
        return
    history.append(progress)
    if on_progress is not None:
        on_progress(progress)


def parameters(model: Model, how: Search) -> pywrapcp.RoutingSearchParameters:
    """OR-Tools' settings for a run, with the time left to its deadline (OR-Tools warns when
    guided local search is closed without one); set again just before the search starts."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    first = model.params.first_solution
    if first == "auto":
        first = "PARALLEL_CHEAPEST_INSERTION"
    search.first_solution_strategy = _FIRST.Value(first)
    search.local_search_metaheuristic = _META.Value(model.params.metaheuristic)
    search.guided_local_search_lambda_coefficient = LAMBDAS[model.params.seed % len(LAMBDAS)]
    search.time_limit.FromMilliseconds(remaining_ms(model))
    if model.params.solution_limit is not None:
        search.solution_limit = model.params.solution_limit
    search.log_search = model.params.log
    search.use_multi_armed_bandit_concatenate_operators = how.bandit
    if not how.path_lns:
        operators = search.local_search_operators
        operators.use_global_cheapest_insertion_path_lns = optional_boolean_pb2.BOOL_FALSE
        operators.use_local_cheapest_insertion_path_lns = optional_boolean_pb2.BOOL_FALSE
    return search


def run(
    model: Model,
    on_progress: ProgressCallback | None,
    began: float,
    deadline: float,
    history: list[Progress],
    how: Search | None = None,
    *,
    start: Sequences | None = None,
    resume: bool = False,
) -> Plan | None:
    """Search until `deadline`; improvements go to `history` (shared across runs).

    The search starts from `start` if given, else from the warm-start plan in the
    parameters, else from a construction heuristic; with `resume`, from the best plan of
    the previous run if there was one. None if time ran out before any plan.
    """
    model.deadline = deadline
    search = parameters(model, how or Search())

    doors = [
        model.manager.NodeToIndex(node)
        for (_job, kind), nodes in model.node_of.items()
        if kind is StopKind.DOOR
        for node in nodes
    ]

    def record() -> None:
        cost = int(model.routing.CostVar().Max())
        planned = sum(1 for index in doors if model.routing.NextVar(index).Value() != index)
        progress = Progress(time.perf_counter() - began, cost, len(history) + 1, planned)
        report(progress, history, on_progress)

    model.on_solution = record
    if not model.closed:
        # One callback for every run: it calls whichever `record` the current run set.
        model.routing.AddAtSolutionCallback(lambda: model.on_solution())
        model.routing.CloseModelWithParameters(search)
        model.closed = True
    if resume and model.best is not None:
        first = model.best  # OR-Tools cannot read routes back into a model it has solved
    else:
        first = model.initial_assignment(start or model.params.initial)
    warm = first is not None and start is None and not resume
    model.read_start = first is not None and start is not None
    if first is None and model.params.first_solution == "auto":
        first = best_first_solution(model, search)
    # The time limit covers the whole call: checks, model, first solutions and search.
    search.time_limit.FromMilliseconds(remaining_ms(model))
    if first is not None:
        solution = model.routing.SolveFromAssignmentWithParameters(first, search)
    else:
        solution = model.routing.SolveWithParameters(search)
    model.status = STATUS.get(model.routing.status(), str(model.routing.status()))
    if solution is None:
        return None
    # A search out of time at once returns its first plan without calling back: report it
    # too, so that a plan is always the last progress (a demo day at 1.5 s on a busy machine
    # failed on an empty history).
    planned = sum(1 for index in doors if solution.Value(model.routing.NextVar(index)) != index)
    cost = int(solution.ObjectiveValue())
    report(
        Progress(time.perf_counter() - began, cost, len(history) + 1, planned), history, on_progress
    )
    model.best = model.routing.solver().Assignment(solution)  # a copy the next run keeps
    routes = tuple(model.route(solution, index) for index in range(len(model.problem.volunteers)))
    return Plan(
        routes,
        (),
        cost,
        time.perf_counter() - began,
        model.status,
        tuple(history),
        warm,
    )


def best_first_solution(
    model: Model, search: pywrapcp.RoutingSearchParameters
) -> pywrapcp.Assignment | None:
    """Build a first plan with each construction heuristic in turn; keep the cheapest.

    No single heuristic is safe (measured in docs/benchmarks): parallel cheapest insertion
    is the best start for the search but slow on large days, savings wins on wide time
    windows and leaves everyone out on tight ones. The fastest goes first so that a plan
    exists early; together they get at most a third of the time limit.
    """
    now = time.perf_counter()
    deadline = now + (model.deadline - now) / 3
    plans: dict[str, tuple[int, list[list[int]]]] = {}
    for strategy in _PORTFOLIO:
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        trial = pywrapcp.DefaultRoutingSearchParameters()
        trial.CopyFrom(search)
        trial.first_solution_strategy = _FIRST.Value(strategy)
        trial.solution_limit = 1
        trial.time_limit.FromMilliseconds(max(1, round(left * 1000)))
        solution = model.routing.SolveWithParameters(trial)
        if solution is not None:  # None: out of time, or this heuristic found nothing
            plans[strategy] = (solution.ObjectiveValue(), model.routes_of(solution))
    if not plans:
        return None
    preferred = plans.get(_PREFERRED)
    stops = len(model.nodes.location) - model.depot_count
    if preferred is not None and stops < _LARGE:
        routes = preferred[1]
    else:
        routes = min(plans.values(), key=lambda plan: plan[0])[1]
    return model.routing.ReadAssignmentFromRoutes(routes, True)


def remaining_ms(
    model: Model,
) -> int:
    return max(1, round((model.deadline - time.perf_counter()) * 1000))


_LEAST_RUN = 0.1  # seconds: less is not worth starting a search for


def search_day(
    problem: Problem,
    jobs: list[Job],
    params: SolveParams,
    start: Sequences | None,
    window: tuple[float, float],
    history: list[Progress],
    on_progress: ProgressCallback | None,
) -> tuple[Plan | None, bool, str]:
    """Search the whole day from `start` (else from the warm start or the heuristics) within
    `window` (began, end): the best plan if any, whether it came from the warm start, and
    OR-Tools' last status."""
    began, end = window
    model = Model(problem, jobs, params)
    if start is None and not (params.first_solution == "auto" and model.pairs):
        # One run: a small day, or a day re-planned from its previous plan.
        search = Search(path_lns=model.pairs)
        plan = run(model, on_progress, began, end, history, search, start=start)
        return plan, plan is not None and plan.warm_started, model.status
    # With pickups, or from pieces, the search's fixed order of moves spends a busy day on
    # small relocations and never reaches the moves that insert what was left out (500-stop
    # day: 28 insertable jobs left out; 1,000 Gehring-Homberger customers: 12). For the first
    # half, moves are picked by how well they pay (a multi-armed bandit); the second half
    # polishes in the fixed order, which does better once everything is placed (150-stop
    # day: 16% cheaper than bandit alone).
    half = (time.perf_counter() + end) / 2
    bandit = Search(bandit=True, path_lns=model.pairs)
    plan = run(model, on_progress, began, half, history, bandit, start=start)
    warm_started = plan is not None and plan.warm_started
    # A path LNS move can run on past the time limit (300-stop day: each run 1.1-1.6 s
    # late). The polish stops them as much before the end as the first run overran its
    # own deadline, and searches the rest of the time without them: a solve ends on time.
    late = max(0.0, time.perf_counter() - half)
    if start is None:
        # A second search of the same model does worse than a fresh one from the same plan
        # (150-stop day at 20 s: 137 k against 118 k); a large day cannot afford to build its
        # model twice (1,000 stops: 10 s), so it resumes instead.
        model = Model(problem, jobs, params)
        after = plan.sequences() if plan is not None else None
        polished = run(model, on_progress, began, end - late, history, Search(), start=after)
    else:
        # From the first run's best plan; from the pieces' plan again if that run had none
        # (out of time while OR-Tools closed the model, on a busy machine): building a first
        # plan from nothing would take longer and cost more than the plan already reported.
        polished = run(
            model, on_progress, began, end - late, history, Search(), start=start, resume=True
        )
    if late > 0 and model.best is not None and time.perf_counter() < end - _LEAST_RUN:
        steady = Search(path_lns=False)
        last = run(model, on_progress, began, end, history, steady, resume=True)
        if polished is None or (last is not None and last.cost <= polished.cost):
            polished = last
    if plan is None or (polished is not None and polished.cost <= plan.cost):
        plan = polished
    return plan, warm_started, model.status
