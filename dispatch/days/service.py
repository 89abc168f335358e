"""A station's day: derive its tasks from the schedules (and the escorts to the day's group
activities) and list who is free.

Generating is idempotent: a task is keyed by its schedule and date (an escort by its
invitation and direction), updated in place while it
is open, and never dropped once planned or done. A task that is no longer due is cancelled if
still open; a planned or done one is kept, with the reason, for the coordinator to review.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, require
from dispatch.audit import chain
from dispatch.crud.service import snapshot
from dispatch.days import repository
from dispatch.days.calendar import WorkingDay, working_day
from dispatch.days.rules import (
    ESCORT_MINUTES_AT_HOME,
    ESCORT_RIDE_MINUTES,
    escort_times,
    shift_on,
    why_client_away,
    why_not_due,
    window_of,
)
from dispatch.days.schemas import AvailableVolunteer, DayDrift, DayWork, GoneTask, TaskPublic
from dispatch.stations.service import StationService
from models import Activity, Client, Invitation, ServiceSchedule, Station, Task
from models.common import utcnow
from models.day import NO_LONGER_DUE
from models.enums import ServiceKind, TaskStatus

_KEPT = (TaskStatus.PLANNED, TaskStatus.DONE)


class DayService:
    def __init__(self, stations: StationService | None = None) -> None:
        self.stations = stations or StationService()

    def station(self, session: Session, principal: Principal, station_id: int) -> Station:
        """The station, if within the user's reach (else 404, as for every record)."""
        return self.stations.get(session, principal, station_id)

    def get(self, session: Session, principal: Principal, station_id: int, day: date) -> DayWork:
        """The day as stored: its tasks, whether the station works, and who is free."""
        require(principal, Resource.TASK, Action.READ)
        station = self.station(session, principal, station_id)
        calendar = self._calendar(session, station, day)
        return self._day(session, station, day, calendar)

    def generate(
        self, session: Session, principal: Principal, station_id: int, day: date
    ) -> DayWork:
        """Derive the day's tasks from the schedules, again as often as needed."""
        require(principal, Resource.TASK, Action.CREATE)
        station = self.station(session, principal, station_id)
        calendar = self._calendar(session, station, day)
        existing = {_key(task): task for task in repository.tasks_on(session, station_id, day)}
        counts = {"created": 0, "updated": 0, "cancelled": 0, "kept": 0}
        due = self._due(session, station_id, day, calendar)
        for key, values in due.items():
            task = existing.get(key)
            if task is None:
                task = Task(station_id=station_id, service_date=day, **values)
                session.add(task)
                session.flush()
                self._audit(session, principal, "generate", task, {})
                counts["created"] += 1
            elif task.status not in _KEPT and _differs(task, values | _open()):
                before = snapshot(task)
                _apply(task, values | _open())
                self._audit(session, principal, "generate", task, before)
                counts["updated"] += 1
            elif task.status in _KEPT and task.status_reason.startswith(NO_LONGER_DUE):
                before = snapshot(task)  # due again (back from hospital): planned again
                _apply(task, {"status_reason": ""})
                self._audit(session, principal, "generate", task, before)
                counts["updated"] += 1
        for key, task in existing.items():
            if key in due:
                continue
            reason = self._why_gone(session, task, day, calendar)
            if task.status is TaskStatus.OPEN:
                before = snapshot(task)
                _apply(task, {"status": TaskStatus.CANCELLED, "status_reason": reason})
                self._audit(session, principal, "cancel", task, before)
                counts["cancelled"] += 1
            elif task.status in _KEPT and task.status_reason != f"{NO_LONGER_DUE}{reason}":
                before = snapshot(task)
                _apply(task, {"status_reason": f"{NO_LONGER_DUE}{reason}"})
                self._audit(session, principal, "flag", task, before)
                counts["kept"] += 1
        session.flush()
        return self._day(session, station, day, calendar).model_copy(update=counts)

    def drift(self, session: Session, principal: Principal, station_id: int, day: date) -> DayDrift:
        """How the day's tasks differ from the files as they are now: tasks no longer due
        (a client gone into hospital since the day was generated: visited in vain) and
        services due that have no task yet (a schedule added: forgotten)."""
        require(principal, Resource.TASK, Action.READ)
        station = self.station(session, principal, station_id)
        calendar = self._calendar(session, station, day)
        tasks = repository.tasks_on(session, station_id, day)
        if not tasks:
            return DayDrift()  # nothing generated yet: nothing to differ from
        due = self._due(session, station_id, day, calendar)
        names = repository.client_names(session, {t.client_id for t in tasks})
        gone = [
            GoneTask(
                task_id=task.id,
                client_name=names.get(task.client_id, ""),
                reason=self._why_gone(session, task, day, calendar),
                planned=task.status is TaskStatus.PLANNED,
            )
            for task in tasks
            if task.id is not None
            and _key(task) not in due
            and task.status in (TaskStatus.OPEN, TaskStatus.PLANNED)
        ]
        have = {_key(task) for task in tasks}
        return DayDrift(gone=gone, new=sum(1 for key in due if key not in have))

    # --- helpers -------------------------------------------------------------------------

    def _due(
        self, session: Session, station_id: int, day: date, calendar: WorkingDay
    ) -> dict[_Key, dict[str, Any]]:
        """The tasks the files make due on `day`, by key, with their values."""
        due: dict[_Key, dict[str, Any]] = {}
        if calendar.weekday is None:
            return due
        for schedule, client in repository.schedules_running(session, station_id, day):
            if why_not_due(schedule, client, day, calendar.weekday) is None:
                assert schedule.id is not None
                due["schedule", schedule.id] = _task_values(schedule, client)
        for invitation, activity, client in repository.escorts_wanted(session, station_id, day):
            if why_client_away(client, day) is None:
                assert invitation.id is not None
                for kind in (ServiceKind.ESCORT_THERE, ServiceKind.ESCORT_BACK):
                    due[kind, invitation.id] = _escort_values(kind, invitation, activity)
        return due

    def _calendar(self, session: Session, station: Station, day: date) -> WorkingDay:
        assert station.id is not None
        return working_day(
            day,
            observes_public_holidays=station.observes_public_holidays,
            closures=repository.closures_on(session, station.id, day),
            locale=station.locale,
        )

    def _why_gone(self, session: Session, task: Task, day: date, calendar: WorkingDay) -> str:
        if calendar.weekday is None:
            return calendar.reason
        client = session.get(Client, task.client_id)
        if task.invitation_id is not None:
            invitation = session.get(Invitation, task.invitation_id)
            if invitation is None or invitation.archived_at is not None:
                return "invitation withdrawn"
            if not invitation.needs_escort:
                return "no escort needed any more"
            away = None if client is None else why_client_away(client, day)
            return away or "activity moved or cancelled"
        schedule = session.get(ServiceSchedule, task.schedule_id)
        if schedule is None or client is None:
            return "schedule removed"
        return why_not_due(schedule, client, day, calendar.weekday) or "schedule changed"

    def _day(self, session: Session, station: Station, day: date, calendar: WorkingDay) -> DayWork:
        assert station.id is not None
        tasks = [
            TaskPublic.model_validate(t) for t in repository.tasks_on(session, station.id, day)
        ]
        volunteers = []
        if calendar.weekday is not None:
            for volunteer, entries in repository.volunteers_with_availability(
                session, station.id, day
            ):
                shift = shift_on(entries, day, calendar.weekday)
                if shift is None or volunteer.id is None:
                    continue
                volunteers.append(
                    AvailableVolunteer(
                        volunteer_id=volunteer.id,
                        name=volunteer.name,
                        shift=shift,
                        travel_mode=volunteer.travel_mode,
                        capacity_meals=volunteer.capacity_meals,
                        skills=list(volunteer.skills),
                        max_hours=volunteer.max_hours_per_day,
                        max_stops=volunteer.max_stops_per_day,
                        located=volunteer.lat is not None and volunteer.lon is not None,
                    )
                )
        return DayWork(
            station_id=station.id,
            service_date=day,
            open=calendar.open,
            closed_reason=calendar.reason,
            schedule_weekday=calendar.weekday,
            tasks=tasks,
            volunteers=volunteers,
        )

    def _audit(
        self,
        session: Session,
        principal: Principal,
        action: str,
        task: Task,
        before: dict[str, Any],
    ) -> None:
        chain.record(
            session,
            principal,
            action=action,
            entity=Resource.TASK,
            entity_id=task.id,
            station_id=task.station_id,
            changes=chain.diff(before, snapshot(task)),
        )


