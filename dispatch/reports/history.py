"""One client's deliveries and visits, and one volunteer's service hours (for a certificate)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.errors import NotFound
from dispatch.reports import repository
from dispatch.reports.schemas import ClientHistory, HoursLine, ServiceLine, VolunteerHours
from models import Client, Outcome, Volunteer
from models.enums import RoundEvent


def client_history(session: Session, principal: Principal, client_id: int) -> ClientHistory:
    require(principal, Resource.CLIENT, Action.READ)
    client = reachable(session, principal, Client, client_id, "client")
    tasks = repository.tasks_of_client(session, client_id)
    outcomes: dict[int, Outcome] = {
        event.task_id: event
        for event in repository.outcomes_of_tasks(session, [t.id for t in tasks])
    }
    names = repository.volunteer_names(session, {o.volunteer_id for o in outcomes.values()})
    alerts = repository.alert_count_of_client(session, client_id)
    lines = []
    for task in tasks:
        outcome = outcomes.get(task.id or 0)
        lines.append(
            ServiceLine(
                day=task.service_date,
                kind=str(task.kind),
                status=str(task.status),
                outcome=outcome.kind.value if outcome else None,
                recorded_at=outcome.recorded_at if outcome else None,
                volunteer_name=names.get(outcome.volunteer_id) if outcome else None,
                entered_by_coordinator=outcome.entered_by_coordinator if outcome else False,
                note=outcome.note if outcome else "",
                concern=outcome.concern if outcome else False,
            )
        )
    assert client.id is not None
    return ClientHistory(
        client_id=client.id, client_name=client.name, services=lines, alerts=alerts
    )


def volunteer_hours(
    session: Session, principal: Principal, volunteer_id: int, first: date, last: date
) -> VolunteerHours:
    """Each day's first start and last finish as the volunteer recorded them."""
    require(principal, Resource.VOLUNTEER, Action.READ)
    if principal.volunteer_id not in (None, volunteer_id):  # a volunteer: their own only
        raise NotFound("volunteer", volunteer_id)
    volunteer = reachable(session, principal, Volunteer, volunteer_id, "volunteer")
    spans = round_spans(session, first, last, volunteer_id=volunteer_id)
    started = {day: span[0] for (_v, day), span in spans.items() if span[0]}
    finished = {day: span[1] for (_v, day), span in spans.items() if span[1]}
    counted = repository.outcomes_by_volunteer(session, volunteer_id, first, last)
    outcomes: dict[date, set[int]] = {}
    for outcome, day in counted:
        outcomes.setdefault(day, set()).add(outcome.task_id)
    days = []
    for day in sorted(set(started) | set(finished) | set(outcomes)):
        begin, end = started.get(day), finished.get(day)
        hours = (end - begin).total_seconds() / 3600 if begin and end and end > begin else 0.0
        days.append(
            HoursLine(
                day=day,
                started=begin,
                finished=end,
                hours=round(hours, 2),
                outcomes=len(outcomes.get(day, ())),
            )
        )
    assert volunteer.id is not None
    return VolunteerHours(
        volunteer_id=volunteer.id,
        volunteer_name=volunteer.name,
        first=first,
        last=last,
        days=days,
        total_hours=round(sum(d.hours for d in days), 1),
    )


def round_spans(
    session: Session,
    first: date,
    last: date,
    *,
    station_id: int | None = None,
    volunteer_id: int | None = None,
) -> dict[tuple[int, date], tuple[datetime | None, datetime | None]]:
    """Per volunteer and day: the first start and the last finish they recorded, whichever
    version of the day's plan they were on."""
    spans: dict[tuple[int, date], tuple[datetime | None, datetime | None]] = {}
    for mark, day in repository.round_marks(session, first, last, station_id, volunteer_id):
        start, finish = spans.get((mark.volunteer_id, day), (None, None))
        at = mark.recorded_at
        if mark.event is RoundEvent.STARTED:
            start = at if start is None else min(start, at)
        else:
            finish = at if finish is None else max(finish, at)
        spans[(mark.volunteer_id, day)] = (start, finish)
    return spans
