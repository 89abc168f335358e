"""What the planner returns: routes with times, and the jobs it could not plan, with why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from routing.reasons import Reason


class StopKind(StrEnum):
    PICKUP = "pickup"  # at the site: collect the job's goods
    DOOR = "door"  # at the client's


@dataclass(frozen=True)
class Step:
    """One element of a route's order: a job's pickup or its door."""

    job: str
    kind: StopKind = StopKind.DOOR


# Routes as plain orders, by volunteer id: what the checker verifies and warm starts read.
Sequences = Mapping[str, Sequence[Step]]


@dataclass(frozen=True)
class Visit:
    """A step with its times: arrival, start of service (after any wait), departure."""

    job: str
    kind: StopKind
    location: int
    arrival: int
    start: int
    departure: int
    load: int  # carried after this stop


@dataclass(frozen=True)
class Route:
    """One volunteer's round."""

    volunteer: str
    visits: tuple[Visit, ...]
    depart: int  # leaves the start place
    arrive: int  # back at the end place
    distance: int  # metres
    travel: int  # seconds moving

    @property
    def doors(self) -> int:
        return sum(1 for visit in self.visits if visit.kind is StopKind.DOOR)

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(Step(visit.job, visit.kind) for visit in self.visits)


@dataclass(frozen=True)
class Unplanned:
    """A job left out of the plan, with a reason code and a sentence for people."""

    job: str
    reason: Reason
    message: str
    # What the message is filled with (a volunteer's id, the skills, the window, numbers), for
    # saying it in another language or with names.
    details: dict[str, str | int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Kept:
    """A job pinned to a volunteer whose route cannot take it within every rule: it stays on
    that route (a coordinator's decision is never silently undone), with the rules it breaks
    (`routing.ViolationKind` values)."""

    job: str
    volunteer: str
    broken: tuple[str, ...]


@dataclass(frozen=True)
class Progress:
    """Reported at each improving solution while the planner runs."""

    seconds: float
    cost: int
    solutions: int
    planned: int = 0  # jobs on a route in that plan


@dataclass(frozen=True)
class Plan:
    """The planner's answer.

    `cost` is the objective the solver minimised (travel, soft goals and the penalties of
    the unplanned jobs); `check` in `routing.check` recomputes it independently.
    """

    routes: tuple[Route, ...]
    unplanned: tuple[Unplanned, ...]
    cost: int
    seconds: float
    status: str
    history: tuple[Progress, ...] = field(default=())
    warm_started: bool = False
    # Jobs the search left out that the certificate pass (routing.certify) put on a route.
    inserted: tuple[str, ...] = ()
    # Pinned jobs kept on their volunteer's route although it breaks a rule (routing.certify).
    kept: tuple[Kept, ...] = ()

    def sequences(self) -> dict[str, tuple[Step, ...]]:
        return {route.volunteer: route.steps for route in self.routes}

    @property
    def used_routes(self) -> tuple[Route, ...]:
        return tuple(route for route in self.routes if route.visits)

    @property
    def distance(self) -> int:
        return sum(route.distance for route in self.routes)

    def assignment(self) -> dict[str, str]:
        """Volunteer id by job id, for every planned job."""
        return owners(self.sequences())


def owners(sequences: Sequences) -> dict[str, str]:
    """Volunteer id by job id, for every job whose door is on a route."""
    return {
        step.job: volunteer
        for volunteer, steps in sequences.items()
        for step in steps
        if step.kind is StopKind.DOOR
    }


def moved_jobs(before: Sequences, after: Sequences) -> set[str]:
    """Jobs planned in both that changed volunteer: what re-planning disturbed."""
    old, new = owners(before), owners(after)
    return {job for job, volunteer in new.items() if job in old and old[job] != volunteer}
