"""Split a large day into neighbourhoods that can be planned on their own.

OR-Tools' insertion heuristics grow much faster than the day: on a generated station day,
local cheapest insertion needs 0.8 s for 300 jobs, 8 s for 600 and 30 s for 800. Planning
each neighbourhood alone and joining the routes gives the whole-day search a start in
seconds. Each piece gets the jobs closest to one centre and the volunteers living closest
to it, as many as its share of the jobs calls for.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from routing.problem import Job, Problem, Volunteer
from routing.solution import Step, StopKind

_ROUNDS = 3  # centre updates: enough for compact pieces, cheap on a thousand jobs
_SPARE = 2  # idle volunteers a piece of routes gets, so that a route can be split


@dataclass(frozen=True)
class Piece:
    volunteers: tuple[Volunteer, ...]
    jobs: tuple[Job, ...]

    def problem(self, day: Problem) -> Problem:
        """The piece as a day of its own, with the whole day's prices for left-out jobs."""
        weights = replace(day.weights, unplanned=day.unplanned_base)
        return replace(day, volunteers=self.volunteers, jobs=self.jobs, weights=weights)


def split(problem: Problem, jobs: Sequence[Job], size: int) -> list[Piece]:
    """Pieces of about `size` jobs each, with every volunteer in exactly one piece.

    A job pinned to a volunteer goes to that volunteer's piece. Jobs are grouped by their
    doors, on the travel times of the most common travel mode, both ways.
    """
    count = min(math.ceil(len(jobs) / size), len(problem.volunteers))
    if count <= 1:
        return [Piece(problem.volunteers, tuple(jobs))]
    times = symmetric_times(problem)
    doors = np.array([job.door.location for job in jobs])
    centres = _farthest_first(times, doors, count)
    for _ in range(_ROUNDS):
        groups = _balanced_groups(times, doors, centres, math.ceil(len(jobs) / count * 1.15))
        centres = np.array([_medoid(times, doors[group]) for group in groups if len(group)])
    groups = _balanced_groups(times, doors, centres, math.ceil(len(jobs) / len(centres) * 1.15))
    crews = _crews(problem.volunteers, times, centres, [len(group) for group in groups])
    home = {volunteer.id: index for index, crew in enumerate(crews) for volunteer in crew}
    members: list[list[Job]] = [[] for _ in centres]
    for index, group in enumerate(groups):
        for position in group:
            job = jobs[position]
            members[home.get(job.pinned_to or "", index)].append(job)
    return [
        Piece(tuple(crew), tuple(group))
        for crew, group in zip(crews, members, strict=True)
        if crew or group
    ]


def routes_around(
    problem: Problem,
    times: npt.NDArray[np.int64],
    routes: Mapping[str, Sequence[Step]],
    left_out: Sequence[Job],
    seed: str,
    size: int,
) -> Piece:
    """Whole routes near `seed`'s, about `size` jobs in all, as a piece to plan again.

    Routes are near by their middle doors; the piece also gets the left-out jobs nearest
    its routes and, so that a route can be split, the idle volunteers living nearest.
    Every rule holds for the piece alone, so its new routes fit back into the day.
    """
    jobs = problem.jobs_by_id()
    people = {volunteer.id: volunteer for volunteer in problem.volunteers}
    middles = {
        who: _medoid(
            times, np.array([jobs[s.job].door.location for s in steps if s.kind is StopKind.DOOR])
        )
        for who, steps in routes.items()
        if any(s.kind is StopKind.DOOR for s in steps)
    }
    if seed not in middles:
        raise ValueError(f"No route of {seed!r} to plan again.")
    names = list(middles)
    places = np.array([middles[who] for who in names])
    centre = middles[seed]
    chosen: list[str] = []
    count = 0
    for position in np.argsort(times[centre, places], kind="stable"):
        if count >= size:
            break
        who = names[int(position)]
        chosen.append(who)
        count += sum(1 for s in routes[who] if s.kind is StopKind.DOOR)
    taken = set(chosen)
    own = [jobs[s.job] for who in chosen for s in routes[who] if s.kind is StopKind.DOOR]
    extra: list[Job] = []
    if left_out:
        doors = np.array([job.door.location for job in left_out])
        nearest = np.argmin(times[np.ix_(doors, places)], axis=1)
        extra = [job for job, r in zip(left_out, nearest, strict=True) if names[int(r)] in taken]
        extra = extra[:size]
    # Idle volunteers for the left-out jobs at the routes' own rate, and two to spare.
    idle = [v for v in problem.volunteers if v.id not in middles]
    idle.sort(key=lambda volunteer: times[centre, volunteer.start])
    crew = [people[who] for who in chosen]
    crew += idle[: _SPARE + math.ceil(len(extra) * len(chosen) / max(1, count))]
    members = {v.id for v in crew}
    own += [job for job in extra if job.pinned_to is None or job.pinned_to in members]
    return Piece(tuple(crew), tuple(own))


