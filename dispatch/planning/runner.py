"""The planner in a process of its own.

The solver holds the CPU for seconds and cannot be interrupted from Python, so each job runs
in a separate process: progress comes back over a pipe, cancelling or a time-out stops the
process, and a crash of the process is reported, never the web server's. `Runner` is the
interface the planning service needs; a distributed queue can implement it later.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Protocol

from routing import Plan, Problem, Progress, SolveParams, solve

log = logging.getLogger(__name__)

# Past its time limit, how long a job may take to hand its plan back before it is stopped.
GRACE_SECONDS = 20.0


@dataclass(frozen=True)
class Finished:
    plan: Plan


@dataclass(frozen=True)
class Failed:
    message: str
    timed_out: bool = False
    cancelled: bool = False


Outcome = Finished | Failed


class Listener(Protocol):
    def started(self, pid: int | None) -> None: ...
    def progress(self, progress: Progress) -> None: ...
    def finished(self, outcome: Outcome) -> None: ...


class Runner(Protocol):
    def start(self, key: int, problem: Problem, params: SolveParams, listen: Listener) -> None:
        """Plan in the background; `listen` hears of the start, each improvement, the end."""

    def cancel(self, key: int) -> bool:
        """Stop a job; False if it is not running here."""


class ProcessRunner:
    """One process per job, watched by a thread of this process."""

    def __init__(self, grace_seconds: float = GRACE_SECONDS) -> None:
        self.grace_seconds = grace_seconds
        self._context = multiprocessing.get_context("spawn")  # no forked solver or threads
        self._running: dict[int, _Job] = {}
        self._lock = threading.Lock()

    def start(self, key: int, problem: Problem, params: SolveParams, listen: Listener) -> None:
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_work, args=(send, problem, params), name=f"careroute-plan-{key}", daemon=True
        )
        job = _Job(process, receive, params.time_limit + self.grace_seconds)
        with self._lock:
            self._running[key] = job
        process.start()
        send.close()  # the child holds the sending end; EOF then means the child is gone
        listen.started(process.pid)
        threading.Thread(
            target=self._watch, args=(key, job, listen), name=f"watch-plan-{key}", daemon=True
        ).start()

    def cancel(self, key: int) -> bool:
        with self._lock:
            job = self._running.get(key)
        if job is None:
            return False
        job.cancelled = True
        job.process.terminate()
        return True

    def _watch(self, key: int, job: _Job, listen: Listener) -> None:
        began = time.monotonic()
        outcome: Outcome | None = None
        try:
            while outcome is None:
                left = job.allowed - (time.monotonic() - began)
                if job.cancelled:
                    outcome = Failed("cancelled", cancelled=True)
                elif left <= 0:
                    job.process.terminate()
                    outcome = Failed(
                        f"the planner gave no answer {self.grace_seconds:.0f} s after its "
                        "time limit and was stopped",
                        timed_out=True,
                    )
                elif job.receive.poll(min(left, 0.2)):
                    outcome = _read(job.receive, listen)
                    if job.cancelled and isinstance(outcome, Failed):
                        outcome = Failed("cancelled", cancelled=True)  # it ended as asked
        finally:
            job.process.join(timeout=5)
            if job.process.is_alive():
                job.process.kill()
            job.receive.close()
            with self._lock:
                self._running.pop(key, None)
        try:
            listen.finished(outcome)
        except Exception:
            log.exception("planning job %s: its outcome could not be recorded", key)


@dataclass
class _Job:
    process: multiprocessing.process.BaseProcess
    receive: Connection
    allowed: float
    cancelled: bool = False


def _read(receive: Connection, listen: Listener) -> Outcome | None:
    try:
        kind, value = receive.recv()
    except (EOFError, OSError):
        return Failed("the planner stopped without an answer (its process ended)")
    if kind == "progress":
        try:
            listen.progress(value)
        except Exception:  # progress is news, not state: the job goes on without it
            log.exception("planning job progress could not be recorded")
        return None
    if kind == "plan":
        return Finished(value)
    return Failed(str(value))


def _work(send: Connection, problem: Problem, params: SolveParams) -> None:
    """The child process: plan, reporting each improvement, then send the plan or the error."""

    def report(progress: Progress) -> None:
        send.send(("progress", progress))

    try:
        send.send(("plan", solve(problem, params, report)))
    except Exception as error:
        send.send(("error", f"the planner failed: {error}\n{traceback.format_exc(limit=5)}"))
    finally:
        send.close()
