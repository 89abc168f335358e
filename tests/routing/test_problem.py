"""Problem types refuse nonsense at construction, with one sentence saying what is wrong."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import numpy as np
import pytest

from routing import Job, JobKind, Location, Stop, TimeWindow, TravelMatrix, Volunteer, Weights
from tests.routing.builders import DAY, plane, problem, visit, volunteer

SITE = Stop(0)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Location(91, 0), "Latitude"),
        (lambda: Location(0, float("nan")), "Longitude"),
        (lambda: TimeWindow(100, 50), "cannot end"),
        (lambda: TimeWindow(-1, 50), "before 0"),
        (lambda: Stop(1, (TimeWindow(0, 100), TimeWindow(50, 200))), "must not overlap"),
        (lambda: Stop(1, service=-5), "Service time"),
        (lambda: Stop(-1), "negative"),
        (lambda: Job("", Stop(1)), "non-empty id"),
        (lambda: Job("a", Stop(1), pickup=SITE), "visit and cannot have a pickup"),
        (lambda: Job("a", Stop(1), kind=JobKind.DELIVERY), "needs a pickup"),
        (lambda: Job("a", Stop(1), kind="visit", pickup=SITE), "cannot have a pickup"),  # type: ignore[arg-type]
        (lambda: Job("a", Stop(1), kind="parcel"), "parcel"),  # type: ignore[arg-type]
        (lambda: Job("a", Stop(1), demand=-1), "negative demand"),
        (lambda: Job("a", Stop(1), priority=0), "priority 0"),
        (lambda: Job("a", Stop(1), max_ride=600), "maximum ride time but no pickup"),
        (
            lambda: Job("a", Stop(1), pinned_to="x", forbidden=frozenset({"x"})),
            "who is forbidden",
        ),
        (lambda: Volunteer("v", 0, DAY, pace=0), "positive pace"),
        (lambda: Volunteer("v", 0, DAY, capacity=-1), "negative capacity"),
        (lambda: Volunteer("v", 0, DAY, max_stops=-1), "stop limit"),
        (lambda: Volunteer("v", 0, DAY, cost_weight=0), "positive cost weight"),
        (lambda: Volunteer("", 0, DAY), "non-empty id"),
        (lambda: Weights(continuity=-1), "continuity"),
        (
            lambda: TravelMatrix(
                np.zeros((2, 3), dtype=np.int64), np.zeros((2, 3), dtype=np.int64)
            ),
            "square",
        ),
        (
            lambda: TravelMatrix(np.zeros((2, 2)), np.zeros((2, 2))),  # type: ignore[arg-type]
            "integers",
        ),
        (
            lambda: TravelMatrix(-np.ones((2, 2), dtype=np.int64), np.ones((2, 2), dtype=np.int64)),
            "negative",
        ),
    ],
)
def test_invalid_values_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


POINTS = [(0, 0), (10, 0)]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: problem(POINTS, [volunteer(), volunteer()], []), "Volunteer ids"),
        (lambda: problem(POINTS, [volunteer()], [visit("a", 1), visit("a", 1)]), "Job ids"),
        (lambda: problem(POINTS, [volunteer(start=5)], []), "unknown place"),
        (lambda: problem(POINTS, [volunteer()], [visit("a", 7)]), "unknown place"),
        (lambda: problem(POINTS, [volunteer(profile="car")], []), "which has no matrix"),
        (
            lambda: problem(POINTS, [volunteer()], [], matrices={"walk": plane([(0, 0)])}),
            "covers 1 places",
        ),
    ],
)
def test_inconsistent_problems_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_a_pin_to_an_absent_volunteer_is_not_an_error() -> None:
    day = problem(POINTS, [volunteer()], [visit("a", 1, pinned_to="ill")])
    assert day.job("a").pinned_to == "ill"


def test_penalties_grow_with_priority_and_exceed_any_detour() -> None:
    day = problem(POINTS, [volunteer()], [visit("a", 1, priority=1), visit("b", 1, priority=5)])
    low, high = (day.penalty(day.job(j)) for j in ("a", "b"))
    assert high == 16 * low
    assert low > 2 * 10  # the longest leg is 10


def test_a_problem_travels_to_another_process_after_use() -> None:
    """Planning jobs run in a process of their own: the problem is pickled, caches and all."""

    day = problem([(0, 0), (10, 0)], [volunteer()], [visit("a", 1)])
    assert day.jobs_by_id()["a"].id == "a"
    again = pickle.loads(pickle.dumps(day))
    assert again.jobs_by_id() == day.jobs_by_id()
    assert again.penalty(again.job("a")) == day.penalty(day.job("a"))