def symmetric_times(problem: Problem) -> npt.NDArray[np.int64]:
    common = Counter(volunteer.profile for volunteer in problem.volunteers).most_common(1)
    profile = common[0][0] if common else next(iter(problem.matrices))
    durations = problem.matrices[profile].durations
    return np.asarray(durations + durations.T, dtype=np.int64)


def _farthest_first(
    times: npt.NDArray[np.int64], doors: npt.NDArray[np.int64], count: int
) -> npt.NDArray[np.int64]:
    """Centres spread over the day: each the door farthest from those chosen before."""
    first = doors[int(np.argmax(times[doors[0], doors]))]
    centres = [first]
    nearest = times[first, doors].copy()
    while len(centres) < count:
        chosen = doors[int(np.argmax(nearest))]
        centres.append(chosen)
        nearest = np.minimum(nearest, times[chosen, doors])
    return np.array(centres)


def _balanced_groups(
    times: npt.NDArray[np.int64],
    doors: npt.NDArray[np.int64],
    centres: npt.NDArray[np.int64],
    room: int,
) -> list[list[int]]:
    """Each job to its nearest centre with room; jobs with most to lose choose first."""
    reach = times[np.ix_(doors, centres)]  # job x centre
    ranked = np.argsort(reach, axis=1)
    if len(centres) > 1:
        ordered = np.sort(reach, axis=1)
        urgency = ordered[:, 1] - ordered[:, 0]
    else:
        urgency = np.zeros(len(doors), dtype=np.int64)
    groups: list[list[int]] = [[] for _ in centres]
    for position in np.argsort(-urgency, kind="stable"):
        for centre in ranked[position]:
            if len(groups[centre]) < room:
                groups[centre].append(int(position))
                break
    return groups


def _medoid(times: npt.NDArray[np.int64], places: npt.NDArray[np.int64]) -> int:
    return int(places[int(np.argmin(times[np.ix_(places, places)].sum(axis=1)))])


def _crews(
    volunteers: Sequence[Volunteer],
    times: npt.NDArray[np.int64],
    centres: npt.NDArray[np.int64],
    sizes: Sequence[int],
) -> list[list[Volunteer]]:
    """Volunteers to pieces in proportion to their jobs, nearest homes first."""
    total = sum(sizes) or 1
    shares = [len(volunteers) * size / total for size in sizes]
    quotas = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(sizes)), key=lambda i: quotas[i] - shares[i])
    for index in by_remainder[: len(volunteers) - sum(quotas)]:
        quotas[index] += 1
    starts = np.array([volunteer.start for volunteer in volunteers])
    reach = times[np.ix_(starts, centres)]
    crews: list[list[Volunteer]] = [[] for _ in centres]
    placed: set[int] = set()
    for flat in np.argsort(reach, axis=None, kind="stable"):
        who, where = divmod(int(flat), len(centres))
        if who not in placed and len(crews[where]) < quotas[where]:
            crews[where].append(volunteers[who])
            placed.add(who)
    return crews
