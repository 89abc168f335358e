"""Benchmark the planner on public instances, through the same `routing.solve` production uses.

    python scripts/bench_routing.py FILES_OR_FOLDERS... --time-limit S [S...] --json OUT
        [--compare] [--vroom] [--processes N] [--cores C] [--seeds K [K...]]

Every plan (ours, PyVRP's with --compare, VROOM's with --vroom) is verified by `routing.check` and
costed in the instance set's own rounding convention; the gap is to the best-known solution
in ../shared/benchmarks. Writes OUT (a JSON list, one object per instance and time limit) and
a Markdown table next to it (OUT with .md): per set the mean gap, the mean ratio to PyVRP and
the worst instance; with several time limits, the best cost at each (time to quality).

Each solver runs on one thread, ours then PyVRP's on the same instance; `--processes N` runs N
instances at a time (on a machine of N cores or more: each solver keeps its thread). `--cores`
gives our planner that many (PyVRP keeps one). `--seeds` runs our planner once per seed
(`SolveParams.seed`: guided local search's penalty weight and the order in which groups of
routes are searched again) and reports each seed's means beside the summary: one time-limited
run moves by a point of gap or more on an instance, so a lever is screened on several seeds
and kept only if it shows through their spread (docs/benchmarks/README.md, fourteenth
session).
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing import SolveParams, Step, check, solve
from scripts.bench_instances import Instance, best_known, instance_files, load
from scripts.bench_report import write_reports

Row = dict[str, Any]


def run_ours(instance: Instance, time_limit: float, cores: int = 1, seed: int = 0) -> Row:
    began = time.perf_counter()
    plan = solve(instance.problem, SolveParams(time_limit=time_limit, cores=cores, seed=seed))
    seconds = time.perf_counter() - began
    return _row(instance, plan.sequences(), seconds) | {
        "first_feasible_seconds": round(plan.history[0].seconds, 3) if plan.history else None,
    }


def run_pyvrp(instance: Instance, time_limit: float) -> Row:
    from scripts.bench_others import solve_pyvrp

    outcome = solve_pyvrp(instance.problem, time_limit)
    return _row(instance, outcome.sequences, outcome.seconds)


def run_vroom(instance: Instance) -> Row | None:
    """VROOM at its default exploration level; None where it cannot express the instance."""
    from scripts.bench_others import solve_vroom

    outcome = solve_vroom(instance.problem)
    return None if outcome is None else _row(instance, outcome.sequences, outcome.seconds)


def _row(instance: Instance, sequences: Mapping[str, Sequence[Step]], seconds: float) -> Row:
    verdict = check(instance.problem, sequences)
    cost = instance.objective(sequences)
    bks = best_known().get(instance.name.upper()) or best_known().get(instance.name)
    feasible = verdict.feasible and not verdict.unplanned
    return {
        "cost": cost,
        "routes": sum(1 for steps in sequences.values() if steps),
        "seconds": round(seconds, 2),
        "feasible": feasible,
        "unplanned": len(verdict.unplanned),
        "violations": len(verdict.violations),
        "gap_pct": round((cost - bks[0]) / bks[0] * 100, 2) if bks and feasible else None,
    }


def bench(
    files: Sequence[Path],
    limits: Sequence[float],
    compare: bool,
    processes: int = 1,
    cores: int = 1,
    vroom: bool = False,
    seeds: Sequence[int] = (0,),
) -> list[Row]:
    """One row per seed, file and time limit, in that order, `processes` at a time."""
    tasks = [
        (path, limit, compare, cores, vroom, seed)
        for seed in seeds
        for path in files
        for limit in limits
    ]
    if processes <= 1:
        return [_measure(*task) for task in tasks]
    # A fresh process per task: nothing one solve leaves behind slows the next.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, max_tasks_per_child=1) as pool:
        return list(pool.map(_measure, *zip(*tasks, strict=True)))


def _measure(
    path: Path, time_limit: float, compare: bool, cores: int, vroom: bool, seed: int = 0
) -> Row:
    instance = load(path)
    bks = best_known().get(instance.name.upper()) or best_known().get(instance.name)
    row: Row = {
        "instance": instance.name,
        "set": instance.family,
        "clients": len(instance.problem.jobs),
        "convention": instance.convention.name,
        "bks": bks[0] if bks else None,
        "bks_routes": bks[1] if bks else None,
        "time_limit": time_limit,
        "cores": cores,
        "seed": seed,
    }
    row |= run_ours(instance, time_limit, cores, seed)
    if compare:
        pyvrp = run_pyvrp(instance, time_limit)
        row |= {f"pyvrp_{key}": value for key, value in pyvrp.items()}
        row["ratio_pyvrp"] = _ratio(row, pyvrp)
    other = run_vroom(instance) if vroom else None  # VROOM has no time limit
    if other is not None:
        row |= {f"vroom_{key}": value for key, value in other.items()}
        row["ratio_vroom"] = _ratio(row, other)
    print(_line(row), flush=True)
    return row


def _ratio(ours: Row, other: Row) -> float | None:
    if not (ours["feasible"] and other["feasible"]) or not other["cost"]:
        return None
    return round(float(ours["cost"]) / float(other["cost"]), 4)


def _line(row: Row) -> str:
    text = (
        f"{row['instance']:<12} {row['time_limit']}s seed {row.get('seed', 0)} "
        f"cost {row['cost']:>12} gap {row['gap_pct']}% "
        f"routes {row['routes']} {row['seconds']}s feasible {row['feasible']}"
    )
    if "ratio_pyvrp" in row:
        text += f" | PyVRP {row.get('pyvrp_cost')} ratio {row['ratio_pyvrp']}"
    if "ratio_vroom" in row:
        text += f" | VROOM {row.get('vroom_cost')} ratio {row['ratio_vroom']}"
    return text


def markdown(rows: list[Row], command: str) -> str:
    compare = any("ratio_pyvrp" in row for row in rows)
    cores = sorted({row.get("cores", 1) for row in rows})
    lines = [
        "# Routing benchmark",
        "",
        f"Reproduce: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Our planner on {', '.join(map(str, cores))} core(s); "
        "PyVRP and VROOM on one thread each. Gaps are to the best-known solution in each "
        "set's own convention (Solomon sets: the distance-only BKS; 200-customer "
        "Gehring-Homberger: the lexicographic BKS, vehicles first, so a negative gap is "
        "possible). Ratio: our cost over PyVRP's on the same instance at the same time limit.",
        "",
        "## Summary by set",
        "",
        *summary_table(rows),
        "",
    ]
    seeded = _seeded(rows)
    if seeded:
        lines += ["## By seed", "", *seed_table(rows), ""]
    limits = sorted({row["time_limit"] for row in rows})
    if len(limits) > 1:
        lines += ["## Time to quality", "", *quality_table(rows, limits), ""]
    lines += [
        "## Instances",
        "",
        "| instance | set | clients | limit s | BKS | cost | gap % | routes | s | "
        "first feasible s | feasible |" + (" PyVRP | ratio | VROOM | ratio |" if compare else ""),
        "|---|---|---|---|---|---|---|---|---|---|---|" + ("---|---|---|---|" if compare else ""),
    ]
    for r in rows:
        line = (
            f"| {_label(r, seeded)} | {r['set']} | {r['clients']} | {r['time_limit']:g} | "
            f"{r['bks']} | {r['cost']} | {r['gap_pct']} | {r['routes']} | {r['seconds']} | "
            f"{r.get('first_feasible_seconds')} | {r['feasible']} |"
        )
        if compare:
            line += (
                f" {r.get('pyvrp_cost')} | {r.get('ratio_pyvrp')} | "
                f"{r.get('vroom_cost', 'n/a')} | {r.get('ratio_vroom', '-')} |"
            )
        lines.append(line)
    return "\n".join(lines) + "\n"


def summary_table(rows: Sequence[Row]) -> list[str]:
    """Per set, time limit and cores: mean and worst gap, mean and worst ratio to PyVRP."""
    lines = [
        "| set | limit s | cores | instances | feasible | mean gap % | worst gap % | "
        "PyVRP mean gap % | mean ratio to PyVRP | worst ratio to PyVRP | "
        "mean first plan s | slowest first plan s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, float, int], list[Row]] = defaultdict(list)
    for row in rows:
        groups[row["set"], row["time_limit"], row.get("cores", 1)].append(row)
    for (name, limit, cores), group in groups.items():
        gaps = [r for r in group if r["gap_pct"] is not None]
        theirs = [r["pyvrp_gap_pct"] for r in group if r.get("pyvrp_gap_pct") is not None]
        ratios = [r for r in group if r.get("ratio_pyvrp")]
        firsts = [r for r in group if r.get("first_feasible_seconds") is not None]
        worst_gap = max(gaps, key=lambda r: r["gap_pct"], default=None)
        worst_ratio = max(ratios, key=lambda r: r["ratio_pyvrp"], default=None)
        slowest = max(firsts, key=lambda r: r["first_feasible_seconds"], default=None)
        lines.append(
            f"| {name} | {limit:g} | {cores} | {len(group)} | "
            f"{sum(r['feasible'] for r in group)} | "
            f"{_mean([r['gap_pct'] for r in gaps])} | {_worst(worst_gap, 'gap_pct')} | "
            f"{_mean(theirs)} | {_mean([r['ratio_pyvrp'] for r in ratios], 4)} | "
            f"{_worst(worst_ratio, 'ratio_pyvrp')} | "
            f"{_mean([r['first_feasible_seconds'] for r in firsts], 3)} | "
            f"{_worst(slowest, 'first_feasible_seconds')} |"
        )
    return lines


def seed_table(rows: Sequence[Row]) -> list[str]:
    """Per set, time limit and cores, each seed's mean gap and ratio to PyVRP: the spread
    a lever has to show through."""
    lines = [
        "| set | limit s | cores | seed | instances | mean gap % | mean ratio to PyVRP |",
        "|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, float, int, int], list[Row]] = defaultdict(list)
    for row in rows:
        groups[row["set"], row["time_limit"], row.get("cores", 1), row.get("seed", 0)].append(row)
    for (name, limit, cores, seed), group in sorted(groups.items()):
        gaps = [r["gap_pct"] for r in group if r["gap_pct"] is not None]
        ratios = [r["ratio_pyvrp"] for r in group if r.get("ratio_pyvrp")]
        lines.append(
            f"| {name} | {limit:g} | {cores} | {seed} | {len(group)} | {_mean(gaps)} | "
            f"{_mean(ratios, 4)} |"
        )
    return lines


def quality_table(rows: Sequence[Row], limits: Sequence[float]) -> list[str]:
    """The cost each solver reached at each time limit, one run per limit."""
    lines = [
        "| instance | solver | " + " | ".join(f"{limit:g} s" for limit in limits) + " |",
        "|---|---|" + "---|" * len(limits),
    ]
    by_instance: dict[str, dict[float, Row]] = defaultdict(dict)
    seeded = _seeded(rows)
    for row in rows:
        by_instance[_label(row, seeded)][row["time_limit"]] = row
    for name, runs in by_instance.items():
        for solver, key in (("ours", "cost"), ("PyVRP", "pyvrp_cost")):
            cells = [_cost(runs.get(limit), key) for limit in limits]
            if solver == "PyVRP" and all(cell == "-" for cell in cells):
                continue
            lines.append(f"| {name} | {solver} | " + " | ".join(cells) + " |")
    return lines


def _seeded(rows: Sequence[Row]) -> bool:
    return len({row.get("seed", 0) for row in rows}) > 1


def _label(row: Row, seeded: bool) -> str:
    """An instance's name in a table, with the seed when a report holds several."""
    return f"{row['instance']} (seed {row.get('seed', 0)})" if seeded else row["instance"]


