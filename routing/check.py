"""An independent checker: does a plan keep every rule of the problem, and what does it cost?

It knows nothing of the solver. It rebuilds every route's times from the order of its steps
alone, so a plan from the OR-Tools model, a person's hand edits, or another solver are all
judged the same way.

Times follow one rule everywhere: leaving a stop takes its service time, except when the next
stop is at the same place (several meals collected at one kitchen cost one stop there).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from routing.problem import Job, Problem, Stop, Volunteer
from routing.solution import Route, Sequences, Step, StopKind, Visit


class ViolationKind(StrEnum):
    UNKNOWN_VOLUNTEER = "unknown_volunteer"
    UNKNOWN_JOB = "unknown_job"
    DUPLICATE = "duplicate"
    SPLIT = "split"  # pickup and door not both on the same route
    PRECEDENCE = "precedence"  # door before pickup
    NOT_ALLOWED = "not_allowed"  # skills, exclusions, pins
    TIME_WINDOW = "time_window"
    SHIFT = "shift"
    CAPACITY = "capacity"
    STOP_LIMIT = "stop_limit"
    WORK_TIME = "work_time"
    RIDE_TIME = "ride_time"


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    volunteer: str
    job: str | None
    message: str


@dataclass(frozen=True)
class Check:
    """The verdict on a plan."""

    violations: tuple[Violation, ...]
    routes: tuple[Route, ...]
    unplanned: tuple[str, ...]  # job ids on no route
    cost: int  # arc costs and fixed costs of used volunteers
    penalty: int  # what the unplanned jobs cost
    distance: int
    travel: int
    continuity_misses: int  # jobs with preferred volunteers done by someone else
    team_misses: int = 0  # jobs done by a volunteer of another team than the client's

    @property
    def feasible(self) -> bool:
        return not self.violations

    def kinds(self) -> set[ViolationKind]:
        return {violation.kind for violation in self.violations}


def check(problem: Problem, sequences: Sequences) -> Check:
    """Verify routes, given as the order of steps per volunteer, against the problem.

    Parameters
    ----------
    problem
        The day as it was given to the planner.
    sequences
        Steps in order, by volunteer id; volunteers without steps may be left out.
    """
    jobs = problem.jobs_by_id()
    volunteers = {volunteer.id: volunteer for volunteer in problem.volunteers}
    violations: list[Violation] = []
    routes: list[Route] = []
    seen: dict[tuple[str, StopKind], str] = {}
    for volunteer_id, steps in sequences.items():
        volunteer = volunteers.get(volunteer_id)
        if volunteer is None:
            violations.append(
                Violation(
                    ViolationKind.UNKNOWN_VOLUNTEER,
                    volunteer_id,
                    None,
                    f"There is no volunteer {volunteer_id}.",
                )
            )
            continue
        known: list[Step] = []
        for step in steps:
            if step.job not in jobs:
                violations.append(
                    _v(
                        ViolationKind.UNKNOWN_JOB,
                        volunteer,
                        step.job,
                        f"There is no job {step.job}.",
                    )
                )
            elif (step.job, step.kind) in seen:
                violations.append(
                    _v(
                        ViolationKind.DUPLICATE,
                        volunteer,
                        step.job,
                        f"The {step.kind} of job {step.job} is planned twice.",
                    )
                )
            else:
                seen[step.job, step.kind] = volunteer_id
                known.append(step)
        route, found = evaluate(problem, volunteer, known)
        routes.append(route)
        violations.extend(found)
    planned = {job for job, kind in seen if kind is StopKind.DOOR}
    unplanned = tuple(job.id for job in problem.jobs if job.id not in planned)
    used = {route.volunteer for route in routes if route.visits}
    cost = sum(volunteers[volunteer].fixed_cost for volunteer in used)
    for route in routes:
        volunteer = volunteers[route.volunteer]
        places = [volunteer.start, *(v.location for v in route.visits), volunteer.end_location]
        if route.visits:
            cost += sum(problem.arc_cost(volunteer, a, b) for a, b in itertools.pairwise(places))
    misses = sum(
        1
        for job in problem.jobs
        if job.preferred and job.id in planned and seen[job.id, StopKind.DOOR] not in job.preferred
    )
    team_misses = sum(
        1
        for job in problem.jobs
        if job.team and job.id in planned and seen[job.id, StopKind.DOOR] not in job.team
    )
    return Check(
        violations=tuple(violations),
        routes=tuple(routes),
        unplanned=unplanned,
        cost=cost,
        penalty=sum(problem.penalty(jobs[job]) for job in unplanned),
        distance=sum(route.distance for route in routes),
        travel=sum(route.travel for route in routes),
        continuity_misses=misses,
        team_misses=team_misses,
    )


def evaluate(
    problem: Problem, volunteer: Volunteer, steps: Sequence[Step]
) -> tuple[Route, list[Violation]]:
    """Times of one route, the earliest that keep its rules, and every rule it breaks."""
    jobs = problem.jobs_by_id()
    violations = _order_violations(problem, volunteer, steps, jobs)
    stops = [_stop(jobs[step.job], step.kind) for step in steps]
    visits: list[Visit] = []
    place, ready, service = volunteer.start, volunteer.shift.start, 0
    load = distance = travel = 0
    for step, stop in zip(steps, stops, strict=True):
        job = jobs[step.job]
        leg = problem.travel_time(volunteer, place, stop.location)
        arrival = ready + (service if place != stop.location else 0) + leg
        start = stop.earliest_start(arrival)
        if start is None:
            violations.append(
                _v(
                    ViolationKind.TIME_WINDOW,
                    volunteer,
                    job.id,
                    f"The {step.kind} of job {job.id} is reached at "
                    f"{hhmm(arrival)}, after its time window.",
                )
            )
            start = arrival
        load += _load_change(job, step.kind)
        if load > volunteer.capacity:
            violations.append(
                _v(
                    ViolationKind.CAPACITY,
                    volunteer,
                    job.id,
                    f"{volunteer.id} carries {load} after job {job.id}, more than "
                    f"their capacity of {volunteer.capacity}.",
                )
            )
        distance += problem.distance(volunteer, place, stop.location)
        travel += leg
        visits.append(
            Visit(job.id, step.kind, stop.location, arrival, start, start + stop.service, load)
        )
        place, ready, service = stop.location, start, stop.service
    end = volunteer.end_location
    leg = problem.travel_time(volunteer, place, end)
    arrive = ready + (service if place != end else 0) + leg
    if steps:
        distance += problem.distance(volunteer, place, end)
        travel += leg
    else:
        arrive = volunteer.shift.start
    if arrive > volunteer.shift.end:
        violations.append(
            _v(
                ViolationKind.SHIFT,
                volunteer,
                None,
                f"{volunteer.id} is back at {hhmm(arrive)}, after the end of "
                f"their shift at {hhmm(volunteer.shift.end)}.",
            )
        )
    doors = sum(1 for step in steps if step.kind is StopKind.DOOR)
    if volunteer.max_stops is not None and doors > volunteer.max_stops:
        violations.append(
            _v(
                ViolationKind.STOP_LIMIT,
                volunteer,
                None,
                f"{volunteer.id} has {doors} stops, more than their limit of "
                f"{volunteer.max_stops}.",
            )
        )
    depart = volunteer.shift.start
    if visits and not violations:
        timing = _Timing(problem, volunteer, steps, stops, visits)
        violations.extend(timing.violations())
        if not violations:
            visits, depart, arrive = timing.schedule(visits)
    return Route(volunteer.id, tuple(visits), depart, arrive, distance, travel), violations


def _order_violations(
    problem: Problem, volunteer: Volunteer, steps: Sequence[Step], jobs: Mapping[str, Job]
) -> list[Violation]:
    violations: list[Violation] = []
    position = {(step.job, step.kind): index for index, step in enumerate(steps)}
    for step in steps:
        job = jobs[step.job]
        if step.kind is StopKind.DOOR and not problem.may_do(volunteer, job):
            violations.append(
                _v(
                    ViolationKind.NOT_ALLOWED,
                    volunteer,
                    job.id,
                    f"{volunteer.id} may not do job {job.id} (skills, exclusion or pin).",
                )
            )
        if job.pickup is None:
            if step.kind is StopKind.PICKUP:
                violations.append(
                    _v(ViolationKind.SPLIT, volunteer, job.id, f"Job {job.id} has no pickup.")
                )
            continue
        pickup = position.get((job.id, StopKind.PICKUP))
        door = position.get((job.id, StopKind.DOOR))
        if pickup is None or door is None:
            if step.kind is StopKind.DOOR or door is None:
                violations.append(
                    _v(
                        ViolationKind.SPLIT,
                        volunteer,
                        job.id,
                        f"The pickup and the door of job {job.id} must be on the same route.",
                    )
                )
        elif step.kind is StopKind.DOOR and door < pickup:
            violations.append(
                _v(
                    ViolationKind.PRECEDENCE,
                    volunteer,
                    job.id,
                    f"Job {job.id} is delivered before it is collected.",
                )
            )
    return violations


class _Timing:
    """Ride times and working time need the whole route's times at once: a simple temporal
    network (difference constraints), feasible iff it has no negative cycle."""

    def __init__(
        self,
        problem: Problem,
        volunteer: Volunteer,
        steps: Sequence[Step],
        stops: list[Stop],
        visits: list[Visit],
    ) -> None:
        self.volunteer = volunteer
        self.steps = steps
        jobs = problem.jobs_by_id()
        count = len(steps)
        # nodes: 0 = zero reference, 1 = departure, 2..count+1 = steps, count+2 = return
        self.size = count + 3
        self.base: list[tuple[int, int, int]] = []
        shift = volunteer.shift
        places = [volunteer.start, *(stop.location for stop in stops), volunteer.end_location]
        services = [0, *(stop.service for stop in stops)]
        # From each node to the next: the service before it (elsewhere) and the travel.
        self.gaps: list[int] = []
        for index in range(count + 1):
            a, b = places[index], places[index + 1]
            gap = problem.travel_time(volunteer, a, b) + (services[index] if a != b else 0)
            self.gaps.append(gap)
            self.base.append((index + 2, index + 1, -gap))  # t[i+1] >= t[i] + gap
        self.base += [(1, 0, -shift.start), (0, count + 2, shift.end)]
        for index, (stop, visit) in enumerate(zip(stops, visits, strict=True)):
            window = next((w for w in stop.windows if w.contains(visit.start)), None)
            if window is not None:  # keep the window the earliest schedule falls in
                self.base += [(0, index + 2, window.end), (index + 2, 0, -window.start)]
        self.rides: list[tuple[str, tuple[int, int, int]]] = []
        where = {(step.job, step.kind): index + 2 for index, step in enumerate(steps)}
        for step in steps:
            job = jobs[step.job]
            if step.kind is StopKind.DOOR and job.max_ride is not None:
                pickup = where[job.id, StopKind.PICKUP]
                self.rides.append((job.id, (pickup, where[job.id, StopKind.DOOR], job.max_ride)))
        self.work = None if volunteer.max_work is None else (1, count + 2, volunteer.max_work)

    def violations(self) -> list[Violation]:
        extra = self._extra()
        if not extra or self._consistent(extra):
            return []
        found = [
            _v(
                ViolationKind.RIDE_TIME,
                self.volunteer,
                job,
                f"Job {job} is on board longer than its maximum ride time of "
                f"{edge[2] // 60} minutes.",
            )
            for job, edge in self.rides
            if not self._consistent([edge])
        ]
        if self.work is not None and not self._consistent([self.work]):
            found.append(
                _v(
                    ViolationKind.WORK_TIME,
                    self.volunteer,
                    None,
                    f"{self.volunteer.id}'s round takes longer than their maximum "
                    f"working time of {self.work[2] // 60} minutes.",
                )
            )
        if not found:
            found = [
                _v(
                    ViolationKind.RIDE_TIME,
                    self.volunteer,
                    None,
                    "Ride times and working time cannot all be kept at once on this route.",
                )
            ]
        return found

    def schedule(self, visits: list[Visit]) -> tuple[list[Visit], int, int]:
        """The times the volunteer is shown, and the departure and return: no longer away
        from home than the route needs (leaving later instead of waiting at a door), and
        every stop as early as that departure allows, so that any slack is kept for the
        rest of the round. They keep every rule the plan was judged by: a meal is collected
        no earlier than its ride to the door allows."""
        extra = self._extra()
        end = self.size - 1
        earliest = self._shortest(extra, backwards=True)
        assert earliest is not None  # consistent: judged so before
        back = -earliest[end]
        latest = self._shortest([*extra, (0, end, back)])  # leaving later ends no later
        assert latest is not None
        times = self._shortest([*extra, (1, 0, -latest[1])], backwards=True)
        assert times is not None
        shown: list[Visit] = []
        for index, visit in enumerate(visits):
            start = -times[index + 2]
            shown.append(
                replace(
                    visit,
                    arrival=-times[index + 1] + self.gaps[index],
                    start=start,
                    departure=start + (visit.departure - visit.start),
                )
            )
        return shown, -times[1], -times[end]

    def _extra(self) -> list[tuple[int, int, int]]:
        return [edge for _, edge in self.rides] + ([self.work] if self.work else [])

    def _consistent(self, extra: list[tuple[int, int, int]]) -> bool:
        return self._shortest(extra) is not None

    def _shortest(
        self, extra: list[tuple[int, int, int]], backwards: bool = False
    ) -> list[int] | None:
        """Bellman-Ford from the zero node (along the edges reversed, `backwards`); None on a
        negative cycle (inconsistent)."""
        edges = self.base + extra
        if backwards:
            edges = [(head, tail, weight) for tail, head, weight in edges]
        else:  # the route's edges in the order bounds travel, from its end back: few passes
            edges.reverse()
        infinity = 1 << 60
        distance = [infinity] * self.size
        distance[0] = 0
        for _ in range(self.size):
            changed = False
            for tail, head, weight in edges:
                if distance[tail] != infinity and distance[tail] + weight < distance[head]:
                    distance[head] = distance[tail] + weight
                    changed = True
            if not changed:
                return distance
        return None


def _stop(job: Job, kind: StopKind) -> Stop:
    if kind is StopKind.PICKUP and job.pickup is not None:
        return job.pickup
    return job.door


def _load_change(job: Job, kind: StopKind) -> int:
    if job.pickup is None:
        return job.demand  # goods carried from the start (a depot round)
    return job.demand if kind is StopKind.PICKUP else -job.demand


def _v(kind: ViolationKind, volunteer: Volunteer, job: str | None, message: str) -> Violation:
    return Violation(kind, volunteer.id, job, message)


def hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
