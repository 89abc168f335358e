"""The outcome benchmark says when its database already held earlier runs' stations: their
open alerts are the server's background work too, and such runs do not compare."""

from pathlib import Path

from scripts.bench_outcomes import _stations_there, markdown, set_up


def test_a_report_says_the_database_held_earlier_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    assert _stations_there(url) == 0  # no tables yet
    set_up(url, volunteers=2, stops=1, stations=2)
    assert _stations_there(url) == 2

    row = {
        "volunteers": 2,
        "offered_rate_per_s": 1.0,
        "database": "sqlite",
        "retried": 0,
        "submissions": 2,
        "unique_submissions": 2,
        "stored": 2,
        "stored_exactly_once": True,
        "errors": 0,
        "throughput_per_s": 1.0,
        "p50_ms": 1.0,
        "p99_ms": 1.0,
        "max_ms": 1.0,
        "alerts": 0,
        "no_answers": 0,
        "server_cpu_ms_per_submission": 1.0,
    }
    for suffix in ("", "_one_at_a_time"):
        for name in ("outcome", "livez", "auth_read"):
            row[f"cpu_ms_per_{name}{suffix}"] = 1.0
        row[f"outcome_to_livez{suffix}"] = row[f"auth_read_to_livez{suffix}"] = 1.0
    fresh = markdown(row | {"stations_there_before": 0}, "bench")
    reused = markdown(row | {"stations_there_before": 2}, "bench")
    assert "earlier runs" not in fresh
    assert "The database held 2 stations of earlier runs" in reused
