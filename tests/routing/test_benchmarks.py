"""The benchmark reader: a best-known solution read back through it is feasible for the
independent checker and costs exactly its published value, in each set's convention."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import vrplib

from routing import SolveParams, Step, check, solve
from scripts.bench_instances import BENCHMARKS, best_known, load

# Judges plans made within a time limit: run with the machine to itself (scripts/test.py).
pytestmark = pytest.mark.solo

INSTANCES = BENCHMARKS / "instances"
needs_shared = pytest.mark.skipif(
    not INSTANCES.is_dir(), reason=f"the shared benchmark instances are not at {INSTANCES}"
)


@needs_shared
@pytest.mark.parametrize(
    "relative",
    ["cvrp-x/X-n101-k25.vrp", "vrptw-gh1000/C1_10_1.vrp", "mdvrptw/PR11A.vrp"],
)
def test_best_known_solutions_check_out_at_their_published_cost(relative: str) -> None:
    path = INSTANCES / relative
    instance = load(path)
    routes = vrplib.read_solution(str(path.with_suffix(".sol")))["routes"]
    volunteers = [v.id for v in instance.problem.volunteers]  # route i: vehicle i (PR..A)
    plan = {volunteers[i]: [Step(str(c)) for c in route] for i, route in enumerate(routes)}
    verdict = check(instance.problem, plan)
    assert verdict.feasible, verdict.violations[:3]
    assert verdict.unplanned == ()
    bks, _, _ = best_known()[path.stem]
    assert instance.objective(plan) == pytest.approx(bks, abs=0.05)


@needs_shared
def test_a_solomon_instance_is_solved_through_the_production_api() -> None:
    instance = load(INSTANCES / "solomon" / "C101.txt")
    plan = solve(instance.problem, SolveParams(time_limit=1))
    assert check(instance.problem, plan.sequences()).feasible
    assert plan.unplanned == ()
    bks, _, _ = best_known()["C101"]
    assert instance.objective(plan.sequences()) < bks * 1.1


def test_a_tiny_solomon_file_is_solved_to_its_optimum() -> None:
    # Four clients on a 3-4-5 rectangle, two fit in a vehicle: two triangles of 12.
    instance = load(Path(__file__).parent / "data" / "tiny.txt")
    assert instance.family == "solomon"
    plan = solve(instance.problem, SolveParams(time_limit=1, solution_limit=100))
    assert check(instance.problem, plan.sequences()).feasible
    assert instance.objective(plan.sequences()) == 24.0


@pytest.mark.skipif(
    importlib.util.find_spec("pyvrp") is not None, reason="PyVRP is installed here (bench extra)"
)
def test_bench_routing_says_how_to_install_pyvrp_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen: without the bench extra, `--compare` failed with a traceback after our planner's
    first instance."""
    from scripts import bench_routing

    out = tmp_path / "result.json"
    source = Path(__file__).parent / "data" / "tiny.txt"
    arguments = [str(source), "--time-limit", "1", "--compare", "--json", str(out)]
    with pytest.raises(SystemExit) as stopped:
        bench_routing.main(arguments)
    assert stopped.value.code == 2
    assert "pip install -e '.[bench]'" in capsys.readouterr().err
    assert not out.exists()


def test_bench_routing_writes_the_interface_other_tools_read(tmp_path: Path) -> None:
    from scripts import bench_routing

    out = tmp_path / "result.json"
    source = Path(__file__).parent / "data" / "tiny.txt"
    assert bench_routing.main([str(source), "--time-limit", "1", "--json", str(out)]) == 0
    [row] = json.loads(out.read_text())
    assert {"instance", "cost", "routes", "seconds", "feasible", "gap_pct"} <= row.keys()
    assert row["feasible"] is True
    assert row["cost"] == 24.0
    assert "Reproduce: `python scripts/bench_routing.py" in out.with_suffix(".md").read_text()


