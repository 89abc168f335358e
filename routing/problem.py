"""The planning problem: places, volunteers and jobs, validated when they are built.

Units are whole seconds and whole metres everywhere in this package. Times of day are seconds
since midnight of the planned day. Places are referred to by their index into
`Problem.locations`, so that one travel matrix serves every job and volunteer.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from routing.matrix import TravelMatrix

DAY = 24 * 3600
PRIORITIES = range(1, 6)  # 5 = must not be missed


class JobKind(StrEnum):
    """What a volunteer does for a job."""

    DELIVERY = "delivery"  # collect at a site (kitchen), bring to the client
    PICKUP_DELIVERY = "pickup_delivery"  # collect for this client (pharmacy), bring it home
    VISIT = "visit"  # go to the client; nothing to collect


class Objective(StrEnum):
    """What the arc cost of a route measures."""

    DURATION = "duration"  # volunteers' travel time: what a station wants to spare
    DISTANCE = "distance"  # what the public benchmarks measure


@dataclass(frozen=True)
class Location:
    """A place on the map, WGS-84 degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90):
            raise ValueError(f"Latitude must be between -90 and 90, got {self.lat}.")
        if not (math.isfinite(self.lon) and -180 <= self.lon <= 180):
            raise ValueError(f"Longitude must be between -180 and 180, got {self.lon}.")


