"""Benchmark the travel-matrix providers.

    python scripts/bench_matrix.py --json OUT [--points 2000] [--road-points 1000]

Great circle on `--points` places; the road network of the demo extract on `--road-points`
places per travel mode, timing the graph build (from the extract, no cache) apart from the
matrix itself. Best of three runs each.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing import GreatCircle, Location
from routing.matrix.roads import RoadNetwork
from scripts.bench_report import write_reports

EXTRACT = Path(__file__).resolve().parent / "demo" / "nanjing-xinjiekou.osm.pbf"


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return min(times)


def places(count: int, seed: int = 1) -> list[Location]:
    rng = random.Random(seed)
    return [
        Location(rng.uniform(32.031, 32.057), rng.uniform(118.758, 118.798)) for _ in range(count)
    ]


def markdown(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "# Travel matrices",
        "",
        f"Reproduce: `{command}`",
        "",
        "| provider | mode | places | street graph nodes | graph build s | matrix s |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['provider']} | {r['profile']} | {r['points']} | {r.get('graph_nodes', '-')} "
            f"| {r['build_seconds']} | {r['matrix_seconds']} |"
            for r in rows
        ),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--road-points", type=int, default=1000)
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    crow = places(args.points)
    seconds = best_of(3, lambda: GreatCircle().matrix(crow, "walk"))
    rows.append(
        {
            "provider": "great circle",
            "profile": "walk",
            "points": args.points,
            "build_seconds": 0.0,
            "matrix_seconds": round(seconds, 3),
        }
    )
    road = places(args.road_points, seed=2)
    for profile in ("walk", "bicycle", "ebike", "car"):
        network = RoadNetwork(EXTRACT)  # no cache: measure the real work
        build = best_of(1, lambda n=network, p=profile: n.graph(p))  # type: ignore[misc]
        seconds = best_of(3, lambda n=network, p=profile: n.matrix(road, p))  # type: ignore[misc]
        rows.append(
            {
                "provider": "road network",
                "profile": profile,
                "points": args.road_points,
                "graph_nodes": network.graph(profile).nodes,
                "build_seconds": round(build, 3),
                "matrix_seconds": round(seconds, 3),
            }
        )
    for row in rows:
        print(json.dumps(row))
    write_reports(args.json, rows, "bench_matrix.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
