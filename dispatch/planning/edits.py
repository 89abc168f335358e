"""Changes a coordinator makes to a draft by hand before re-planning it.

Every edit names the revision of the plan it was made on: if another coordinator saved in
between, the edit is refused with a conflict instead of silently overwriting theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, require, station_scope
from dispatch.audit import chain
from dispatch.crud.service import snapshot
from dispatch.days.service import DayService
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.i18n import N_
from dispatch.planning import repository
from dispatch.planning.problem import DayProblem, build_problem, worker_id
from dispatch.planning.schemas import Edit, EditWarning, LockRoute, MoveOutcome, MoveStop, PinStop
from dispatch.times import clock
from models import Availability, Plan, PlanRoute, PlanStop, Station, Task, Volunteer
from models.common import utcnow
from models.enums import AvailabilityKind, PlanStatus, ServiceKind, StopKind
from routing import MatrixProvider, Route, evaluate


@dataclass(frozen=True)
class Published:
    """What a publication changed for volunteers (by volunteer id): a route of their own
    for the first time, one with other stops, order or times, or none any more."""

    plan: Plan
    new: frozenset[int]
    changed: frozenset[int]
    withdrawn: frozenset[int]


# Told of each publication in its transaction (the notifications' outbox).
PublishListener = Callable[[Session, Principal, Published], None]


class PlanEdits:
    def __init__(
        self,
        travel: MatrixProvider,
        days: DayService,
        on_publish: Sequence[PublishListener] = (),
    ) -> None:
        self.travel = travel
        self.days = days
        self.on_publish = tuple(on_publish)

    def move_stop(
        self, session: Session, principal: Principal, plan_id: int, stop_id: int, edit: MoveStop
    ) -> tuple[Plan, MoveOutcome]:
        """Give a task to a volunteer at a position of their route (its pickup just before
        its door). The task is pinned there for re-planning. The routes it leaves and joins
        get new times; whatever rule the new route breaks comes back as a warning."""
        plan = self._draft(session, principal, plan_id, edit.revision)
        moved = session.get(PlanStop, stop_id)
        if moved is None or moved.plan_id != plan_id:
            raise NotFound("stop", stop_id)
        work = self.days.get(session, principal, plan.station_id, plan.service_date)
        free = {v.volunteer_id: v for v in work.volunteers}
        if edit.volunteer_id not in free:
            raise InvalidInput.field(
                "volunteer_id",
                N_("volunteer %(volunteer)s is not free on this day"),
                volunteer=edit.volunteer_id,
            )
        stops = repository.stops(session, plan_id)
        routes = {r.volunteer_id: r for r in repository.routes(session, plan_id)}
        task = session.get(Task, moved.task_id)
        assert task is not None
        assert task.id is not None
        _not_their_own_door(session, edit.volunteer_id, task.client_id)
        target = routes.get(edit.volunteer_id)
        if target is None:
            target = PlanRoute(plan_id=plan_id, volunteer_id=edit.volunteer_id)
            session.add(target)
            session.flush()
            routes[edit.volunteer_id] = target
        # The routes to time again: the one the task joins, and the one it leaves (if that
        # volunteer still works today; otherwise the task is only taken off it).
        retimed = {target.volunteer_id: target}
        source = next((r for r in routes.values() if r.id == moved.route_id), None)
        if source is not None and source.volunteer_id in free:
            retimed[source.volunteer_id] = source
        order = _orders(stops, retimed, task, target.volunteer_id, edit.position)
        station = session.get(Station, plan.station_id)
        assert station is not None
        tasks = repository.tasks(session, {s.task_id for s in stops})
        offers = [free[volunteer] for volunteer in retimed]
        built = build_problem(session, station, plan.service_date, list(tasks), offers, self.travel)
        # Rows keep their ids: the stops of the routes timed again, and the moved task's.
        route_ids = {route.id for route in retimed.values()}
        rows = {
            (row.task_id, row.kind): row
            for row in stops
            if row.task_id == task.id or row.route_id in route_ids
        }
        before = snapshot(moved)
        door = rows.get((task.id, StopKind.DOOR))
        eta_before = _clock(door.start_seconds) if door and door.route_id else None
        warnings = _retime(session, plan, built, retimed, order, target, rows)
        for row in rows.values():  # nothing left of them: e.g. a pickup no longer needed
            session.delete(row)
        session.flush()
        # Pinned where the coordinator put it; what that breaks stays shown on the stop.
        broken = ",".join(sorted({warning.kind for warning in warnings}))
        for row in repository.stops_of_task(session, plan_id, task.id):
            row.pinned_volunteer_id = edit.volunteer_id
            row.reason, row.explanation = ("pin_kept", broken) if broken else ("", "")
            session.add(row)
        _recount(session, plan)
        saved = self._saved(session, principal, plan, "move_stop", target, before)
        door = repository.door_of_task(session, plan_id, task.id)
        return saved, MoveOutcome(
            eta_before=eta_before, eta_after=_clock(door.start_seconds), warnings=warnings
        )

    def lock_route(
        self, session: Session, principal: Principal, plan_id: int, route_id: int, edit: LockRoute
    ) -> Plan:
        """Keep a route exactly as it is when the day is re-planned (or free it again)."""
        plan = self._draft(session, principal, plan_id, edit.revision)
        route = session.get(PlanRoute, route_id)
        if route is None or route.plan_id != plan_id:
            raise NotFound("route", route_id)
        before = snapshot(route)
        route.locked = edit.locked
        session.add(route)
        return self._saved(session, principal, plan, "lock_route", route, before)

    def pin_stop(
        self, session: Session, principal: Principal, plan_id: int, stop_id: int, edit: PinStop
    ) -> Plan:
        """Give a task to one volunteer for re-planning (or let the planner choose again)."""
        plan = self._draft(session, principal, plan_id, edit.revision)
        stop = session.get(PlanStop, stop_id)
        if stop is None or stop.plan_id != plan_id:
            raise NotFound("stop", stop_id)
        if edit.volunteer_id is not None:
            volunteer = session.get(Volunteer, edit.volunteer_id)
            if volunteer is None or volunteer.station_id != plan.station_id:
                raise InvalidInput.field(
                    "volunteer_id",
                    N_("volunteer %(volunteer)s is not of this station"),
                    volunteer=edit.volunteer_id,
                )
            task = session.get(Task, stop.task_id)
            assert task is not None
            _not_their_own_door(session, edit.volunteer_id, task.client_id)
        before = snapshot(stop)
        # A task's pickup and door go together: pin both.
        for row in repository.stops_of_task(session, plan_id, stop.task_id):
            row.pinned_volunteer_id = edit.volunteer_id
            session.add(row)
        return self._saved(session, principal, plan, "pin_stop", stop, before)

    def volunteer_off(
        self,
        session: Session,
        principal: Principal,
        plan_id: int,
        volunteer_id: int,
        edit: Edit,
    ) -> Plan:
        """A volunteer called in sick: off for the day, their pins and lock released. The
        next re-plan gives their stops to others and moves as little else as it can."""
        plan = self._draft(session, principal, plan_id, edit.revision)
        volunteer = session.get(Volunteer, volunteer_id)
        if volunteer is None or volunteer.station_id != plan.station_id:
            raise NotFound("volunteer", volunteer_id)
        record_leave(session, principal, volunteer, plan.service_date, "called in sick")
        for route in repository.routes_of_volunteer(session, plan_id, volunteer_id):
            route.locked = False
            session.add(route)
        for stop in repository.stops_pinned_to(session, plan_id, volunteer_id):
            stop.pinned_volunteer_id = None
            session.add(stop)
        before = snapshot(volunteer)
        return self._saved(session, principal, plan, "volunteer_off", volunteer, before)

    def publish(self, session: Session, principal: Principal, plan_id: int, edit: Edit) -> Plan:
        """Make the draft what volunteers follow. The version it replaces is superseded, and
        every volunteer whose route is new or changed (stops, order or times) is marked as
        needing to check it again."""
        plan = self._draft(session, principal, plan_id, edit.revision)
        published = repository.plans_of_day(
            session, plan.station_id, plan.service_date, PlanStatus.PUBLISHED
        )
        previous = published[0] if published else None
        before = _route_shapes(session, previous.id) if previous and previous.id else {}
        after = _route_shapes(session, plan_id)
        for route in repository.routes(session, plan_id):
            route.needs_recheck = previous is not None and before.get(
                route.volunteer_id
            ) != after.get(route.volunteer_id)
            session.add(route)
        if previous is not None:
            previous.status = PlanStatus.SUPERSEDED
            session.add(previous)
        snapshot_before = snapshot(plan)
        plan.status = PlanStatus.PUBLISHED
        plan.published_at = utcnow()
        plan.based_on_id = previous.id if previous else plan.based_on_id
        session.add(plan)
        saved = self._saved(session, principal, plan, "publish", plan, snapshot_before)
        routed, had = set(after), set(before)
        change = Published(
            plan=saved,
            new=frozenset(routed - had),
            changed=frozenset(v for v in routed & had if before[v] != after[v]),
            withdrawn=frozenset(had - routed),
        )
        for listener in self.on_publish:
            listener(session, principal, change)
        return saved

    # --- helpers -------------------------------------------------------------------------

    def _draft(self, session: Session, principal: Principal, plan_id: int, revision: int) -> Plan:
        require(principal, Resource.PLAN, Action.UPDATE)
        plan = session.get(Plan, plan_id)
        scope = station_scope(principal)
        if plan is None or (scope is not None and plan.station_id not in scope):
            raise NotFound("plan", plan_id)
        if plan.status is not PlanStatus.DRAFT:
            raise Conflict(
                N_("plan %(plan)s is no longer a draft: only a draft can change"), plan=plan_id
            )
        if plan.revision != revision:
            raise Conflict(
                N_(
                    "plan %(plan)s was changed by someone else (revision %(theirs)s, yours "
                    "%(yours)s): reload it and make your change again"
                ),
                plan=plan_id,
                theirs=plan.revision,
                yours=revision,
            )
        return plan

    def _saved(
        self,
        session: Session,
        principal: Principal,
        plan: Plan,
        action: str,
        row: Plan | PlanRoute | PlanStop | Volunteer,
        before: dict[str, object],
    ) -> Plan:
        session.flush()  # the edit itself, before the revision moves
        if not repository.bump_revision(session, plan):
            raise Conflict(N_("plan %(plan)s was changed by someone else: reload it"), plan=plan.id)
        session.flush()
        session.refresh(plan)
        chain.record(
            session,
            principal,
            action=action,
            entity=str(type(row).__tablename__),
            entity_id=row.id,
            station_id=plan.station_id,
            changes=chain.diff(before, snapshot(row))
            | {"plan_revision": [plan.revision - 1, plan.revision]},
        )
        return plan


def record_leave(
    session: Session, principal: Principal, volunteer: Volunteer, day: date, note: str
) -> Availability:
    """The volunteer is off that day: the next plan of the day leaves them out."""
    assert volunteer.id is not None
    leave = Availability(
        station_id=volunteer.station_id,
        volunteer_id=volunteer.id,
        kind=AvailabilityKind.LEAVE,
        date_from=day,
        date_to=day,
        note=note,
    )
    session.add(leave)
    session.flush()
    chain.record(
        session,
        principal,
        action="create",
        entity=Resource.AVAILABILITY,
        entity_id=leave.id,
        station_id=volunteer.station_id,
        changes=chain.diff({}, snapshot(leave)),
    )
    return leave


def _orders(
    stops: list[PlanStop],
    retimed: dict[int, PlanRoute],
    task: Task,
    target: int,
    position: int | None,
) -> dict[int, list[tuple[int, StopKind]]]:
    """The new order of each route timed again: the task taken off the one it leaves and
    put into the target's at the door `position` (at the end if None), its pickup first."""
    assert task.id is not None
    order = {
        volunteer: [
            (s.task_id, s.kind)
            for s in sorted(stops, key=lambda s: s.position)
            if s.route_id == route.id and s.task_id != task.id
        ]
        for volunteer, route in retimed.items()
    }
    steps = order[target]
    doors = [i for i, (_, kind) in enumerate(steps) if kind is StopKind.DOOR]
    at = len(steps)
    if position is not None and 0 <= position < len(doors):
        at = doors[position]
    joining = [(task.id, StopKind.DOOR)]
    if task.kind is ServiceKind.ESCORT_THERE:
        joining.append((task.id, StopKind.PICKUP))  # from their door to the activity
    elif task.kind is not ServiceKind.VISIT and task.site_id is not None:
        joining.insert(0, (task.id, StopKind.PICKUP))  # collected just before
    steps[at:at] = joining
    return order


