"""Benchmark the planner on public instances, through the same `routing.solve` production uses.

    python scripts/bench_routing.py FILES_OR_FOLDERS... --time-limit S --json OUT [--compare]

Every plan (ours, and PyVRP's and VROOM's with --compare) is verified by `routing.check` and
costed in the instance set's own rounding convention; the gap is to the best-known solution
in ../shared/benchmarks. Writes OUT (a JSON list, one object per instance) and a Markdown
table next to it (OUT with .md). Solvers run one after another, each on one thread.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing import SolveParams, Step, check, solve
from scripts.bench_instances import Instance, best_known, instance_files, load
from scripts.bench_report import write_reports

Row = dict[str, Any]


def run_ours(instance: Instance, time_limit: float) -> Row:
    began = time.perf_counter()
    plan = solve(instance.problem, SolveParams(time_limit=time_limit))
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


def bench(files: Sequence[Path], time_limit: float, compare: bool) -> list[Row]:
    rows: list[Row] = []
    table = best_known()
    for path in files:
        instance = load(path)
        bks = table.get(instance.name.upper()) or table.get(instance.name)
        row: Row = {
            "instance": instance.name,
            "set": instance.family,
            "clients": len(instance.problem.jobs),
            "convention": instance.convention.name,
            "bks": bks[0] if bks else None,
            "bks_routes": bks[1] if bks else None,
            "time_limit": time_limit,
        }
        row |= run_ours(instance, time_limit)
        if compare:
            pyvrp = run_pyvrp(instance, time_limit)
            row |= {f"pyvrp_{key}": value for key, value in pyvrp.items()}
            row["ratio_pyvrp"] = _ratio(row, pyvrp)
            vroom = run_vroom(instance)
            if vroom is not None:
                row |= {f"vroom_{key}": value for key, value in vroom.items()}
                row["ratio_vroom"] = _ratio(row, vroom)
        print(_line(row), flush=True)
        rows.append(row)
    return rows


def _ratio(ours: Row, other: Row) -> float | None:
    if not (ours["feasible"] and other["feasible"]) or not other["cost"]:
        return None
    return round(float(ours["cost"]) / float(other["cost"]), 4)


def _line(row: Row) -> str:
    text = (
        f"{row['instance']:<12} cost {row['cost']:>12} gap {row['gap_pct']}% "
        f"routes {row['routes']} {row['seconds']}s feasible {row['feasible']}"
    )
    if "ratio_pyvrp" in row:
        text += f" | PyVRP {row.get('pyvrp_cost')} ratio {row['ratio_pyvrp']}"
    if "ratio_vroom" in row:
        text += f" | VROOM {row.get('vroom_cost')} ratio {row['ratio_vroom']}"
    return text


def markdown(rows: list[Row], command: str) -> str:
    compare = any("ratio_pyvrp" in row for row in rows)
    lines = [
        "# Routing benchmark",
        "",
        f"Reproduce: `{command}`",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, solvers run "
        "one at a time on one thread each. Gaps are to the best-known solution in each set's "
        "own convention (Solomon sets: the distance-only BKS; 200-customer Gehring-Homberger: "
        "the lexicographic BKS, vehicles first, so a negative gap is possible).",
        "",
        "## Summary by set",
        "",
        "| set | instances | feasible | mean gap % | max gap % | mean first feasible s |"
        + (" mean ratio to PyVRP | mean ratio to VROOM |" if compare else ""),
        "|---|---|---|---|---|---|" + ("---|---|" if compare else ""),
    ]
    by_set: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_set[row["set"]].append(row)
    for name, group in by_set.items():
        gaps = [r["gap_pct"] for r in group if r["gap_pct"] is not None]
        firsts = [r["first_feasible_seconds"] for r in group if r.get("first_feasible_seconds")]
        line = (
            f"| {name} | {len(group)} | {sum(r['feasible'] for r in group)} | "
            f"{_mean(gaps)} | {max(gaps) if gaps else '-'} | {_mean(firsts)} |"
        )
        if compare:
            line += (
                f" {_mean([r['ratio_pyvrp'] for r in group if r.get('ratio_pyvrp')], 4)} |"
                f" {_mean([r['ratio_vroom'] for r in group if r.get('ratio_vroom')], 4)} |"
            )
        lines.append(line)
    lines += [
        "",
        "## Instances",
        "",
        "| instance | set | clients | BKS | cost | gap % | routes | s | first feasible s | "
        "feasible |" + (" PyVRP | ratio | VROOM | ratio |" if compare else ""),
        "|---|---|---|---|---|---|---|---|---|---|" + ("---|---|---|---|" if compare else ""),
    ]
    for r in rows:
        line = (
            f"| {r['instance']} | {r['set']} | {r['clients']} | {r['bks']} | {r['cost']} | "
            f"{r['gap_pct']} | {r['routes']} | {r['seconds']} | "
            f"{r.get('first_feasible_seconds')} | {r['feasible']} |"
        )
        if compare:
            line += (
                f" {r.get('pyvrp_cost')} | {r.get('ratio_pyvrp')} | "
                f"{r.get('vroom_cost', 'n/a')} | {r.get('ratio_vroom', '-')} |"
            )
        lines.append(line)
    return "\n".join(lines) + "\n"


def _mean(values: Sequence[float], digits: int = 2) -> str:
    return f"{statistics.fmean(values):.{digits}f}" if values else "-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="instance files or folders of them")
    parser.add_argument("--time-limit", type=float, required=True, help="seconds per instance")
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--compare", action="store_true", help="also run PyVRP and VROOM")
    args = parser.parse_args(argv)
    rows = bench(instance_files(args.files), args.time_limit, args.compare)
    write_reports(args.json, rows, "bench_routing.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
