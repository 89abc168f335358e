#!/usr/bin/env python3
"""Set up and run every check of CareRoute; needs only Python 3.11+ and pip.

1. a virtual environment in .venv with the project and its test tools installed;
2. ruff (lint and format), mypy --strict, the import-direction contracts;
3. the test suite on SQLite;
4. the test suite again on a real PostgreSQL server that this script starts on a temporary
   data directory and port, when PostgreSQL is installed (Debian: apt-get install postgresql);
   otherwise it says so and skips that run. CAREROUTE_TEST_POSTGRES_URL names a server to use
   instead of starting one.
"""

import glob
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
WORKERS = os.environ.get("CAREROUTE_TEST_WORKERS", "2")


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def install() -> None:
    """Create .venv and install the project with its test tools (again when pyproject changes)."""
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    stamp = VENV / ".careroute-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
    stamp.write_text(digest)


def static_checks() -> None:
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    run(BIN / "lint-imports")


def pytest(label: str, extra_env: dict[str, str], results: dict[str, tuple[int, int, int]]) -> bool:
    report = Path(tempfile.mkdtemp()) / "junit.xml"
    env = os.environ | extra_env
    print(f"\n=== tests on {label} ===", flush=True)
    # tests/routing/ uses no database, and the browser test checks pages, not the database:
    # once is enough.
    again = ["--ignore=tests/routing", "--ignore=tests/browser"] if results else []
    # Tests that judge a plan made within a time limit run afterwards, one at a time: beside
    # the rest (the API fuzzing, whole demo weeks) their solver gets a fraction of the CPU.
    solo = report.with_name("solo.xml")
    code = subprocess.run(
        [
            str(BIN / "pytest"),
            "-n",
            WORKERS,
            "-q",
            "-m",
            "not solo",
            f"--junitxml={report}",
            *again,
        ],
        cwd=ROOT,
        env=env,
    ).returncode
    code_solo = subprocess.run(
        [str(BIN / "pytest"), "-q", "-p", "no:xdist", "-m", "solo", f"--junitxml={solo}", *again],
        cwd=ROOT,
        env=env,
    ).returncode
    counts = [_counts(report), _counts(solo)]
    results[label] = tuple(sum(c[i] for c in counts) for i in range(3))  # type: ignore[assignment]
    return code == 0 and code_solo in (0, 5)  # 5: no solo test on this run


def _counts(report: Path) -> tuple[int, int, int]:
    if not report.exists():
        return 0, 1, 0
    suites = ET.parse(report).getroot()
    suite = suites if suites.tag == "testsuite" else suites[0]
    total = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def find_postgres_bin() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    found = candidates[-1] if candidates else shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class TemporaryPostgres:
    """A PostgreSQL server on a temporary data dir and port, trust auth, gone afterwards."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.datadir = Path(tempfile.mkdtemp(prefix="careroute-pg-"))
        self.port = free_port()
        # initdb refuses to run as root: run the server as the postgres system user then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def __enter__(self) -> "TemporaryPostgres":
        if self.as_user:
            shutil.chown(self.datadir, "postgres")
        data = str(self.datadir / "data")
        self._pg("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.datadir / "server.log")
        self._pg("pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._pg("pg_ctl", "-D", str(self.datadir / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.datadir, ignore_errors=True)

    def _pg(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / program), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd="/tmp",
        )


def main() -> int:
    started = time.monotonic()
    install()
    static_checks()
    results: dict[str, tuple[int, int, int]] = {}
    ok = pytest("SQLite", {}, results)
    given = os.environ.get("CAREROUTE_TEST_POSTGRES_URL")
    bindir = find_postgres_bin()
    if given:
        ok = pytest("PostgreSQL", {"CAREROUTE_TEST_DATABASE_URL": given}, results) and ok
    elif bindir is not None:
        with TemporaryPostgres(bindir) as server:
            ok = pytest("PostgreSQL", {"CAREROUTE_TEST_DATABASE_URL": server.url}, results) and ok
    else:
        print(
            "\nSKIPPED the PostgreSQL run: no PostgreSQL server is installed "
            "(Debian: apt-get install postgresql), and CAREROUTE_TEST_POSTGRES_URL is not set."
        )
    print()
    for label, (passed, failed, skipped) in results.items():
        print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped")
    passed = sum(r[0] for r in results.values())
    failed = sum(r[1] for r in results.values())
    print(f"({time.monotonic() - started:.0f} s)")
    print(f"Total: {passed} passed, {failed} failed")
    return 0 if ok and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