def _retime(
    session: Session,
    plan: Plan,
    built: DayProblem,
    retimed: dict[int, PlanRoute],
    order: dict[int, list[tuple[int, StopKind]]],
    target: PlanRoute,
    rows: dict[tuple[int, StopKind], PlanStop],
) -> list[EditWarning]:
    """Time each route again in its new order and write it; what the target route now
    breaks comes back as warnings."""
    warnings: list[EditWarning] = []
    for volunteer_id, route in retimed.items():
        volunteer = next(v for v in built.problem.volunteers if v.id == worker_id(volunteer_id))
        sequence = [built.step(t, kind) for t, kind in order[volunteer_id]]
        timed, broken = evaluate(built.problem, volunteer, sequence)
        if route is target:
            warnings = [EditWarning(kind=str(v.kind), message=v.message) for v in broken]
        _write_route(session, plan, route, timed, built, rows)
    return warnings


def _route_shapes(session: Session, plan_id: int) -> dict[int, list[tuple[int, str, int | None]]]:
    """Each volunteer's stops in order with their times: what they would notice change."""
    shapes: dict[int, list[tuple[int, str, int | None]]] = {}
    for stop, route in repository.stops_with_routes(session, plan_id, planned_only=True):
        assert route is not None
        shapes.setdefault(route.volunteer_id, []).append(
            (stop.task_id, str(stop.kind), stop.start_seconds)
        )
    return shapes


