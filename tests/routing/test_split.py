"""Splitting a large day into neighbourhoods, each with its own crew."""

from __future__ import annotations

from collections import Counter

from routing import Job, Problem, TimeWindow
from routing.split import split
from tests.routing.builders import problem, visit, volunteer

DAY = TimeWindow(8 * 3600, 18 * 3600)


def two_towns(jobs_per_town: int, volunteers_per_town: int) -> Problem:
    """Two clusters of doors 5 km apart, with volunteers living in each."""
    points: list[tuple[float, float]] = []
    jobs: list[Job] = []
    people = []
    for town, x0 in enumerate((0, 5000)):
        for n in range(volunteers_per_town):
            people.append(volunteer(f"v{town}-{n}", start=len(points), shift=DAY))
            points.append((x0 + 37 * n % 300, 53 * n % 300))
        for n in range(jobs_per_town):
            jobs.append(visit(f"j{town}-{n}", len(points)))
            points.append((x0 + 71 * n % 400, 29 * n % 400))
    return problem(points, people, jobs)


def test_a_small_day_is_one_piece() -> None:
    day = two_towns(10, 2)
    [piece] = split(day, day.jobs, size=50)
    assert piece.jobs == day.jobs
    assert piece.volunteers == day.volunteers


def test_every_job_and_volunteer_is_in_exactly_one_piece() -> None:
    day = two_towns(90, 9)
    pieces = split(day, day.jobs, size=60)
    jobs = Counter(job.id for piece in pieces for job in piece.jobs)
    people = Counter(v.id for piece in pieces for v in piece.volunteers)
    assert jobs == Counter(job.id for job in day.jobs)
    assert people == Counter(v.id for v in day.volunteers)
    assert len(pieces) == 3


def test_pieces_follow_the_towns_and_share_volunteers_by_work() -> None:
    day = two_towns(60, 6)
    pieces = split(day, day.jobs, size=60)
    assert len(pieces) == 2
    for piece in pieces:
        towns = {job.id.split("-")[0] for job in piece.jobs}
        homes = {v.id.split("-")[0][1:] for v in piece.volunteers}
        assert len(towns) == 1
        assert homes == {next(iter(towns))[1:]}  # the crew lives in its own town
        assert len(piece.volunteers) == 6


def test_a_pinned_job_goes_with_its_volunteer() -> None:
    day = two_towns(60, 6)
    pinned = visit("j1-0", day.jobs[60].door.location, pinned_to="v0-0")
    jobs = (*day.jobs[:60], pinned, *day.jobs[61:])
    day = Problem(day.locations, day.matrices, day.volunteers, jobs, day.objective, day.weights)
    pieces = split(day, day.jobs, size=60)
    home = next(piece for piece in pieces if any(v.id == "v0-0" for v in piece.volunteers))
    assert pinned in home.jobs


def test_a_piece_is_priced_like_the_whole_day() -> None:
    day = two_towns(60, 6)
    piece = split(day, day.jobs, size=60)[0]
    alone = piece.problem(day)
    assert alone.jobs == piece.jobs
    assert alone.penalty(piece.jobs[0]) == day.penalty(piece.jobs[0])
