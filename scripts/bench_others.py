"""Other solvers on the same `routing.Problem`, for side-by-side benchmarks (the `bench` extra).

PyVRP and VROOM read what they support of a problem: visits with demand, time windows and
service, volunteers with their own start and end, shift, capacity and travel matrix (one per
travel mode and pace). Pickups, ride times, skills and continuity are not translated: compare
on problems without them. Their plans come back as `Sequences`, to be judged by
`routing.check` like ours.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from routing import Job, Problem, Step, Volunteer

NEVER = 2**40  # an open time window end both solvers accept


@dataclass(frozen=True)
class Outcome:
    sequences: dict[str, list[Step]]
    seconds: float


def supported(problem: Problem) -> bool:
    return all(
        job.pickup is None and not job.skills and not job.forbidden and job.pinned_to is None
        for job in problem.jobs
    )


def _classes(problem: Problem) -> dict[tuple[str, float], int]:
    classes: dict[tuple[str, float], int] = {}
    for volunteer in problem.volunteers:
        classes.setdefault((volunteer.profile, volunteer.pace), len(classes))
    return classes


def _window(job: Job) -> tuple[int, int]:
    windows = job.door.windows
    return (windows[0].start, windows[-1].end) if windows else (0, NEVER)


def solve_pyvrp(
    problem: Problem, time_limit: float, *, optional: bool = False, seed: int = 1
) -> Outcome:
    """PyVRP's hybrid genetic search for `time_limit` seconds (one thread)."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    if not supported(problem):
        raise ValueError("PyVRP is given only problems of visits without skills or pins.")
    classes = _classes(problem)
    example = {
        key: next(v for v in problem.volunteers if (v.profile, v.pace) == key) for key in classes
    }
    depots = sorted(
        {v.start for v in problem.volunteers} | {v.end_location for v in problem.volunteers}
    )
    depot_index = {place: index for index, place in enumerate(depots)}
    groups: dict[tuple[object, ...], list[Volunteer]] = defaultdict(list)
    for volunteer in problem.volunteers:
        groups[_vehicle_key(volunteer)].append(volunteer)
    vehicle_types = [
        pyvrp.VehicleType(
            len(members),
            capacity=[members[0].capacity],
            start_depot=depot_index[members[0].start],
            end_depot=depot_index[members[0].end_location],
            fixed_cost=members[0].fixed_cost,
            tw_early=members[0].shift.start,
            tw_late=members[0].shift.end,
            shift_duration=NEVER if members[0].max_work is None else members[0].max_work,
            profile=classes[members[0].profile, members[0].pace],
        )
        for members in groups.values()
    ]
    clients = []
    for job in problem.jobs:
        early, late = _window(job)
        clients.append(
            pyvrp.Client(
                location=job.door.location,
                delivery=[job.demand],
                service_duration=job.door.service,
                tw_early=early,
                tw_late=late,
                required=not optional,
                prize=problem.penalty(job) if optional else 0,
            )
        )
    # PyVRP's stubs want ndarray[int]; plain int64 matrices are what it reads.
    distances: list[Any] = [problem.arc_costs(example[k]) for k in classes]
    durations: list[Any] = [problem.travel_times(example[k]) for k in classes]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0, 0) for _ in range(problem.locations)],
        clients=clients,
        depots=[pyvrp.Depot(location=place) for place in depots],
        vehicle_types=vehicle_types,
        distance_matrices=distances,
        duration_matrices=durations,
    )
    began = time.perf_counter()
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit), seed=seed, display=False)
    seconds = time.perf_counter() - began
    free = [list(members) for members in groups.values()]
    sequences: dict[str, list[Step]] = {}
    for route in result.best.routes():
        volunteer = free[route.vehicle_type()].pop(0)
        sequences[volunteer.id] = [
            Step(problem.jobs[activity.idx].id)
            for activity in route.schedule()
            if activity.is_client()
        ]
    return Outcome(sequences, seconds)


def _vehicle_key(volunteer: Volunteer) -> tuple[object, ...]:
    return (
        volunteer.start,
        volunteer.end_location,
        volunteer.shift,
        volunteer.capacity,
        volunteer.max_work,
        volunteer.profile,
        volunteer.pace,
        volunteer.fixed_cost,
    )


def solve_vroom(problem: Problem, exploration_level: int = 5) -> Outcome | None:
    """VROOM at its default exploration level; None where it cannot express the problem."""
    import vroom

    if not supported(problem) or any(v.max_work is not None for v in problem.volunteers):
        return None  # VROOM bounds travel time, not a route's whole duration
    classes = _classes(problem)
    solver = vroom.Input()
    for (profile, pace), index in classes.items():
        volunteer = next(v for v in problem.volunteers if (v.profile, v.pace) == (profile, pace))
        name = f"p{index}"
        solver.set_durations_matrix(name, problem.travel_times(volunteer).astype(np.uint32))
        solver.set_costs_matrix(name, problem.arc_costs(volunteer).astype(np.uint32))
    for number, volunteer in enumerate(problem.volunteers, start=1):
        solver.add_vehicle(
            vroom.Vehicle(
                number,
                start=volunteer.start,
                end=volunteer.end_location,
                profile=f"p{classes[volunteer.profile, volunteer.pace]}",
                capacity=[volunteer.capacity],
                time_window=vroom.TimeWindow(
                    volunteer.shift.start, min(volunteer.shift.end, 2**32 - 1)
                ),
                max_tasks=volunteer.max_stops if volunteer.max_stops is not None else 2**32,
            )
        )
    for number, job in enumerate(problem.jobs, start=1):
        windows = [vroom.TimeWindow(w.start, w.end) for w in job.door.windows]
        solver.add_job(
            vroom.Job(
                number,
                location=job.door.location,
                default_service=job.door.service,
                delivery=[job.demand],
                time_windows=windows,
                priority=min(100, 20 * job.priority),
            )
        )
    began = time.perf_counter()
    solution = solver.solve(exploration_level=exploration_level, nb_threads=1)
    seconds = time.perf_counter() - began
    sequences: dict[str, list[Step]] = defaultdict(list)
    frame = solution.routes
    for vehicle, kind, job_number in zip(
        frame["vehicle_id"], frame["type"], frame["id"], strict=True
    ):
        if kind == "job":
            owner = problem.volunteers[int(vehicle) - 1]
            sequences[owner.id].append(Step(problem.jobs[int(job_number) - 1].id))
    return Outcome(dict(sequences), seconds)