def _cost(row: Row | None, key: str) -> str:
    if row is None or row.get(key) is None:
        return "-"
    feasible = row["feasible"] if key == "cost" else row.get("pyvrp_feasible")
    return f"{row[key]}" if feasible else "no plan"


def _worst(row: Row | None, key: str) -> str:
    return "-" if row is None else f"{row[key]} ({row['instance']})"


def _mean(values: Sequence[float], digits: int = 2) -> str:
    return f"{statistics.fmean(values):.{digits}f}" if values else "-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="instance files or folders of them")
    parser.add_argument(
        "--time-limit",
        type=float,
        nargs="+",
        required=True,
        help="seconds per instance; several: one run at each (time to quality)",
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--compare", action="store_true", help="also run PyVRP")
    parser.add_argument("--vroom", action="store_true", help="also run VROOM (its own time)")
    parser.add_argument("--processes", type=int, default=1, help="instances run at a time")
    parser.add_argument("--cores", type=int, default=1, help="cores our planner may use")
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="our planner's seeds: one run each"
    )
    args = parser.parse_args(argv)
    # Said before any run, not after the first instance's: the other solvers are optional.
    for wanted, module, name in ((args.compare, "pyvrp", "PyVRP"), (args.vroom, "vroom", "VROOM")):
        if wanted and importlib.util.find_spec(module) is None:
            parser.error(f"{name} is not installed: pip install -e '.[bench]'")
    files = instance_files(args.files)
    rows = bench(
        files, args.time_limit, args.compare, args.processes, args.cores, args.vroom, args.seeds
    )
    write_reports(args.json, rows, "bench_routing.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
