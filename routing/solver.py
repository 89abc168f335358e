"""The OR-Tools model: from a `Problem` to a `Plan`.

Nodes are the distinct start/end places of volunteers (shared by everyone who starts there)
followed by one node per job stop (pickup, then door). Every matrix handed to OR-Tools is
registered as a matrix or a vector, so the search never calls back into Python.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from routing.check import check
from routing.explain import allowed_volunteers, explain_unplanned, precheck
from routing.problem import Job, Problem, Stop
from routing.solution import Plan, Progress, Route, Sequences, Step, StopKind, Visit, owners
from routing.split import split

_FIRST = routing_enums_pb2.FirstSolutionStrategy.Value
_META = routing_enums_pb2.LocalSearchMetaheuristic.Value
_FIRST_NAMES = frozenset(_FIRST.keys())
# Construction heuristics tried in turn when the first solution is left to "auto".
_PORTFOLIO = (
    "LOCAL_CHEAPEST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION",
    "PATH_CHEAPEST_ARC",
    "SAVINGS",
)
_META_NAMES = frozenset(_META.keys())
# Guided local search converges from parallel cheapest insertion to lower costs than from
# the cheaper starts savings makes (8 Solomon instances at 10 s: sum of gaps 33% against
# 50%, though savings starts 13-21% cheaper). On large problems the search does not
# converge in the time given and the cheapest start wins (Gehring-Homberger 1,000 at 20 s:
# savings 25% against 32%).
_PREFERRED = "PARALLEL_CHEAPEST_INSERTION"
_LARGE = 600  # job stops
# Above this many jobs the first plan is made piece by piece (see routing/split.py): whole-day
# insertion heuristics took 8 s for 600 jobs and did not finish 1,000 in 60 s.
_SPLIT = 250
_PIECE = 60  # jobs per piece: 500 jobs in pieces of 60 plan 463 in 1.8 s; of 125, 307
# Soft prices per volunteer in their own cost matrix up to this many matrix entries in all
# (150-stop day: 21 volunteers x 330 nodes); a door node per price beyond. One node per price
# made the 150-stop day 30% dearer at 20 s: moving a door to a volunteer at another price is
# then a swap of nodes, which few moves do. A dimension with one transit vector per volunteer
# made OR-Tools take the whole time limit for the first plan of some days.
_OWN_PRICES_LIMIT = 30_000_000
_PIECES = 0.3  # share of the time limit the pieces get, construction and search
_FIRST_PER_JOB = 0.003  # seconds per job for the first plan in pieces: 1.5 s for 500 jobs
_STATUS = {
    0: "not_solved",
    1: "success",
    2: "partial_success_locally_optimal_not_reached",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


@dataclass(frozen=True)
class SolveParams:
    """How to search.

    Parameters
    ----------
    time_limit
        Seconds of search after the model is built.
    solution_limit
        Stop after this many improving solutions instead: the plan is then the same on every
        machine (OR-Tools' routing search has no randomness, so only a time limit can make
        two runs differ).
    first_solution
        An OR-Tools first-solution strategy name, or "auto": several construction heuristics
        in turn, fastest first, within a third of the time limit, and the search starts from
        the cheapest plan they made.
    metaheuristic
        An OR-Tools local-search metaheuristic name.
    initial
        A previous plan to start from (re-planning with minimal change): its jobs are kept
        with their volunteer unless moving them pays more than `Weights.change`.
    """

    time_limit: float = 5.0
    solution_limit: int | None = None
    first_solution: str = "auto"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    initial: Sequences | None = None
    log: bool = False

    def __post_init__(self) -> None:
        if not (self.time_limit > 0 and math.isfinite(self.time_limit)):
            raise ValueError(f"The time limit must be a positive number, got {self.time_limit}.")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError("The solution limit must be at least 1.")
        if self.first_solution != "auto" and self.first_solution not in _FIRST_NAMES:
            raise ValueError(f"Unknown first-solution strategy {self.first_solution!r}.")
        if self.metaheuristic not in _META_NAMES:
            raise ValueError(f"Unknown metaheuristic {self.metaheuristic!r}.")


ProgressCallback = Callable[[Progress], None]


def solve(
    problem: Problem,
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
) -> Plan:
    """Plan the day: every job that can be planned, and a reason for every one that cannot.

    Parameters
    ----------
    problem
        The day's volunteers and jobs.
    params
        Search settings; the defaults suit a station's day.
    on_progress
        Called at each improving solution with the time so far and the best cost.
    """
    params = params or SolveParams()
    began = time.perf_counter()
    refused = precheck(problem)
    plannable = [job for job in problem.jobs if job.id not in refused]
    if not plannable or not problem.volunteers:
        empty = tuple(_empty_route(problem, index) for index in range(len(problem.volunteers)))
        return Plan(
            empty,
            tuple(refused.values()),
            sum(problem.penalty(problem.job(j)) for j in refused),
            time.perf_counter() - began,
            "nothing_to_plan",
        )
    history: list[Progress] = []
    end = began + params.time_limit
    start: Sequences | None = None
    if params.first_solution == "auto" and params.initial is None and len(plannable) > _SPLIT:
        # A first plan within seconds whatever the time limit, then the pieces improved.
        quick = min(_PIECES * params.time_limit, _FIRST_PER_JOB * len(plannable))
        for until in sorted({quick, _PIECES * params.time_limit}):
            start, cost = _plan_in_pieces(problem, plannable, params, began + until, start)
            doors = sum(1 for steps in start.values() for s in steps if s.kind is StopKind.DOOR)
            progress = Progress(time.perf_counter() - began, cost, len(history) + 1, doors)
            _report(progress, history, on_progress)
    model = _Model(problem, plannable, params)
    plan: Plan | None
    pairs = any(job.pickup is not None for job in plannable)
    if start is not None or (params.first_solution == "auto" and pairs):
        # With pickups, or from pieces, the search's fixed order of moves spends a busy day
        # on small relocations and never reaches the moves that insert what was left out
        # (500-stop day: 28 insertable jobs left out; 1,000 Gehring-Homberger customers:
        # 12). For the first half, moves are picked by how well they pay (a multi-armed
        # bandit); the second half polishes in the fixed order, which does better once
        # everything is placed (150-stop day: 16% cheaper than bandit alone).
        half = (time.perf_counter() + end) / 2
        bandit = _Search(bandit=True, path_lns=pairs)
        plan = model.run(on_progress, began, half, history, bandit, start=start)
        warm_started = plan is not None and plan.warm_started
        if start is None:
            # A second search of the same model does worse than a fresh one from the same
            # plan (150-stop day at 20 s: 137 k against 118 k); a large day cannot afford to
            # build its model twice (1,000 stops: 10 s), so it resumes instead.
            model = _Model(problem, plannable, params)
            after = plan.sequences() if plan is not None else None
            polished = model.run(on_progress, began, end, history, _Search(), start=after)
        else:
            polished = model.run(on_progress, began, end, history, _Search(), resume=True)
        if plan is None or (polished is not None and polished.cost <= plan.cost):
            plan = polished
    else:
        plan = model.run(on_progress, began, end, history, _Search(), start=start)
        warm_started = plan is not None and plan.warm_started
    if plan is None:  # out of time before the search had a plan: keep the pieces' plan
        plan = _checked_plan(problem, start or {}, model.status)
    planned = plan.assignment()
    unplanned_ids = [job.id for job in plannable if job.id not in planned]
    explained = explain_unplanned(problem, unplanned_ids, plan.sequences())
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
    )


def _fair_share(problem: Problem, jobs: int) -> int:
    count = max(1, len(problem.volunteers))
    return math.ceil(jobs / count * (1 + problem.weights.balance_slack))


def _report(
    progress: Progress, history: list[Progress], on_progress: ProgressCallback | None
) -> None:
    """Keep and pass on an improvement; a plan no cheaper than the best so far is none."""
    if history and progress.cost >= history[-1].cost:
        return
    history.append(progress)
    if on_progress is not None:
        on_progress(progress)


def _checked_plan(problem: Problem, sequences: Sequences, status: str) -> Plan:
    """A plan for routes the search never costed: times and cost from the checker (without
    the soft goals' prices)."""
    verdict = check(problem, sequences)
    routes = {route.volunteer: route for route in verdict.routes}
    every = tuple(
        routes.get(volunteer.id) or _empty_route(problem, index)
        for index, volunteer in enumerate(problem.volunteers)
    )
    return Plan(every, (), verdict.cost + verdict.penalty, 0.0, status)


def _plan_in_pieces(
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
    fair = _fair_share(problem, len(jobs))
    waiting = sum(len(piece.jobs) for piece in pieces if piece.volunteers)
    for piece in pieces:
        plan = None
        own = {v.id: start[v.id] for v in piece.volunteers if start and v.id in start}
        if piece.volunteers and piece.jobs:
            now = time.perf_counter()
            share = max(0.0, until - now) * len(piece.jobs) / waiting
            waiting -= len(piece.jobs)
            model = _Model(piece.problem(problem), list(piece.jobs), params, fair)
            plan = model.run(None, now, now + share, [], start=own or None)
        if plan is None:  # out of time: what the piece had, if anything
            routes.update(own)
            cost += sum(problem.penalty(job) for job in piece.jobs)  # upper bound
            continue
        cost += plan.cost
        routes.update((route.volunteer, route.steps) for route in plan.routes if route.visits)
    return routes, cost


@dataclass
class _Nodes:
    """The node table: place, service, windows, load change, and which job step it is."""

    location: list[int] = field(default_factory=list)
    stop: list[Stop | None] = field(default_factory=list)
    load: list[int] = field(default_factory=list)
    step: list[Step | None] = field(default_factory=list)
    price: list[int] = field(default_factory=list)  # soft cost of doing this node
    vehicles: list[frozenset[int]] = field(default_factory=list)  # who may do it

    def add(
        self,
        location: int,
        stop: Stop | None,
        load: int,
        step: Step | None,
        vehicles: frozenset[int] = frozenset(),
        price: int = 0,
    ) -> int:
        self.location.append(location)
        self.stop.append(stop)
        self.load.append(load)
        self.step.append(step)
        self.price.append(price)
        self.vehicles.append(vehicles)
        return len(self.location) - 1

    @property
    def services(self) -> np.ndarray:
        return np.array([0 if s is None else s.service for s in self.stop], dtype=np.int64)


class _Model:
    def __init__(
        self, problem: Problem, jobs: list[Job], params: SolveParams, fair: int | None = None
    ) -> None:
        """`fair`: the stops per volunteer beyond which balance is priced, if not this day's
        own (a piece of a day is priced like the whole day)."""
        self.problem = problem
        self.jobs = jobs
        self.params = params
        self.fair = _fair_share(problem, len(jobs)) if fair is None else fair
        self.deadline = 0.0
        self.closed = False
        self.status = _STATUS[0]
        self.best: pywrapcp.Assignment | None = None
        self._record: Callable[[], None] = lambda: None
        self.nodes = _Nodes()
        depots: dict[int, int] = {}
        for volunteer in problem.volunteers:
            for place in (volunteer.start, volunteer.end_location):
                if place not in depots:
                    depots[place] = self.nodes.add(place, None, 0, None)
        self.depot_count = len(depots)
        # Nodes of each job step, and the soft price of each door per volunteer.
        self.node_of: dict[tuple[str, StopKind], list[int]] = {}
        before = owners(params.initial) if params.initial else {}
        number = {v.id: i for i, v in enumerate(problem.volunteers)}
        allowed = {
            job.id: frozenset(number[v.id] for v in allowed_volunteers(problem, job))
            for job in jobs
        }
        prices = {job.id: self._door_prices(job, allowed[job.id], before) for job in jobs}
        size = self.depot_count + sum(1 + (job.pickup is not None) for job in jobs)
        # Prices go into each volunteer's own cost matrix while those fit (every move stays
        # open to the search); beyond that, a door gets one node per price instead.
        self.own_prices = size * size * len(problem.volunteers) <= _OWN_PRICES_LIMIT
        self.prices_of: dict[int, dict[int, int]] = {}  # vehicle -> door node -> price
        for job in jobs:
            if job.pickup is not None:
                pickup = Step(job.id, StopKind.PICKUP)
                self.node_of[job.id, StopKind.PICKUP] = [
                    self.nodes.add(
                        job.pickup.location, job.pickup, job.demand, pickup, allowed[job.id]
                    )
                ]
            load = job.demand if job.pickup is None else -job.demand
            door = Step(job.id, StopKind.DOOR)
            if self.own_prices:
                node = self.nodes.add(job.door.location, job.door, load, door, allowed[job.id])
                self.node_of[job.id, StopKind.DOOR] = [node]
                for price, vehicles in prices[job.id]:
                    for vehicle in vehicles if price else ():
                        self.prices_of.setdefault(vehicle, {})[node] = price
            else:
                self.node_of[job.id, StopKind.DOOR] = [
                    self.nodes.add(job.door.location, job.door, load, door, vehicles, price)
                    for price, vehicles in prices[job.id]
                ]
        # Distinct places, and the place of each node as an index into them.
        self.places, self.place_of = np.unique(self.nodes.location, return_inverse=True)
        starts = [depots[v.start] for v in problem.volunteers]
        ends = [depots[v.end_location] for v in problem.volunteers]
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.nodes.location), len(problem.volunteers), starts, ends
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._keep: list[object] = []  # callbacks OR-Tools holds by reference
        self._costs()
        self._time()
        self._load()
        self._stops()
        self._jobs()

    # -- model ---------------------------------------------------------------------------

    def _node_matrix(
        self, values: np.ndarray, services: np.ndarray | None = None
    ) -> npt.NDArray[np.int64]:
        """A matrix over `self.places` expanded to nodes, with service times when leaving a
        place if given."""
        expanded = values[np.ix_(self.place_of, self.place_of)].astype(np.int64)
        if services is not None:
            moves = self.place_of[:, None] != self.place_of[None, :]
            expanded = expanded + services[:, None] * moves
        depots = self.depot_count
        expanded[:depots, :depots] = 0  # an unused volunteer's empty round costs nothing
        return expanded

    def _costs(self) -> None:
        # A node's price is on every arc leaving it: a done node is left exactly once.
        shared = np.array(self.nodes.price, dtype=np.int64)
        bases: dict[tuple[str, float, float], npt.NDArray[np.int64]] = {}
        registered: dict[tuple[object, ...], int] = {}
        for index, volunteer in enumerate(self.problem.volunteers):
            base = (volunteer.profile, volunteer.pace, volunteer.cost_weight)
            own = self.prices_of.get(index, {})
            key = (*base, frozenset(own.items()))
            if key not in registered:
                if base not in bases:
                    values = self.problem.arc_costs(volunteer, self.places)
                    bases[base] = self._node_matrix(values)
                prices = shared.copy()
                for node, price in own.items():
                    prices[node] += price
                matrix = bases[base] + prices[:, None] if prices.any() else bases[base]
                registered[key] = self.routing.RegisterTransitMatrix(matrix.tolist())
            self.routing.SetArcCostEvaluatorOfVehicle(registered[key], index)
            if volunteer.fixed_cost:
                self.routing.SetFixedCostOfVehicle(volunteer.fixed_cost, index)

    def _time(self) -> None:
        problem = self.problem
        services = self.nodes.services
        classes: dict[tuple[str, float], int] = {}
        evaluators = []
        for volunteer in problem.volunteers:
            key = (volunteer.profile, volunteer.pace)
            if key not in classes:
                matrix = self._node_matrix(problem.travel_times(volunteer, self.places), services)
                classes[key] = self.routing.RegisterTransitMatrix(matrix.tolist())
            evaluators.append(classes[key])
        windows_end = [w.end for s in self.nodes.stop if s is not None for w in s.windows]
        horizon = max([v.shift.end for v in problem.volunteers] + windows_end)
        self.routing.AddDimensionWithVehicleTransits(evaluators, horizon, horizon, False, "time")
        self.time = self.routing.GetDimensionOrDie("time")
        for node, stop in enumerate(self.nodes.stop):
            if stop is None or not stop.windows:
                continue
            cumul = self.time.CumulVar(self.manager.NodeToIndex(node))
            cumul.SetRange(stop.windows[0].start, stop.windows[-1].end)
            for before, after in zip(stop.windows, stop.windows[1:], strict=False):
                cumul.RemoveInterval(before.end + 1, after.start - 1)
        for index, volunteer in enumerate(problem.volunteers):
            start, end = self.routing.Start(index), self.routing.End(index)
            self.time.CumulVar(start).SetRange(volunteer.shift.start, volunteer.shift.end)
            self.time.CumulVar(end).SetRange(volunteer.shift.start, volunteer.shift.end)
            if volunteer.max_work is not None:
                self.time.SetSpanUpperBoundForVehicle(volunteer.max_work, index)
        # Finalizers run in the order they are added: first finish every round as early as
        # it can (clients get served early in their windows), then leave home as late as that
        # allows (no waiting at the first door).
        for index in range(len(problem.volunteers)):
            self.routing.AddVariableMinimizedByFinalizer(
                self.time.CumulVar(self.routing.End(index))
            )
        for index in range(len(problem.volunteers)):
            self.routing.AddVariableMaximizedByFinalizer(
                self.time.CumulVar(self.routing.Start(index))
            )

    def _load(self) -> None:
        if not any(self.nodes.load):
            return
        vector = self.routing.RegisterUnaryTransitVector(self.nodes.load)
        capacities = [v.capacity for v in self.problem.volunteers]
        self.routing.AddDimensionWithVehicleCapacity(vector, 0, capacities, True, "load")

    def _stops(self) -> None:
        problem = self.problem
        doors = len(self.jobs)
        limited = any(v.max_stops is not None for v in problem.volunteers)
        count = len(problem.volunteers)
        balance = problem.weights.balance > 0 and self.fair < doors  # else nobody goes over
        if not (limited or balance):
            return
        ones = [int(step is not None and step.kind is StopKind.DOOR) for step in self.nodes.step]
        vector = self.routing.RegisterUnaryTransitVector(ones)
        capacities = [doors if v.max_stops is None else v.max_stops for v in problem.volunteers]
        self.routing.AddDimensionWithVehicleCapacity(vector, 0, capacities, True, "stops")
        if balance:
            stops = self.routing.GetDimensionOrDie("stops")
            for index in range(count):
                stops.SetCumulVarSoftUpperBound(
                    self.routing.End(index), self.fair, problem.weights.balance
                )

    def _jobs(self) -> None:
        pairs = 0
        everyone = len(self.problem.volunteers)
        for job in self.jobs:
            doors = [self.manager.NodeToIndex(n) for n in self.node_of[job.id, StopKind.DOOR]]
            penalty = self.problem.penalty(job)
            if job.pickup is not None:
                (node,) = self.node_of[job.id, StopKind.PICKUP]
                pickup = self.manager.NodeToIndex(node)
                collect = self.routing.AddDisjunction([pickup], penalty // 2)
                deliver = self.routing.AddDisjunction(doors, penalty - penalty // 2)
                # Same volunteer, pickup first: the pair's own filters enforce both, fast.
                self.routing.AddPickupAndDeliverySets(collect, deliver)
                if job.max_ride is not None:
                    # Native limit, checked by the dimension's filters: a solver.Add() on the
                    # two cumuls is checked by propagation instead and makes insertion crawl.
                    limit = _RideLimit(job.max_ride)
                    self._keep.append(limit)
                    self.time.SetPickupToDeliveryLimitFunctionForPair(limit, pairs)
                pairs += 1
                doors.append(pickup)
            else:
                self.routing.AddDisjunction(doors, penalty)
            for index in doors:
                vehicles = self.nodes.vehicles[self.manager.IndexToNode(index)]
                if len(vehicles) < everyone:  # -1: the job may still be left out
                    self.routing.VehicleVar(index).SetValues([-1, *sorted(vehicles)])

    def _door_prices(
        self, job: Job, allowed: frozenset[int], before: Mapping[str, str]
    ) -> list[tuple[int, frozenset[int]]]:
        """Continuity and minimal change: what a door costs with each allowed volunteer,
        grouped by price (see _OWN_PRICES_LIMIT for where the prices go)."""
        weights = self.problem.weights
        groups: dict[int, set[int]] = {}
        for vehicle in sorted(allowed):
            volunteer = self.problem.volunteers[vehicle]
            price = 0
            if job.preferred and volunteer.id not in job.preferred:
                price += weights.continuity
            if job.id in before and before[job.id] != volunteer.id:
                price += weights.change
            groups.setdefault(price, set()).add(vehicle)
        if not groups:  # nobody may do it: one node, always left out
            return [(0, frozenset())]
        return [(price, frozenset(vehicles)) for price, vehicles in sorted(groups.items())]

    # -- search --------------------------------------------------------------------------

    def _search_parameters(self, how: _Search) -> pywrapcp.RoutingSearchParameters:
        search = pywrapcp.DefaultRoutingSearchParameters()
        first = self.params.first_solution
        if first == "auto":
            first = "PARALLEL_CHEAPEST_INSERTION"
        search.first_solution_strategy = _FIRST.Value(first)
        search.local_search_metaheuristic = _META.Value(self.params.metaheuristic)
        search.time_limit.FromMilliseconds(max(1, round(self.params.time_limit * 1000)))
        if self.params.solution_limit is not None:
            search.solution_limit = self.params.solution_limit
        search.log_search = self.params.log
        search.use_multi_armed_bandit_concatenate_operators = how.bandit
        if not how.path_lns:
            operators = search.local_search_operators
            operators.use_global_cheapest_insertion_path_lns = optional_boolean_pb2.BOOL_FALSE
            operators.use_local_cheapest_insertion_path_lns = optional_boolean_pb2.BOOL_FALSE
        return search

    def run(
        self,
        on_progress: ProgressCallback | None,
        began: float,
        deadline: float,
        history: list[Progress],
        how: _Search | None = None,
        *,
        start: Sequences | None = None,
        resume: bool = False,
    ) -> Plan | None:
        """Search until `deadline`; improvements go to `history` (shared across runs).

        The search starts from `start` if given, else from the warm-start plan in the
        parameters, else from a construction heuristic; with `resume`, from the best plan of
        the previous run if there was one. None if time ran out before any plan.
        """
        self.deadline = deadline
        search = self._search_parameters(how or _Search())

        doors = [
            self.manager.NodeToIndex(node)
            for (_job, kind), nodes in self.node_of.items()
            if kind is StopKind.DOOR
            for node in nodes
        ]

        def record() -> None:
            cost = int(self.routing.CostVar().Max())
            planned = sum(1 for index in doors if self.routing.NextVar(index).Value() != index)
            progress = Progress(time.perf_counter() - began, cost, len(history) + 1, planned)
            _report(progress, history, on_progress)

        self._record = record
        if not self.closed:
            # One callback for every run: it calls whichever `record` the current run set.
            self.routing.AddAtSolutionCallback(lambda: self._record())
            self.routing.CloseModelWithParameters(search)
            self.closed = True
        if resume and self.best is not None:
            first = self.best  # OR-Tools cannot read routes back into a model it has solved
        else:
            first = self._initial_assignment(start or self.params.initial)
        warm = first is not None and start is None and not resume
        if first is None and self.params.first_solution == "auto":
            first = self._best_first_solution(search)
        # The time limit covers the whole call: checks, model, first solutions and search.
        search.time_limit.FromMilliseconds(self._remaining_ms())
        if first is not None:
            solution = self.routing.SolveFromAssignmentWithParameters(first, search)
        else:
            solution = self.routing.SolveWithParameters(search)
        self.status = _STATUS.get(self.routing.status(), str(self.routing.status()))
        if solution is None:
            return None
        self.best = self.routing.solver().Assignment(solution)  # a copy the next run keeps
        routes = tuple(
            self._route(solution, index) for index in range(len(self.problem.volunteers))
        )
        return Plan(
            routes,
            (),
            int(solution.ObjectiveValue()),
            time.perf_counter() - began,
            self.status,
            tuple(history),
            warm,
        )

    def _best_first_solution(
        self, search: pywrapcp.RoutingSearchParameters
    ) -> pywrapcp.Assignment | None:
        """Build a first plan with each construction heuristic in turn; keep the cheapest.

        No single heuristic is safe (measured in docs/benchmarks): parallel cheapest insertion
        is the best start for the search but slow on large days, savings wins on wide time
        windows and leaves everyone out on tight ones. The fastest goes first so that a plan
        exists early; together they get at most a third of the time limit.
        """
        now = time.perf_counter()
        deadline = now + (self.deadline - now) / 3
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
            solution = self.routing.SolveWithParameters(trial)
            if solution is not None:  # None: out of time, or this heuristic found nothing
                plans[strategy] = (solution.ObjectiveValue(), self._routes_of(solution))
        if not plans:
            return None
        preferred = plans.get(_PREFERRED)
        stops = len(self.nodes.location) - self.depot_count
        if preferred is not None and stops < _LARGE:
            routes = preferred[1]
        else:
            routes = min(plans.values(), key=lambda plan: plan[0])[1]
        return self.routing.ReadAssignmentFromRoutes(routes, True)

    def _routes_of(self, solution: pywrapcp.Assignment) -> list[list[int]]:
        routes = []
        for vehicle in range(len(self.problem.volunteers)):
            index = solution.Value(self.routing.NextVar(self.routing.Start(vehicle)))
            route = []
            while not self.routing.IsEnd(index):
                route.append(index)
                index = solution.Value(self.routing.NextVar(index))
            routes.append(route)
        return routes

    def _remaining_ms(self) -> int:
        return max(1, round((self.deadline - time.perf_counter()) * 1000))

    def _initial_assignment(self, initial: Sequences | None) -> pywrapcp.Assignment | None:
        if not initial:
            return None
        routes: list[list[int]] = []
        jobs = self.problem.jobs_by_id()
        for vehicle, volunteer in enumerate(self.problem.volunteers):
            steps = initial.get(volunteer.id, ())
            # Keep what this volunteer may still do, pickups with their doors.
            kept = [
                self._node_for(s, vehicle)
                for s in steps
                if (s.job, s.kind) in self.node_of
                and self.problem.may_do(volunteer, jobs[s.job])
                and _both_steps(steps, jobs[s.job].pickup is not None, s.job)
            ]
            routes.append([self.manager.NodeToIndex(node) for node in kept])
        # A previous plan the new problem no longer allows is not an error: start cold.
        return self.routing.ReadAssignmentFromRoutes(routes, True)

    def _node_for(self, step: Step, vehicle: int) -> int:
        """The node of this step that this volunteer may do (their price of a door)."""
        nodes = self.node_of[step.job, step.kind]
        return next((n for n in nodes if vehicle in self.nodes.vehicles[n]), nodes[0])

    def _route(self, solution: pywrapcp.Assignment, vehicle: int) -> Route:
        problem = self.problem
        volunteer = problem.volunteers[vehicle]
        index = self.routing.Start(vehicle)
        depart = solution.Min(self.time.CumulVar(index))
        visits: list[Visit] = []
        place, ready, service, load = volunteer.start, depart, 0, 0
        distance = travel = 0
        index = solution.Value(self.routing.NextVar(index))
        while not self.routing.IsEnd(index):
            node = self.manager.IndexToNode(index)
            step, stop = self.nodes.step[node], self.nodes.stop[node]
            assert step is not None
            assert stop is not None
            leg = problem.travel_time(volunteer, place, stop.location)
            arrival = ready + (service if place != stop.location else 0) + leg
            start = solution.Min(self.time.CumulVar(index))
            load += self.nodes.load[node]
            distance += problem.distance(volunteer, place, stop.location)
            travel += leg
            visits.append(
                Visit(
                    step.job,
                    step.kind,
                    stop.location,
                    min(arrival, start),
                    start,
                    start + stop.service,
                    load,
                )
            )
            place, ready, service = stop.location, start, stop.service
            index = solution.Value(self.routing.NextVar(index))
        arrive = solution.Min(self.time.CumulVar(index))
        if visits:
            distance += problem.distance(volunteer, place, volunteer.end_location)
            travel += problem.travel_time(volunteer, place, volunteer.end_location)
        return Route(volunteer.id, tuple(visits), depart, arrive, distance, travel)


@dataclass(frozen=True)
class _Search:
    """How a run searches, beyond SolveParams.

    bandit: pick moves by how well they have paid (a multi-armed bandit), not in fixed order.
    path_lns: include the moves that empty a route and re-insert its stops with an insertion
    heuristic. They insert left-out pickups and deliveries where nothing else does, but one
    such move can take seconds past the time limit on a day without pairs (1,000
    Gehring-Homberger customers: 8 s over a 10 s limit), where other moves do as well.
    """

    bandit: bool = False
    path_lns: bool = True


class _RideLimit:
    """The longest time from a pickup's start to its door's, whichever alternatives."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds

    def __call__(self, pickup_alternative: int, door_alternative: int) -> int:
        return self.seconds


def _both_steps(steps: Sequence[Step], paired: bool, job: str) -> bool:
    if not paired:
        return True
    kinds = {s.kind for s in steps if s.job == job}
    return kinds == {StopKind.PICKUP, StopKind.DOOR}


def _empty_route(problem: Problem, index: int) -> Route:
    volunteer = problem.volunteers[index]
    shift = volunteer.shift
    return Route(volunteer.id, (), shift.start, shift.start, 0, 0)
