"""Benchmark the planner on realistic station days in central Nanjing.

    python scripts/bench_rounds.py --sizes 150 500 1000 --time-limit 60 --json OUT [--compare]

Each day is generated with a fixed seed on the streets of the demo OpenStreetMap extract:
hot lunches from two kitchens (45-minute ride limit), 10% medicine collected at pharmacies,
10% home visits, skills, continuity preferences, mixed travel modes and paces, and
volunteer shifts. Reports the time to the first plan, the best cost at 1, 5, 30 and 60 s,
unplanned jobs and their reasons, and (--compare) PyVRP and VROOM on the same day reduced to
what they support (door visits with windows, capacity, shifts and travel modes).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing import (
    Job,
    JobKind,
    Location,
    Plan,
    Problem,
    Progress,
    SolveParams,
    Stop,
    TimeWindow,
    Volunteer,
    Weights,
    check,
    solve,
)
from routing.matrix.roads import RoadNetwork
from scripts.bench_report import write_reports

EXTRACT = Path(__file__).resolve().parent / "demo" / "nanjing-xinjiekou.osm.pbf"
SOUTH, NORTH, WEST, EAST = 32.031, 32.057, 118.758, 118.798
KITCHENS = [Location(32.0452, 118.7718), Location(32.0365, 118.7883)]
PHARMACIES = [Location(32.0420, 118.7790), Location(32.0505, 118.7660), Location(32.0340, 118.7700)]
MODES = [("walk", 0.45, 4), ("bicycle", 0.2, 6), ("ebike", 0.3, 10), ("car", 0.05, 16)]


def _clock(hours: float) -> int:
    return round(hours * 3600)


def _place(rng: random.Random) -> Location:
    return Location(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST))


def station_day(doors: int, roads: RoadNetwork, seed: int = 20261124) -> Problem:
    """A generated day with `doors` client stops, on real streets."""
    rng = random.Random(seed + doors)
    places = [*KITCHENS, *PHARMACIES]
    volunteers: list[Volunteer] = []
    for number in range(max(3, doors // 7)):
        mode, capacity = _pick_mode(rng)
        shift = rng.choices(
            [
                TimeWindow(_clock(10), _clock(13.5)),
                TimeWindow(_clock(9), _clock(17)),
                TimeWindow(_clock(13), _clock(17.5)),
            ],
            weights=[55, 30, 15],
        )[0]
        abilities = {
            s for s, share in (("medication", 0.3), ("home_visit", 0.2)) if rng.random() < share
        }
        pace = round(rng.uniform(0.9, 1.4) if mode == "walk" else rng.uniform(0.9, 1.1), 1)
        volunteers.append(
            Volunteer(
                f"vol{number:03d}",
                len(places),
                shift,
                profile=mode,
                pace=pace,
                capacity=capacity,
                skills=frozenset(abilities),
                max_stops=12,
            )
        )
        places.append(_place(rng))
    jobs: list[Job] = []
    for number in range(doors):
        door_place = len(places)
        places.append(_place(rng))
        kind = rng.choices(list(JobKind), weights=[80, 10, 10])[0]
        preferred = (rng.choice(volunteers).id,) if rng.random() < 0.5 else ()
        forbidden = frozenset({rng.choice(volunteers).id}) if rng.random() < 0.02 else frozenset()
        priority = rng.choices([1, 3, 5], weights=[10, 75, 15])[0]
        common: dict[str, Any] = {
            "preferred": preferred,
            "priority": priority,
            "forbidden": forbidden - set(preferred),
        }
        if kind is JobKind.DELIVERY:  # from the nearer kitchen, as stations zone clients
            here = places[door_place]
            kitchen = min(range(len(KITCHENS)), key=lambda k: _far(KITCHENS[k], here))
            jobs.append(
                Job(
                    f"meal{number:04d}",
                    Stop(door_place, (TimeWindow(_clock(11), _clock(12.5)),), 120),
                    kind=kind,
                    pickup=Stop(kitchen, (TimeWindow(_clock(10.5), _clock(12.25)),), 300),
                    demand=1,
                    max_ride=45 * 60,
                    **common,
                )
            )
        elif kind is JobKind.PICKUP_DELIVERY:
            pharmacy = len(KITCHENS) + rng.randrange(len(PHARMACIES))
            window = rng.choice([(9, 12), (14, 17)])
            skills = frozenset({"medication"}) if rng.random() < 0.5 else frozenset()
            jobs.append(
                Job(
                    f"med{number:04d}",
                    Stop(door_place, (TimeWindow(_clock(window[0]), _clock(window[1])),), 300),
                    kind=kind,
                    pickup=Stop(pharmacy, (TimeWindow(_clock(9), _clock(16.5)),), 240),
                    demand=1,
                    skills=skills,
                    **common,
                )
            )
        else:
            skills = frozenset({"home_visit"}) if rng.random() < 0.3 else frozenset()
            jobs.append(
                Job(
                    f"visit{number:04d}",
                    Stop(door_place, (TimeWindow(_clock(9), _clock(17)),), 1800),
                    skills=skills,
                    **common,
                )
            )
    profiles = sorted({v.profile for v in volunteers})
    matrices = {profile: roads.matrix(places, profile) for profile in profiles}
    return Problem(len(places), matrices, tuple(volunteers), tuple(jobs))


def _far(a: Location, b: Location) -> float:
    return (a.lat - b.lat) ** 2 + ((a.lon - b.lon) * 0.85) ** 2  # cos(32°): degrees to metres


def _pick_mode(rng: random.Random) -> tuple[str, int]:
    mode = rng.choices(MODES, weights=[share for _, share, _ in MODES])[0]
    return mode[0], mode[2]


def relaxed(problem: Problem) -> Problem:
    """The day as PyVRP and VROOM can read it: door visits with windows, goods from home."""
    jobs = tuple(
        Job(job.id, job.door, demand=job.demand, priority=job.priority) for job in problem.jobs
    )
    volunteers = tuple(replace(v, max_stops=None, skills=frozenset()) for v in problem.volunteers)
    # Neither balances workloads: compare travel alone.
    return replace(problem, jobs=jobs, volunteers=volunteers, weights=Weights(0, 0, 0, 0))


def best_at(history: Sequence[Progress], seconds: float) -> int | None:
    reached = [p.cost for p in history if p.seconds <= seconds]
    return min(reached) if reached else None


def run_day(problem: Problem, time_limit: float) -> dict[str, Any]:
    plan = solve(problem, SolveParams(time_limit=time_limit))
    verdict = check(problem, plan.sequences())
    final = plan.cost
    at = {f"cost_at_{s}s": best_at(plan.history, s) for s in (1, 5, 30, 60) if s <= time_limit}
    five = at.get("cost_at_5s")
    return {
        "first_plan_seconds": round(plan.history[0].seconds, 2) if plan.history else None,
        **at,
        "final_cost": final,
        "gap_5s_to_final_pct": round((five - final) / final * 100, 2) if five else None,
        "planned": len(plan.assignment()),
        "unplanned": len(plan.unplanned),
        "unplanned_reasons": dict(Counter(str(u.reason) for u in plan.unplanned)),
        "routes": len(plan.used_routes),
        "feasible": verdict.feasible,
        "travel_hours": round(verdict.travel / 3600, 1),
        "continuity_misses": verdict.continuity_misses,
        "seconds": round(plan.seconds, 1),
    }


def compare(problem: Problem, time_limit: float) -> dict[str, Any]:
    from scripts.bench_others import solve_pyvrp, solve_vroom

    simple = relaxed(problem)
    results: dict[str, Any] = {}
    ours = solve(simple, SolveParams(time_limit=time_limit))
    outcomes: list[tuple[str, Plan | None, Any]] = [("ours", ours, None)]
    outcomes.append(("pyvrp", None, solve_pyvrp(simple, time_limit, optional=True)))
    outcomes.append(("vroom", None, solve_vroom(simple)))
    for name, plan, outcome in outcomes:
        if plan is not None:
            sequences, seconds = plan.sequences(), plan.seconds
        elif outcome is not None:
            sequences, seconds = outcome.sequences, outcome.seconds
        else:
            continue
        verdict = check(simple, sequences)
        results[name] = {
            "travel_hours": round(verdict.travel / 3600, 2),
            "unplanned": len(verdict.unplanned),
            "feasible": verdict.feasible,
            "seconds": round(seconds, 1),
        }
    return results


def markdown(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "# Realistic station days",
        "",
        f"Reproduce: `{command}`",
        "",
        "Generated days on the streets of the Xinjiekou extract (road-network matrices per "
        "travel mode); one solver at a time, one thread. Costs are the planner's objective "
        "(travel seconds, soft goals and the penalties of unplanned jobs).",
        "",
        "| doors | volunteers | first plan s | cost 1 s | cost 5 s | cost 30 s | cost 60 s | "
        "5 s vs final % | planned | unplanned | reasons | travel h | feasible |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['doors']} | {r['volunteers']} | {r['first_plan_seconds']} | "
            f"{r.get('cost_at_1s')} | {r.get('cost_at_5s')} | {r.get('cost_at_30s')} | "
            f"{r.get('cost_at_60s')} | {r['gap_5s_to_final_pct']} | {r['planned']} | "
            f"{r['unplanned']} | {r['unplanned_reasons']} | {r['travel_hours']} | "
            f"{r['feasible']} |"
        )
    compared = [r for r in rows if "compare" in r]
    if compared:
        lines += [
            "",
            "## Against PyVRP and VROOM (the day reduced to door visits)",
            "",
            "| doors | solver | travel h | unplanned | feasible | s |",
            "|---|---|---|---|---|---|",
        ]
        for r in compared:
            for name, result in r["compare"].items():
                lines.append(
                    f"| {r['doors']} | {name} | {result['travel_hours']} | "
                    f"{result['unplanned']} | {result['feasible']} | {result['seconds']} |"
                )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 500, 1000])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--compare-time-limit", type=float, default=30.0)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "careroute")
    args = parser.parse_args(argv)
    roads = RoadNetwork(EXTRACT, cache_dir=args.cache)
    rows = []
    for doors in args.sizes:
        began = time.perf_counter()
        problem = station_day(doors, roads)
        row: dict[str, Any] = {
            "doors": doors,
            "volunteers": len(problem.volunteers),
            "places": problem.locations,
            "matrix_seconds": round(time.perf_counter() - began, 2),
        }
        row |= run_day(problem, args.time_limit)
        if args.compare:
            row["compare"] = compare(problem, args.compare_time_limit)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)
    write_reports(args.json, rows, "bench_rounds.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
