"""Public benchmark instances (VRPLIB and Solomon text) as `routing.Problem`s.

Each set has its own rounding convention for distances; the problem handed to the planner uses
integers scaled so that convention is kept exactly (or, for exact Euclidean sets, to 1/1000 with
travel times rounded up, so a plan feasible here is feasible in exact arithmetic). The cost of
a plan is recomputed in the set's own convention from the coordinates.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import vrplib

from routing import (
    Job,
    Objective,
    Problem,
    Sequences,
    Stop,
    StopKind,
    TimeWindow,
    TravelMatrix,
    Volunteer,
    Weights,
)

BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
_EXACT_SCALE = 1000  # exact-Euclidean sets: thousandths keep the 2-decimal objective


@dataclass(frozen=True)
class Convention:
    name: str
    scale: int  # integer units per instance unit handed to the planner
    arc: Callable[[np.ndarray], np.ndarray]  # instance-unit distance of each arc, as the set
    decimals: int  # how the objective is reported


EXACT = Convention("exact Euclidean, 2 dp", _EXACT_SCALE, lambda d: d, 2)
DIMACS = Convention("truncated to 1 decimal (DIMACS)", 10, lambda d: np.floor(d * 10) / 10, 1)
ROUNDED = Convention("rounded to the nearest integer", 1, np.rint, 0)
SCALED = Convention("x1000 rounded (PyVRP dialect)", 1, lambda d: np.rint(d * 1000), 0)


@dataclass(frozen=True)
class Instance:
    name: str
    family: str
    convention: Convention
    problem: Problem
    arcs: np.ndarray  # the set's own distance of every arc, for the reported objective
    depot_of: tuple[int, ...]  # start place of each vehicle

    def objective(self, sequences: Sequences) -> float:
        """Total distance of the routes in the set's convention (vehicle count free)."""
        jobs = self.problem.jobs_by_id()
        total = 0.0
        for index, volunteer in enumerate(self.problem.volunteers):
            steps = sequences.get(volunteer.id, ())
            if not steps:
                continue
            places = [
                self.depot_of[index],
                *(jobs[s.job].door.location for s in steps),
                self.depot_of[index],
            ]
            total += float(sum(self.arcs[a, b] for a, b in itertools.pairwise(places)))
        return round(total, self.convention.decimals)


def family_of(path: Path) -> str:
    folder = path.parent.name
    if folder in {"solomon", "homberger", "vrptw-gh1000", "mdvrptw", "cvrp-x"}:
        return folder
    return "solomon" if path.suffix == ".txt" else "vrplib"


def load(path: Path) -> Instance:
    """Read one instance file into a planning problem."""
    family = family_of(path)
    if path.suffix == ".txt":
        data = vrplib.read_instance(str(path), instance_format="solomon")
    else:
        data = vrplib.read_instance(str(path))
    convention = {
        "vrptw-gh1000": DIMACS,
        "cvrp-x": ROUNDED,
        "mdvrptw": SCALED,
    }.get(family, EXACT)
    coords = np.asarray(data["node_coord"], dtype=np.float64)
    euclid = np.hypot(*(coords[:, None, :] - coords[None, :, :]).transpose(2, 0, 1))
    arcs = convention.arc(euclid)
    scale = convention.scale
    units = np.rint(arcs * scale).astype(np.int64)
    timing = np.ceil(np.round(arcs * scale, 6)).astype(np.int64)  # never optimistic
    time_scale = 1000 if family == "mdvrptw" else scale
    depots = [int(d) for d in np.atleast_1d(data.get("depot", [0]))]
    demand = np.asarray(data["demand"], dtype=np.int64)
    windows = data.get("time_window")
    service = np.asarray(data.get("service_time", np.zeros(len(coords))), dtype=np.float64)
    if service.ndim == 0:
        service = np.full(len(coords), float(service))
    capacity = int(np.atleast_1d(data["capacity"])[0])
    customers = [i for i in range(len(coords)) if i not in depots]
    if "vehicles_depot" in data:
        depot_of = [int(d) - 1 for d in data["vehicles_depot"]]
    else:
        count = (
            int(data["vehicles"])
            if "vehicles" in data
            else _cvrp_fleet(path, customers, demand, capacity)
        )
        depot_of = [depots[0]] * count
    max_work = data.get("vehicles_max_duration")
    jobs = []
    for client in customers:
        tw: tuple[TimeWindow, ...] = ()
        if windows is not None:
            tw = (
                TimeWindow(
                    round(windows[client][0] * time_scale), round(windows[client][1] * time_scale)
                ),
            )
        door = Stop(client, tw, round(service[client] * time_scale))
        jobs.append(Job(f"{client}", door, demand=int(demand[client])))
    volunteers = []
    for index, depot in enumerate(depot_of):
        if windows is not None:
            shift = TimeWindow(
                round(windows[depot][0] * time_scale), round(windows[depot][1] * time_scale)
            )
        else:
            shift = TimeWindow(0, 10**12)
        volunteers.append(
            Volunteer(
                f"v{index + 1}",
                depot,
                shift,
                profile="plane",
                capacity=capacity,
                max_work=None if max_work is None else round(float(max_work) * time_scale),
            )
        )
    problem = Problem(
        locations=len(coords),
        matrices={"plane": TravelMatrix(timing, units)},
        volunteers=tuple(volunteers),
        jobs=tuple(jobs),
        objective=Objective.DISTANCE,
        weights=Weights(continuity=0, balance=0, change=0),
    )
    return Instance(path.stem, family, convention, problem, arcs, tuple(depot_of))


def _cvrp_fleet(path: Path, customers: list[int], demand: np.ndarray, capacity: int) -> int:
    """CVRP leaves the fleet open: the bound from the name (-kNN) or from demand, plus slack."""
    least = math.ceil(int(demand[customers].sum()) / capacity)
    if "-k" in path.stem:
        least = max(least, int(path.stem.rsplit("-k", 1)[1]))
    return least + max(2, least // 5)


@cache
def best_known() -> dict[str, tuple[float, int, str]]:
    """BKS by instance: cost, routes and convention (distance-only rows for Solomon sets)."""
    table: dict[str, tuple[float, int, str]] = {}
    if not (BENCHMARKS / "bks.csv").is_file():
        return table  # no shared benchmarks beside the project: no gaps to report
    with (BENCHMARKS / "bks.csv").open() as file:
        for row in csv.DictReader(file):
            table[row["instance"]] = (
                float(row["bks_cost"]),
                int(row["bks_routes"]),
                row["convention"],
            )
    lexicographic = BENCHMARKS / "bks-vrptw-lexicographic-and-solomon.csv"
    with lexicographic.open() as file:
        for row in csv.DictReader(file):
            name = row["instance"]
            distance_only = row["convention"].startswith("distance only")
            if name not in table or distance_only:
                table.setdefault(
                    name.upper(), (float(row["objective"]), int(row["vehicles"]), row["convention"])
                )
                if distance_only:
                    table[name.upper()] = (
                        float(row["objective"]),
                        int(row["vehicles"]),
                        row["convention"],
                    )
    return table


def instance_files(arguments: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if p.suffix in {".vrp", ".txt"} and not p.name.startswith(("LICENSE", "SOURCE"))
            )
        else:
            files.append(path)
    return files


__all__ = ["Instance", "StopKind", "best_known", "instance_files", "load"]
