"""The planner in a process of its own.

The solver holds the CPU for seconds and cannot be interrupted from Python, so each job runs
in a separate process: progress comes back over a pipe, cancelling or a time-out stops the
process, and a crash of the process is reported, never the web server's. `Runner` is the
interface the planning service needs: the web server runs it for its own jobs, and a queue
worker (`dispatch.planning.queue`) for the jobs it takes from the broker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Protocol

from routing import Plan, Problem, Progress, SolveParams, solve
from routing.lifetime import end_with_parent

log = logging.getLogger(__name__)

# Past its time limit, how long a job may take to hand its plan back before it is stopped.
GRACE_SECONDS = 20.0
# How often the thread watching a job says it is alive (Listener.alive), which is also how
# soon a cancel asked from another process reaches the job.
HEARTBEAT_SECONDS = 1.0
# Progress is passed on at most this often (the latest improvement): early in a search the
# planner improves dozens of times a second, and each report is a database write.
PROGRESS_SECONDS = 0.25


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
    def alive(self) -> bool:
        """The job is alive; False if it should stop (cancelled from elsewhere)."""

    def progress(self, progress: Progress) -> None: ...
    def finished(self, outcome: Outcome) -> None: ...


class Runner(Protocol):
    def start(self, key: int, problem: Problem, params: SolveParams, listen: Listener) -> None:
        """Plan in the background; `listen` hears of the start, each improvement, the end."""

    def cancel(self, key: int) -> bool:
        """Stop a job; False if it is not running here."""

    def stop_all(self, reason: str, wait: float) -> None:
        """Stop every job (the server is stopping), waiting up to `wait` seconds for each to
        record that it ended, with `reason`."""


class ProcessRunner:
    """One process per job, watched by a thread of this process."""

    def __init__(self, grace_seconds: float = GRACE_SECONDS) -> None:
        self.grace_seconds = grace_seconds
        self._context = multiprocessing.get_context("spawn")  # no forked solver or threads
        self._running: dict[int, _Job] = {}
        self._lock = threading.Lock()
        self._launches: queue.Queue[_Launch] = queue.Queue()
        self._launcher: threading.Thread | None = None

    def start(self, key: int, problem: Problem, params: SolveParams, listen: Listener) -> None:
        """Hand the job to the launching thread and return at once: starting a process
        takes a second (it imports the solver before it reads the problem), which the
        coordinator should not wait for."""
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_work,
            args=(send, problem, params, os.getpid()),
            name=f"careroute-plan-{key}",
            daemon=True,
        )
        job = _Job(process, receive, params.time_limit + self.grace_seconds)
        with self._lock:
            self._running[key] = job
            if self._launcher is None:
                # The one thread that starts every process, living as long as this runner:
                # a child asks the kernel to end it when that thread ends (see `_work`),
                # which is when the server ends, however it ends.
                self._launcher = threading.Thread(
                    target=self._launching, name="launch-plans", daemon=True
                )
                self._launcher.start()
        self._launches.put(_Launch(key, job, send, listen))

    def cancel(self, key: int) -> bool:
        with self._lock:
            job = self._running.get(key)
        if job is None:
            return False
        job.cancelled = True
        if job.process.pid is not None:  # not started yet: the launcher will not start it
            job.process.terminate()
        return True

    def _launching(self) -> None:
        while True:
            launch = self._launches.get()
            try:
                self._launch(launch)
            except Exception:  # this thread must go on for the jobs after it
                log.exception("planning job %s could not be launched", launch.key)

    def _launch(self, launch: _Launch) -> None:
        job, listen = launch.job, launch.listen
        try:
            if job.cancelled or job.stopped:
                raise RuntimeError(job.stopped or "cancelled")
            job.process.start()
        except Exception as error:  # no process: the job ends here, and says why
            with self._lock:
                self._running.pop(launch.key, None)
            job.receive.close()
            launch.send.close()
            listen.finished(_not_started(job, error))
            return
        launch.send.close()  # the child holds the sending end; EOF means the child is gone
        listen.started(job.process.pid)
        job.watcher = threading.Thread(
            target=self._watch,
            args=(launch.key, job, listen),
            name=f"watch-plan-{launch.key}",
            daemon=True,
        )
        job.watcher.start()

    def stop_all(self, reason: str, wait: float = 5.0) -> None:
        with self._lock:
            jobs = list(self._running.values())
        for job in jobs:
            job.stopped = reason
            if job.process.pid is not None:
                job.process.terminate()
        for job in jobs:
            if job.watcher is not None:
                job.watcher.join(timeout=wait)

    def _watch(self, key: int, job: _Job, listen: Listener) -> None:
        began = beat = time.monotonic()
        outcome: Outcome | None = None
        pending: Progress | None = None  # the latest improvement not yet passed on
        told = 0.0
        try:
            while outcome is None:
                now = time.monotonic()
                left = job.allowed - (now - began)
                if now - beat >= HEARTBEAT_SECONDS:
                    beat = now
                    if not _tell(listen.alive, key) and not job.cancelled:
                        job.cancelled = True
                        job.process.terminate()
                if job.stopped:
                    outcome = Failed(job.stopped)
                elif job.cancelled:
                    outcome = Failed("cancelled", cancelled=True)
                elif left <= 0:
                    job.process.terminate()
                    outcome = Failed(
                        f"the planner gave no answer {self.grace_seconds:.0f} s after its "
                        "time limit and was stopped",
                        timed_out=True,
                    )
                elif job.receive.poll(min(left, 0.2)):
                    got = _read(job.receive)
                    if isinstance(got, Progress):
                        pending = got
                    else:
                        outcome = got
                    if job.stopped and isinstance(outcome, Failed):
                        outcome = Failed(job.stopped)  # it ended because the server stops
                    elif job.cancelled and isinstance(outcome, Failed):
                        outcome = Failed("cancelled", cancelled=True)  # it ended as asked
                due = outcome is not None or time.monotonic() - told >= PROGRESS_SECONDS
                if pending is not None and due:
                    _pass_on(listen, pending)
                    pending, told = None, time.monotonic()
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


class InlineRunner:
    """Plans in the calling thread, and returns when the job has ended: for commands that
    plan many days one after the other (the demo's past weeks), where starting a process per
    day would cost more than the planning. A job cannot be cancelled or stopped."""

    def start(self, key: int, problem: Problem, params: SolveParams, listen: Listener) -> None:
        listen.started(os.getpid())
        try:
            outcome: Outcome = Finished(solve(problem, params, listen.progress))
        except Exception as error:
            outcome = Failed(f"the planner failed: {error}")
        listen.finished(outcome)

    def cancel(self, key: int) -> bool:
        return False

    def stop_all(self, reason: str, wait: float = 5.0) -> None:
        return None


@dataclass
class _Launch:
    key: int
    job: _Job
    send: Connection
    listen: Listener


def _not_started(job: _Job, error: Exception) -> Failed:
    if job.stopped:
        return Failed(job.stopped)
    if job.cancelled:
        return Failed("cancelled", cancelled=True)
    return Failed(f"the planner could not start: {error}")


@dataclass
class _Job:
    process: multiprocessing.process.BaseProcess
    receive: Connection
    allowed: float
    cancelled: bool = False
    stopped: str = ""  # why the server stopped it
    watcher: threading.Thread | None = None


def _tell(news: Callable[[], bool], key: int) -> bool:
    try:
        return news()
    except Exception:  # news, not state: the job goes on without it
        log.exception("planning job %s: its heartbeat could not be recorded", key)
        return True


def _pass_on(listen: Listener, progress: Progress) -> None:
    try:
        listen.progress(progress)
    except Exception:  # progress is news, not state: the job goes on without it
        log.exception("planning job progress could not be recorded")


def _read(receive: Connection) -> Outcome | Progress:
    try:
        kind, value = receive.recv()
    except (EOFError, OSError):
        return Failed("the planner stopped without an answer (its process ended)")
    if kind == "progress":
        assert isinstance(value, Progress)
        return value
    if kind == "plan":
        return Finished(value)
    return Failed(str(value))


def _work(send: Connection, problem: Problem, params: SolveParams, server: int) -> None:
    """The child process: plan, reporting each improvement, then send the plan or the error."""
    end_with_parent(server)
    # The planner may search on several cores, each side search in a child of this process
    # that ends with it (routing.lifetime); the server still ends this one as a daemon.
    multiprocessing.current_process().daemon = False

    def report(progress: Progress) -> None:
        send.send(("progress", progress))

    try:
        send.send(("plan", solve(problem, params, report)))
    except Exception as error:
        send.send(("error", f"the planner failed: {error}\n{traceback.format_exc(limit=5)}"))
    finally:
        send.close()
