"""What a route collects, and when: the one reading of a route's pickups that the phone page,
the paper route sheet, the kitchen sheet and the labels all show.

Consecutive pickups at one site are one collection, at the time of the first of them; a
route that comes back to the same kitchen later collects again, at its own time, with its
own meals. An escort's stop at an activity's venue collects nothing: its door shows it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from models import Client, PlanStop, Task
from models.enums import ESCORTS, ServiceKind, StopKind


@dataclass
class Collection:
    site_id: int
    at: int  # seconds after midnight
    doors_before: int  # how many of the route's doors come before it
    counts: Counter[str] = field(default_factory=Counter)  # per diet, or "medicine"
    task_ids: list[int] = field(default_factory=list)


def what_is_collected(task: Task, client: Client) -> str:
    """A meal counts under the client's diet; medicine as medicine."""
    return "medicine" if task.kind is ServiceKind.MEDICINE else str(client.diet)


def collections(stops: Iterable[tuple[PlanStop, Task, Client]]) -> list[Collection]:
    """A route's collections in route order, from its stops in route order."""
    found: list[Collection] = []
    current: Collection | None = None
    doors = 0
    for stop, task, client in stops:
        if stop.kind is not StopKind.PICKUP or task.site_id is None or task.kind in ESCORTS:
            current = None  # a door in between: the next pickup is another collection
            doors += stop.kind is StopKind.DOOR
            continue
        if current is None or current.site_id != task.site_id:
            current = Collection(task.site_id, stop.start_seconds or 0, doors)
            found.append(current)
        current.counts[what_is_collected(task, client)] += task.quantity
        if task.id is not None:
            current.task_ids.append(task.id)
    return found
