"""Merge runs of `bench_routing.py` into one table: per set, time limit and cores, the mean
gap, the mean and worst ratio to PyVRP; and the time-to-quality runs side by side.

    python scripts/bench_routing_table.py RUN.json... --out docs/benchmarks/routing.md
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench_routing import Row, quality_table, summary_table


def table(runs: Sequence[Path], out: Path) -> str:
    single: list[Row] = []
    quality: list[Row] = []  # from runs at several time limits
    sources: list[str] = []
    for run in runs:
        found = json.loads(run.read_text())
        several = len({row["time_limit"] for row in found}) > 1
        (quality if several else single).extend(found)
        sources.append(f"- [`{run.name}`]({run.with_suffix('.md').name}): {len(found)} runs")
    lines = [
        "# The planner against PyVRP",
        "",
        f"Merged by `python scripts/bench_routing_table.py "
        f"{' '.join(str(r) for r in runs)} --out {out}` from these runs (each report starts "
        "with the command that reproduces it):",
        "",
        *sources,
        "",
        "Each solver on one thread unless the cores column says otherwise, both on the same "
        "instance one after the other, every plan verified by `routing.check`. Ratio: our cost "
        "over PyVRP's; below 1 we are cheaper.",
        "",
        "## By set",
        "",
        *summary_table(single),
        "",
    ]
    if quality:
        limits = sorted({row["time_limit"] for row in quality})
        lines += [
            "## Time to quality",
            "",
            "The best cost at each time limit (one run per limit).",
            "",
            *quality_table(quality, limits),
            "",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="JSON files of bench_routing.py")
    parser.add_argument("--out", type=Path, required=True, help="the Markdown file to write")
    args = parser.parse_args(argv)
    args.out.write_text(table(args.runs, args.out))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
