"""CareRoute's planner: a pure library that turns a day's jobs and volunteers into routes.

It knows nothing of the database, the web or settings; every option is an argument. Build a
`Problem` (travel matrices from any `MatrixProvider`), call `solve`, and verify any plan with
`check`.
"""

from routing.check import Check, Violation, ViolationKind, check, evaluate
from routing.explain import explain_unplanned, precheck
from routing.matrix import PROFILES, GreatCircle, MatrixProvider, TravelMatrix
from routing.problem import (
    Job,
    JobKind,
    Location,
    Objective,
    Problem,
    Stop,
    TimeWindow,
    Volunteer,
    Weights,
)
from routing.reasons import Reason, sentence
from routing.solution import (
    Kept,
    Plan,
    Progress,
    Route,
    Sequences,
    Step,
    StopKind,
    Unplanned,
    Visit,
    moved_jobs,
)
from routing.solver import SolveParams, solve

__all__ = [
    "PROFILES",
    "Check",
    "GreatCircle",
    "Job",
    "JobKind",
    "Kept",
    "Location",
    "MatrixProvider",
    "Objective",
    "Plan",
    "Problem",
    "Progress",
    "Reason",
    "Route",
    "Sequences",
    "SolveParams",
    "Step",
    "Stop",
    "StopKind",
    "TimeWindow",
    "TravelMatrix",
    "Unplanned",
    "Violation",
    "ViolationKind",
    "Visit",
    "Volunteer",
    "Weights",
    "check",
    "evaluate",
    "explain_unplanned",
    "moved_jobs",
    "precheck",
    "sentence",
    "solve",
]
