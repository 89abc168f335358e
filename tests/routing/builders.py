"""Tiny hand-made problems: places on a plane, travel time = distance = Euclidean metres."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from routing import (
    Job,
    JobKind,
    Objective,
    Problem,
    Stop,
    TimeWindow,
    TravelMatrix,
    Volunteer,
    Weights,
)

DAY = TimeWindow(0, 24 * 3600)


def plane(points: Sequence[tuple[float, float]]) -> TravelMatrix:
    xy = np.asarray(points, dtype=np.float64)
    metres = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    return TravelMatrix(metres.astype(np.int64), metres.astype(np.int64))


def volunteer(
    id: str = "v1", *, start: int = 0, shift: TimeWindow = DAY, **kw: object
) -> Volunteer:
    return Volunteer(id, start, shift, **kw)  # type: ignore[arg-type]


def visit(
    id: str, place: int, *, windows: Sequence[tuple[int, int]] = (), service: int = 0, **kw: object
) -> Job:
    stop = Stop(place, tuple(TimeWindow(a, b) for a, b in windows), service)
    return Job(id, stop, **kw)  # type: ignore[arg-type]


def delivery(
    id: str,
    site: int,
    door: int,
    *,
    kind: JobKind = JobKind.DELIVERY,
    site_service: int = 0,
    door_windows: Sequence[tuple[int, int]] = (),
    **kw: object,
) -> Job:
    pickup = Stop(site, (), site_service)
    stop = Stop(door, tuple(TimeWindow(a, b) for a, b in door_windows))
    return Job(id, stop, kind=kind, pickup=pickup, **kw)  # type: ignore[arg-type]


def problem(
    points: Sequence[tuple[float, float]],
    volunteers: Sequence[Volunteer],
    jobs: Sequence[Job],
    *,
    weights: Weights | None = None,
    matrices: dict[str, TravelMatrix] | None = None,
) -> Problem:
    return Problem(
        locations=len(points),
        matrices=matrices or {"walk": plane(points)},
        volunteers=tuple(volunteers),
        jobs=tuple(jobs),
        objective=Objective.DURATION,
        weights=weights or Weights(continuity=0, balance=0, change=0),
    )