# A task is the same task again when it comes from the same schedule, or is the same escort
# of the same invitation.
_Key = tuple[str, int]


def _key(task: Task) -> _Key:
    if task.invitation_id is not None:
        return task.kind, task.invitation_id
    assert task.schedule_id is not None
    return "schedule", task.schedule_id


def _escort_values(kind: ServiceKind, invitation: Invitation, activity: Activity) -> dict[str, Any]:
    times = escort_times(kind, activity)
    return {
        "client_id": invitation.client_id,
        "invitation_id": invitation.id,
        "kind": kind,
        "site_id": activity.site_id,
        "quantity": 1,
        "window_start": times.home[0],
        "window_end": times.home[1],
        "service_minutes": ESCORT_MINUTES_AT_HOME,
        "max_ride_minutes": ESCORT_RIDE_MINUTES,
        "required_skills": [],
        "priority": 4,  # they were promised a place
    }


def _task_values(schedule: ServiceSchedule, client: Client) -> dict[str, Any]:
    start, end = window_of(schedule, client)
    return {
        "client_id": client.id,
        "schedule_id": schedule.id,
        "kind": schedule.kind,
        "site_id": schedule.site_id,
        "quantity": schedule.quantity,
        "window_start": start,
        "window_end": end,
        "service_minutes": schedule.service_minutes,
        "max_ride_minutes": schedule.max_ride_minutes,
        "required_skills": list(schedule.required_skills),
        "priority": schedule.priority,
    }


def _open() -> dict[str, Any]:
    return {"status": TaskStatus.OPEN, "status_reason": ""}


def _differs(task: Task, values: dict[str, Any]) -> bool:
    return any(getattr(task, name) != value for name, value in values.items())


def _apply(task: Task, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(task, name, value)
    task.updated_at = utcnow()
