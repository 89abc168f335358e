"""Benchmark the month's completion dashboard of the demo station (150 clients) on SQLite.

    python scripts/bench_dashboard.py --json OUT [--first 2026-11-02 --last 2026-11-30]

Simulates the month first (scripts/simulate_history.py: every working day planned,
published, delivered, with misses, late deliveries and alerts), then times the figures
(the service, in process) and the dashboard page over HTTP from `careroute serve`, 20 times
each after a warm-up. Target: the page in under 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlmodel import Session, select

from dispatch import migrate
from dispatch.access import system_principal
from dispatch.container import build_services
from dispatch.db import for_writing, make_engine
from dispatch.reports.completion import completion
from models import Station
from scripts.bench_outcomes import serve
from scripts.bench_report import write_reports
from scripts.demo_station import DEMO_PASSWORDS, STATION_CODE, load_demo_station
from scripts.simulate_history import simulate

RUNS = 20


def run(first: date, last: date, workdir: Path) -> dict[str, Any]:
    url = f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    services = build_services(None)
    with Session(for_writing(engine), expire_on_commit=False) as session:
        load_demo_station(session, services)
        session.commit()
        station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
        assert station.id is not None
        station_id = station.id
        started = time.perf_counter()
        counts = simulate(session, services, engine, station_id, first, last, seconds=1)
        simulated = time.perf_counter() - started
        who = system_principal("benchmark")
        figures = completion(session, who, station_id, first, last)
        service_ms = []
        for _ in range(RUNS):
            begin = time.perf_counter()
            completion(session, who, station_id, first, last)
            service_ms.append(1000 * (time.perf_counter() - begin))
            session.rollback()
    server, base = serve(url, workdir)
    try:
        with httpx.Client(base_url=base, timeout=60) as browser:
            browser.post(
                "/login", data={"username": "manager", "password": DEMO_PASSWORDS["manager"]}
            )
            page = f"/dashboard/{station_id}"
            params = {"period": "month", "at": str(first)}
            assert browser.get(page, params=params).status_code == 200  # warm-up
            page_ms = []
            for _ in range(RUNS):
                begin = time.perf_counter()
                answer = browser.get(page, params=params)
                page_ms.append(1000 * (time.perf_counter() - begin))
                assert answer.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "first": str(first),
        "last": str(last),
        "service_days": counts["days"],
        "outcomes": counts["outcomes"],
        "alerts": counts["alerts"],
        "planned": figures.planned,
        "delivered": figures.delivered,
        "missed": figures.missed,
        "late": figures.late,
        "simulation_seconds": round(simulated, 1),
        "figures_p50_ms": round(statistics.median(service_ms), 1),
        "figures_max_ms": round(max(service_ms), 1),
        "page_p50_ms": round(statistics.median(page_ms), 1),
        "page_max_ms": round(max(page_ms), 1),
    }


def markdown(row: dict[str, Any], command: str) -> str:
    return "\n".join(
        [
            "# The month's completion dashboard",
            "",
            f"Reproduce: `{command}`",
            "",
            f"The demo station (150 clients) from {row['first']} to {row['last']}: "
            f"{row['service_days']} service days simulated ({row['outcomes']} outcomes, "
            f"{row['alerts']} alerts), then the figures and the page timed {RUNS} times each "
            "on SQLite.",
            "",
            "| planned | delivered | late | missed | figures p50 ms | figures max ms | "
            "page p50 ms | page max ms |",
            "|---|---|---|---|---|---|---|---|",
            f"| {row['planned']} | {row['delivered']} | {row['late']} | {row['missed']} | "
            f"{row['figures_p50_ms']} | {row['figures_max_ms']} | {row['page_p50_ms']} | "
            f"{row['page_max_ms']} |",
            "",
            "Target: the page in under 300 ms.",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--first", type=date.fromisoformat, default=date(2026, 11, 2))
    parser.add_argument("--last", type=date.fromisoformat, default=date(2026, 11, 30))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        row = run(args.first, args.last, Path(workdir))
    print(row)
    write_reports(args.json, row, "bench_dashboard.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
