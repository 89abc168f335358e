"""Count the instructions the server spends per request, under valgrind's callgrind.

    python scripts/profile_requests.py --json OUT [--outcomes 100] [--reads 200]
        [--keep DIR] [--database-url URL]

CPU seconds move from run to run and from machine to machine; instructions do not: the same
code, inputs and interpreter give the same count to about 1%, whatever else the machine is
doing. This starts `careroute serve` on a fresh SQLite file, or on the database at URL, with
one station, a published plan and volunteers with routes (as `bench_outcomes.py` makes them),
under `valgrind --tool=callgrind` (only the server's process counts, not the database's),
warms it up, then sends one request at a time: `/livez`, the authenticated read
(`/api/auth/me`) and outcomes with `bench_outcomes.py`'s mix of kinds. It reports each
kind's instructions per request and the ratios to `/livez` that issue 15 sets (an outcome at
most 4x, an authenticated read at most 2x). `--keep DIR` keeps callgrind's files, one per
kind, for `callgrind_annotate --inclusive=yes`.

The server's background loops are quietened so that they do not count: its message sender
is off (`CAREROUTE_NOTIFY_IN_SERVER=false`) and it reads the auth epoch once an hour, not
once a second (under valgrind a second of the clock is a few requests). Linux only.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from scripts.bench_outcomes import DAY, KINDS, SERVE, Door, serve, set_up, stop
from scripts.bench_report import write_reports

# The server as `careroute serve` starts it, reading the auth epoch once an hour.
SERVER = f"import dispatch.auth.cache as cache; cache.EPOCH_SECONDS = 3600.0; {SERVE}"
WARM = 30  # requests of each kind before counting: imports, caches, connections


def control(server: subprocess.Popen[bytes], client: httpx.Client, *args: str) -> None:
    """Send callgrind a command. It reads commands only while the program runs, and an idle
    server waits in the kernel: `/livez` requests wake it until the command is taken."""
    command = subprocess.Popen(
        ["callgrind_control", *args, str(server.pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while command.poll() is None:
        client.get("/livez")
        time.sleep(0.05)
    if command.returncode:
        raise RuntimeError(f"callgrind_control {' '.join(args)} failed")


def instructions(dump: Path) -> int:
    for line in dump.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"{dump} has no totals")


def outcome_body(rng: random.Random) -> dict[str, Any]:
    return {
        "client_event_id": uuid.uuid4().hex,
        "kind": rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0],
        "recorded_at": datetime.now(UTC).isoformat(),
    }


def run(outcomes: int, reads: int, workdir: Path, url: str | None = None) -> dict[str, Any]:
    url = url or f"sqlite:///{workdir / 'profile.db'}"
    _stations, routes = set_up(url, volunteers=20, stops=10, stations=1)
    doors = iter([door for route in routes for door in route] * 2)
    token = routes[0][0].token
    rng = random.Random(20261130)

    def livez(client: httpx.Client) -> None:
        assert client.get("/livez").status_code == 200

    def auth_read(client: httpx.Client) -> None:
        answer = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text

    def outcome(client: httpx.Client) -> None:
        door: Door = next(doors)
        answer = client.post(
            f"/api/me/stops/{door.stop_id}/outcomes",
            json=outcome_body(rng),
            headers={"Authorization": f"Bearer {door.token}"},
        )
        assert answer.status_code == 201, answer.text

    kinds = {
        "livez": (livez, reads),
        "auth_read": (auth_read, reads),
        "outcome": (outcome, outcomes),
    }
    server, base = serve(
        url,
        workdir,
        under=[
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={workdir / 'callgrind.out'}",
        ],
        code=SERVER,
        settings={"CAREROUTE_NOTIFY_IN_SERVER": "false"},
        start_seconds=600,  # the interpreter starts slowly under valgrind
    )
    counts: dict[str, int] = {}
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for send, _count in kinds.values():
                for _ in range(WARM):
                    send(client)
            # Each volunteer's phone has opened its days before its first door, as the
            # paced load of bench_outcomes.py does: the server knows every token, and the
            # look-up of a token's first request is not counted as an outcome's.
            for route in routes:
                known = client.get(
                    "/api/me/days",
                    params={"since": str(DAY)},
                    headers={"Authorization": f"Bearer {route[0].token}"},
                )
                assert known.status_code == 200, known.text
            control(server, client, "--instr=on")
            # Each dump holds what ran since the one before: the requests, and the `/livez`
            # that woke callgrind for the dump; an empty round measures the latter.
            control(server, client, "--dump=start")
            for kind, (send, count) in [("wake", (livez, 0)), *kinds.items()]:
                for _ in range(count):
                    send(client)
                control(server, client, f"--dump={kind}")
                counts[kind] = instructions(_last_dump(workdir))
    finally:
        stop(server, seconds=60)
    per = {kind: (counts[kind] - counts["wake"]) / count for kind, (_send, count) in kinds.items()}
    return {
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "outcomes": outcomes,
        "reads": reads,
        "instructions_per_livez": round(per["livez"]),
        "instructions_per_auth_read": round(per["auth_read"]),
        "instructions_per_outcome": round(per["outcome"]),
        "outcome_to_livez": round(per["outcome"] / per["livez"], 2),
        "auth_read_to_livez": round(per["auth_read"] / per["livez"], 2),
        "instructions_to_wake": counts["wake"],
    }


def _last_dump(workdir: Path) -> Path:
    return max(workdir.glob("callgrind.out.*"), key=lambda path: path.stat().st_mtime_ns)


def markdown(row: dict[str, Any], command: str) -> str:
    return "\n".join(
        [
            "# Instructions per request",
            "",
            f"Reproduce: `{command}`",
            "",
            "User-space instructions of the server under callgrind, one request at a time on "
            f"{row['database']}, after a warm-up: {row['reads']} `/livez`, {row['reads']} "
            f"authenticated reads, {row['outcomes']} outcomes.",
            "",
            "| request | instructions | to `/livez` |",
            "|---|---|---|",
            f"| `/livez` | {row['instructions_per_livez']:,} | 1 |",
            f"| `/api/auth/me` | {row['instructions_per_auth_read']:,} | "
            f"{row['auth_read_to_livez']} |",
            f"| outcome | {row['instructions_per_outcome']:,} | {row['outcome_to_livez']} |",
            "",
            "Issue 15 asks at most 4x for an outcome and 2x for an authenticated read.",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--outcomes", type=int, default=100)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="keep callgrind's files here")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as workdir:
        row = run(args.outcomes, args.reads, Path(workdir), args.database_url)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for dump in Path(workdir).glob("callgrind.out.*"):
                shutil.copy(dump, args.keep / dump.name)
    print(row)
    write_reports(args.json, row, "profile_requests.py", argv, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