def _write_route(
    session: Session,
    plan: Plan,
    route: PlanRoute,
    timed: Route,
    built: DayProblem,
    rows: dict[tuple[int, StopKind], PlanStop],
) -> None:
    """A route's stops and times as the checker computed them from its order, in the rows
    the stops had (taken from `rows`), or new ones."""
    assert plan.id is not None
    for position, visit in enumerate(timed.visits):
        key = (built.task_of[visit.job], built.stop_kind(visit.job, visit.kind))
        row = rows.pop(key, None) or PlanStop(plan_id=plan.id, task_id=key[0], kind=key[1])
        row.route_id, row.position = route.id, position
        row.arrival_seconds, row.start_seconds = visit.arrival, visit.start
        row.departure_seconds = visit.departure
        row.reason, row.explanation = "", ""
        session.add(row)
    route.depart_seconds, route.arrive_seconds = timed.depart, timed.arrive
    route.distance_m, route.travel_seconds = timed.distance, timed.travel
    session.add(route)
    session.flush()


def _recount(session: Session, plan: Plan) -> None:
    assert plan.id is not None
    stops = repository.stops(session, plan.id)
    routes = repository.routes(session, plan.id)
    plan.planned_stops = len({s.task_id for s in stops if s.route_id is not None})
    plan.unplanned_stops = len({s.task_id for s in stops if s.route_id is None})
    plan.distance_m = sum(r.distance_m for r in routes)
    plan.travel_seconds = sum(r.travel_seconds for r in routes)
    session.add(plan)


def _clock(seconds: int | None) -> str | None:
    return None if seconds is None else clock(seconds)


def _not_their_own_door(session: Session, volunteer_id: int, client_id: int) -> None:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is not None and volunteer.client_id == client_id:
        raise InvalidInput.field(
            "volunteer_id",
            N_("volunteer %(volunteer)s is this client: nobody delivers to their own door"),
            volunteer=volunteer_id,
        )
