"""How to search: the options of `routing.solve`, checked when they are made."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.constraint_solver import routing_enums_pb2

from routing.solution import Sequences

FIRST_NAMES = frozenset(routing_enums_pb2.FirstSolutionStrategy.Value.keys())
META_NAMES = frozenset(routing_enums_pb2.LocalSearchMetaheuristic.Value.keys())


@dataclass(frozen=True)
class SolveParams:
    """How to search.

    Parameters
    ----------
    time_limit
        Seconds of search after the model is built.
    solution_limit
        Stop after this many improving solutions instead: the plan is then the same on every
        machine (OR-Tools' routing search has no randomness, so only a time limit can make
        two runs differ).
    first_solution
        An OR-Tools first-solution strategy name, or "auto": several construction heuristics
        in turn, fastest first, within a third of the time limit, and the search starts from
        the cheapest plan they made.
    metaheuristic
        An OR-Tools local-search metaheuristic name.
    initial
        A previous plan to start from (re-planning with minimal change): its jobs are kept
        with their volunteer unless moving them pays more than `Weights.change`.
    seed
        Which of the search's variants runs (see `routing.search.portfolio.LAMBDAS`): the
        same problem, seed and solution limit give the same plan.
    cores
        How many searches run at once, each in its own process with its own seed (this
        one's, then the next ones); the plan is the cheapest of theirs. On a small day they
        meet at the handover to groups of routes, and each goes on from the cheapest plan
        of all. With a solution limit it does not depend on how many cores the machine has.
    """

    time_limit: float
    solution_limit: int | None = None
    first_solution: str = "auto"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    initial: Sequences | None = None
    log: bool = False
    seed: int = 0
    cores: int = 1

    def __post_init__(self) -> None:
        if not (self.time_limit > 0 and math.isfinite(self.time_limit)):
            raise ValueError(f"The time limit must be a positive number, got {self.time_limit}.")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError("The solution limit must be at least 1.")
        if self.first_solution != "auto" and self.first_solution not in FIRST_NAMES:
            raise ValueError(f"Unknown first-solution strategy {self.first_solution!r}.")
        if self.cores < 1:
            raise ValueError("A search needs at least one core.")
        if self.metaheuristic not in META_NAMES:
            raise ValueError(f"Unknown metaheuristic {self.metaheuristic!r}.")
