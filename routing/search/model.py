"""The OR-Tools model of a day: nodes, costs, time, load and stops, and reading a solution
back as routes.

Nodes are the distinct start/end places of volunteers (shared by everyone who starts there)
followed by one node per job stop (pickup, then door). Every matrix handed to OR-Tools is
registered as a matrix or a vector, so the search never calls back into Python.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp

from routing.explain import allowed_volunteers
from routing.problem import Job, Problem, Stop
from routing.search.params import SolveParams
from routing.solution import Route, Sequences, Step, StopKind, Visit, owners

# Soft prices per volunteer in their own cost matrix up to this many matrix entries in all
# (150-stop day: 21 volunteers x 330 nodes); a door node per price beyond. One node per price
# made the 150-stop day 30% dearer at 20 s: moving a door to a volunteer at another price is
# then a swap of nodes, which few moves do. A dimension with one transit vector per volunteer
# made OR-Tools take the whole time limit for the first plan of some days.
OWN_PRICES_LIMIT = 30_000_000
STATUS = {
    0: "not_solved",
    1: "success",
    2: "partial_success_locally_optimal_not_reached",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


def fair_share(problem: Problem, jobs: int) -> int:
    count = max(1, len(problem.volunteers))
    return math.ceil(jobs / count * (1 + problem.weights.balance_slack))


@dataclass
class Nodes:
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


class Model:
    def __init__(
        self, problem: Problem, jobs: list[Job], params: SolveParams, fair: int | None = None
    ) -> None:
        """`fair`: the stops per volunteer beyond which balance is priced, if not this day's
        own (a piece of a day is priced like the whole day)."""
        self.problem = problem
        self.jobs = jobs
        self.params = params
        self.fair = fair_share(problem, len(jobs)) if fair is None else fair
        self.pairs = any(job.pickup is not None for job in jobs)  # pickups with their doors
        self.deadline = 0.0
        self.closed = False
        self.status = STATUS[0]
        self.best: pywrapcp.Assignment | None = None
        self.read_start = False  # whether the last run started from the routes it was given
        self.on_solution: Callable[[], None] = lambda: None  # set by each run
        self.nodes = Nodes()
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
        self.own_prices = size * size * len(problem.volunteers) <= OWN_PRICES_LIMIT
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
                    limit = RideLimit(job.max_ride)
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
        """Continuity, the client's team and minimal change: what a door costs with each
        allowed volunteer, grouped by price (see OWN_PRICES_LIMIT for where the prices go)."""
        weights = self.problem.weights
        groups: dict[int, set[int]] = {}
        for vehicle in sorted(allowed):
            volunteer = self.problem.volunteers[vehicle]
            price = 0
            if job.preferred and volunteer.id not in job.preferred:
                price += weights.continuity
            if job.team and volunteer.id not in job.team:
                price += weights.team
            if job.id in before and before[job.id] != volunteer.id:
                price += weights.change
            groups.setdefault(price, set()).add(vehicle)
        if not groups:  # nobody may do it: one node, always left out
            return [(0, frozenset())]
        return [(price, frozenset(vehicles)) for price, vehicles in sorted(groups.items())]

    def routes_of(self, solution: pywrapcp.Assignment) -> list[list[int]]:
        routes = []
        for vehicle in range(len(self.problem.volunteers)):
            index = solution.Value(self.routing.NextVar(self.routing.Start(vehicle)))
            route = []
            while not self.routing.IsEnd(index):
                route.append(index)
                index = solution.Value(self.routing.NextVar(index))
            routes.append(route)
        return routes

    def initial_assignment(self, initial: Sequences | None) -> pywrapcp.Assignment | None:
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

    def route(self, solution: pywrapcp.Assignment, vehicle: int) -> Route:
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


class RideLimit:
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


def empty_route(problem: Problem, index: int) -> Route:
    volunteer = problem.volunteers[index]
    shift = volunteer.shift
    return Route(volunteer.id, (), shift.start, shift.start, 0, 0)