def test_bench_routing_reports_time_to_quality_and_merges_into_one_table(
    tmp_path: Path,
) -> None:
    from scripts import bench_routing, bench_routing_table

    out = tmp_path / "quality.json"
    source = Path(__file__).parent / "data" / "tiny.txt"
    arguments = [str(source), "--time-limit", "0.5", "1", "2", "--json", str(out)]
    assert bench_routing.main([*arguments, "--processes", "2"]) == 0
    rows = json.loads(out.read_text())
    assert [(row["instance"], row["time_limit"]) for row in rows] == [
        ("tiny", 0.5),
        ("tiny", 1.0),
        ("tiny", 2.0),
    ]
    report = out.with_suffix(".md").read_text()
    assert "## Time to quality" in report
    assert "| tiny | ours | 24.0 | 24.0 | 24.0 |" in report
    # One summary line per set and time limit (no best-known solution: no gap).
    assert "| solomon | 0.5 | 1 | 1 | 1 | - | - |" in report

    table = tmp_path / "routing.md"
    assert bench_routing_table.main([str(out), "--out", str(table)]) == 0
    merged = table.read_text()
    assert "[`quality.json`](quality.md): 3 runs" in merged
    assert "| tiny | ours | 24.0 | 24.0 | 24.0 |" in merged


def test_bench_routing_runs_each_seed_and_reports_each_seeds_means(tmp_path: Path) -> None:
    from scripts import bench_routing

    out = tmp_path / "seeds.json"
    source = Path(__file__).parent / "data" / "tiny.txt"
    arguments = [str(source), "--time-limit", "0.5", "1", "--seeds", "0", "3", "--json", str(out)]
    assert bench_routing.main(arguments) == 0
    rows = json.loads(out.read_text())
    assert [(row["seed"], row["time_limit"]) for row in rows] == [
        (0, 0.5),
        (0, 1),
        (3, 0.5),
        (3, 1),
    ]
    assert all(row["feasible"] and row["cost"] == 24.0 for row in rows)
    report = out.with_suffix(".md").read_text()
    assert "## By seed" in report
    assert "| solomon | 1 | 1 | 3 | 1 | - | - |" in report
    # Time to quality per seed: a later seed's runs do not overwrite the first's.
    assert "| tiny (seed 0) | ours | 24.0 | 24.0 |" in report
    assert "| tiny (seed 3) | ours | 24.0 | 24.0 |" in report


def test_a_generated_station_day_is_planned_and_checked(tmp_path: Path) -> None:
    from scripts import bench_rounds

    out = tmp_path / "rounds.json"
    arguments = ["--sizes", "24", "--time-limit", "2", "--json", str(out), "--cache", str(tmp_path)]
    assert bench_rounds.main(arguments) == 0
    [row] = json.loads(out.read_text())
    assert row["feasible"] is True
    assert row["planned"] + row["unplanned"] == 24
    assert row["first_plan_seconds"] is not None


def test_a_300_stop_station_day_is_planned_within_seconds(tmp_path: Path) -> None:
    """Before the day was planned in pieces, 5 s gave 149 of these 300 jobs a volunteer:
    whole-day insertion was too slow, and continuity priced per volunteer stalled the
    search. Now all 300 fit in 5 s on the development machine. This guards against that kind
    of fall (half the day left out), not a few stops: how many fit at a time limit depends
    on the machine, and bench_rounds.py measures it (296 of 300 in 8 s on a loaded CI run).
    The limit leaves room for a machine twice as slow: at 8 s a CI machine 40% slower than
    the development one placed 248, and this machine with two busy loops beside it 148 (the
    whole day's model took 3.8 s to build and close instead of 1); at 15 s, with the loops, 298."""
    from routing.matrix.roads import RoadNetwork
    from scripts import bench_rounds

    day = bench_rounds.station_day(300, RoadNetwork(bench_rounds.EXTRACT, cache_dir=tmp_path))
    plan = solve(day, SolveParams(time_limit=15))
    assert check(day, plan.sequences()).feasible
    assert len(plan.assignment()) >= 270, plan.unplanned[:3]
    assert plan.history[0].cost > plan.cost  # the whole-day search improved on the pieces