@dataclass(frozen=True)
class TimeWindow:
    """An interval of the day, in seconds since midnight, ends included."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0:
            raise ValueError(f"A time window cannot start before 0, got {self.start}.")
        if self.end < self.start:
            raise ValueError(
                f"A time window cannot end ({self.end}) before it starts ({self.start})."
            )

    def contains(self, moment: int) -> bool:
        return self.start <= moment <= self.end


def _check_windows(windows: tuple[TimeWindow, ...], what: str) -> None:
    for earlier, later in itertools.pairwise(windows):
        if later.start <= earlier.end:
            raise ValueError(f"The time windows of {what} must be sorted and must not overlap.")


@dataclass(frozen=True)
class Stop:
    """One place a job takes a volunteer to, with when they may be there and for how long."""

    location: int
    windows: tuple[TimeWindow, ...] = ()  # empty: any time within the volunteer's shift
    service: int = 0  # seconds spent there

    def __post_init__(self) -> None:
        if self.location < 0:
            raise ValueError(f"A stop's location index cannot be negative, got {self.location}.")
        if self.service < 0:
            raise ValueError(f"Service time cannot be negative, got {self.service}.")
        _check_windows(self.windows, f"the stop at location {self.location}")

    def earliest_start(self, arrival: int) -> int | None:
        """When service can start for a volunteer arriving at `arrival`; None if too late."""
        if not self.windows:
            return arrival
        for window in self.windows:
            if arrival <= window.end:
                return max(arrival, window.start)
        return None


@dataclass(frozen=True)
class Job:
    """Something a client needs done today.

    `door` is the client's stop; `pickup` is where the goods are collected (a kitchen or a
    pharmacy) and is required for deliveries and forbidden for visits. The same volunteer
    does both, pickup first, and at most `max_ride` seconds pass between the start of the
    pickup and the start of service at the door (hot meals).
    """

    id: str
    door: Stop
    kind: JobKind = JobKind.VISIT
    pickup: Stop | None = None
    demand: int = 0  # meals (or parcels) carried
    skills: frozenset[str] = frozenset()
    priority: int = 3
    max_ride: int | None = None
    preferred: tuple[str, ...] = ()  # volunteers the client knows, best first (soft)
    team: frozenset[str] = frozenset()  # the volunteers of the client's own team (soft)
    forbidden: frozenset[str] = frozenset()
    pinned_to: str | None = None  # hard: only this volunteer

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("A job needs a non-empty id.")
        object.__setattr__(self, "kind", JobKind(self.kind))  # "visit" as well as JobKind.VISIT
        if self.kind is JobKind.VISIT and self.pickup is not None:
            raise ValueError(f"Job {self.id} is a visit and cannot have a pickup.")
        if self.kind is not JobKind.VISIT and self.pickup is None:
            raise ValueError(f"Job {self.id} is a {self.kind} and needs a pickup stop.")
        if self.demand < 0:
            raise ValueError(f"Job {self.id} cannot have a negative demand ({self.demand}).")
        if self.priority not in PRIORITIES:
            raise ValueError(f"Job {self.id} has priority {self.priority}; use 1 to 5.")
        if self.max_ride is not None:
            if self.pickup is None:
                raise ValueError(f"Job {self.id} has a maximum ride time but no pickup.")
            if self.max_ride < 0:
                raise ValueError(f"Job {self.id} cannot have a negative maximum ride time.")
        if self.pinned_to is not None and self.pinned_to in self.forbidden:
            raise ValueError(f"Job {self.id} is pinned to {self.pinned_to}, who is forbidden.")

    @property
    def stops(self) -> tuple[Stop, ...]:
        return (self.door,) if self.pickup is None else (self.pickup, self.door)


@dataclass(frozen=True)
class Volunteer:
    """Someone who can do a round today.

    `profile` names the travel matrix of their mode (walk, bike, e-bike, car); `pace` scales
    its times for this person (1.25 = a quarter slower than the profile's speed).
    """

    id: str
    start: int  # location index: home, or the station
    shift: TimeWindow
    end: int | None = None  # None: back where they started
    profile: str = "walk"
    pace: float = 1.0
    capacity: int = 1_000_000
    skills: frozenset[str] = frozenset()
    max_stops: int | None = None  # client doors, pickups not counted
    max_work: int | None = None  # seconds from leaving to arriving back
    cost_weight: float = 1.0  # >1 makes this person's travel dearer (use them less)
    fixed_cost: int = 0  # added once when the volunteer is used at all

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("A volunteer needs a non-empty id.")
        if self.start < 0 or (self.end is not None and self.end < 0):
            raise ValueError(f"Volunteer {self.id} has a negative location index.")
        if not (math.isfinite(self.pace) and self.pace > 0):
            raise ValueError(f"Volunteer {self.id} needs a positive pace, got {self.pace}.")
        if self.capacity < 0:
            raise ValueError(f"Volunteer {self.id} cannot have a negative capacity.")
        if self.max_stops is not None and self.max_stops < 0:
            raise ValueError(f"Volunteer {self.id} cannot have a negative stop limit.")
        if self.max_work is not None and self.max_work < 0:
            raise ValueError(f"Volunteer {self.id} cannot have a negative working time.")
        if not (math.isfinite(self.cost_weight) and self.cost_weight > 0):
            raise ValueError(f"Volunteer {self.id} needs a positive cost weight.")
        if self.fixed_cost < 0:
            raise ValueError(f"Volunteer {self.id} cannot have a negative fixed cost.")

    @property
    def end_location(self) -> int:
        return self.start if self.end is None else self.end


@dataclass(frozen=True)
class Weights:
    """Prices of the soft goals, in the objective's units (seconds or metres).

    continuity: per job done by someone other than a preferred volunteer;
    team: per job done by a volunteer of another team than the client's;
    balance: per stop a volunteer has beyond the fair share (`balance_slack` above average);
    change: per job moved to another volunteer than in the warm-start plan;
    unplanned: the penalty of leaving a priority-3 job out, doubled per priority level up.
    """

    continuity: int = 600
    team: int = 300
    balance: int = 300
    balance_slack: float = 0.25
    change: int = 900
    unplanned: int | None = None  # None: derived from the matrices, so that any job fits

    def __post_init__(self) -> None:
        for name in ("continuity", "team", "balance", "change"):
            if getattr(self, name) < 0:
                raise ValueError(f"The weight {name} cannot be negative.")
        if self.balance_slack < 0:
            raise ValueError("The balance slack cannot be negative.")
        if self.unplanned is not None and self.unplanned <= 0:
            raise ValueError("The unplanned penalty must be positive.")


@dataclass(frozen=True)
class Problem:
    """A day to plan: the places, the travel matrices by profile, volunteers and jobs."""

    locations: int  # how many places the matrices cover
    matrices: Mapping[str, TravelMatrix]
    volunteers: tuple[Volunteer, ...]
    jobs: tuple[Job, ...]
    objective: Objective = Objective.DURATION
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        object.__setattr__(self, "objective", Objective(self.objective))
        if not self.matrices:
            raise ValueError("A problem needs at least one travel matrix.")
        for name, matrix in self.matrices.items():
            if matrix.size != self.locations:
                raise ValueError(
                    f"The {name} matrix covers {matrix.size} places, not {self.locations}."
                )
        volunteer_ids = [v.id for v in self.volunteers]
        if len(set(volunteer_ids)) != len(volunteer_ids):
            raise ValueError("Volunteer ids must be unique.")
        job_ids = [j.id for j in self.jobs]
        if len(set(job_ids)) != len(job_ids):
            raise ValueError("Job ids must be unique.")
        for volunteer in self.volunteers:
            if volunteer.profile not in self.matrices:
                raise ValueError(
                    f"Volunteer {volunteer.id} travels by {volunteer.profile}, which has no matrix."
                )
            if max(volunteer.start, volunteer.end_location) >= self.locations:
                raise ValueError(f"Volunteer {volunteer.id} starts or ends at an unknown place.")
        # A pin to someone absent today is not an error: the job is explained as unplanned.
        for job in self.jobs:
            if any(stop.location >= self.locations for stop in job.stops):
                raise ValueError(f"Job {job.id} refers to an unknown place.")

    def volunteer(self, volunteer_id: str) -> Volunteer:
        for volunteer in self.volunteers:
            if volunteer.id == volunteer_id:
                return volunteer
        raise KeyError(volunteer_id)

    def job(self, job_id: str) -> Job:
        return self._jobs[job_id]

    def jobs_by_id(self) -> Mapping[str, Job]:
        return MappingProxyType(self._jobs)

    @cached_property
    def _jobs(self) -> dict[str, Job]:
        # A plain dict, so that a problem stays picklable (planning runs in another process).
        return {job.id: job for job in self.jobs}

    def travel_time(self, volunteer: Volunteer, origin: int, destination: int) -> int:
        """Seconds for this volunteer from one place to another, at their own pace."""
        seconds = int(self.matrices[volunteer.profile].durations[origin, destination])
        return seconds if volunteer.pace == 1.0 else math.ceil(seconds * volunteer.pace)

    def distance(self, volunteer: Volunteer, origin: int, destination: int) -> int:
        return int(self.matrices[volunteer.profile].distances[origin, destination])

    def arc_cost(self, volunteer: Volunteer, origin: int, destination: int) -> int:
        """What one leg costs in the objective (`arc_costs` is the same for every leg)."""
        if self.objective is Objective.DISTANCE:
            value = self.distance(volunteer, origin, destination)
        else:
            value = self.travel_time(volunteer, origin, destination)
        return value if volunteer.cost_weight == 1.0 else round(value * volunteer.cost_weight)

    def travel_times(
        self, volunteer: Volunteer, places: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.int64]:
        """`travel_time` between all places, or between these places in this order."""
        seconds = _among(self.matrices[volunteer.profile].durations, places)
        if volunteer.pace == 1.0:
            return seconds
        slower: npt.NDArray[np.int64] = np.ceil(seconds * volunteer.pace).astype(np.int64)
        return slower

    def arc_costs(
        self, volunteer: Volunteer, places: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.int64]:
        """`arc_cost` between all places, or between these places in this order."""
        if self.objective is Objective.DISTANCE:
            values = _among(self.matrices[volunteer.profile].distances, places)
        else:
            values = self.travel_times(volunteer, places)
        if volunteer.cost_weight == 1.0:
            return values
        weighted: npt.NDArray[np.int64] = np.rint(values * volunteer.cost_weight).astype(np.int64)
        return weighted

    @cached_property
    def unplanned_base(self) -> int:
        """Penalty of leaving out a priority-1 job: dearer than any single insertion."""
        if self.weights.unplanned is not None:
            return self.weights.unplanned
        longest = max((int(self.arc_costs(v).max(initial=0)) for v in self.volunteers), default=0)
        fixed = max((v.fixed_cost for v in self.volunteers), default=0)
        weights = self.weights
        soft = weights.continuity + weights.team + weights.change + weights.balance
        return 10 * (2 * longest + fixed + soft) + 1

    def penalty(self, job: Job) -> int:
        """What leaving this job out costs: doubled with each priority level."""
        return int(self.unplanned_base * 2 ** (job.priority - 1))

    def may_do(self, volunteer: Volunteer, job: Job) -> bool:
        """Skills, pins and exclusions: whether this volunteer is allowed to do this job."""
        if job.pinned_to is not None and job.pinned_to != volunteer.id:
            return False
        return volunteer.id not in job.forbidden and job.skills <= volunteer.skills


def _among(
    values: npt.NDArray[np.int64], places: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.int64]:
    # Select before scaling: a model's nodes are often far fewer than the matrix's places.
    return values if places is None else values[np.ix_(places, places)]
