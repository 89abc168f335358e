"""Alerts: raised by a no-answer or a volunteer's concern, closed only with a resolution.

Each station has a ladder of steps (call the client, call the emergency contact, a social
worker visits, emergency services), each due some minutes after the alert was raised. A step
taken is recorded with who took it, when and the result; a step due and not taken while the
alert is open is overdue. The emergency contact is shown to coordinators (and admins) only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require, sees_private_notes
from dispatch.alerts import repository
from dispatch.alerts.schemas import AlertPublic, ResolutionCreate, StepCreate, StepPublic
from dispatch.audit import chain
from dispatch.errors import Conflict
from dispatch.i18n import N_
from dispatch.notifications import service as notices
from dispatch.planning import repository as plans
from models import (
    Alert,
    AlertStep,
    Client,
    Outcome,
    OutcomeRecord,
    Plan,
    PlanStop,
    Station,
    Volunteer,
)
from models.common import utcnow
from models.enums import AlertReason, AlertStatus, OutcomeKind


def raise_for(
    session: Session, principal: Principal, outcome: OutcomeRecord, client_id: int
) -> None:
    """Raise the alert a freshly stored outcome calls for, if any: a no-answer, or a concern."""
    if outcome.kind is OutcomeKind.NO_ANSWER:
        reason = AlertReason.NO_ANSWER
    elif outcome.concern:
        reason = AlertReason.CONCERN
    else:
        return
    now = utcnow()
    alert = Alert(
        raised_at=now,
        next_notice_at=now,  # the scan walks its ladder from the start
        station_id=outcome.station_id,
        outcome_id=outcome.id,
        client_id=client_id,
        volunteer_id=outcome.volunteer_id,
        plan_stop_id=outcome.plan_stop_id,
        reason=reason,
    )
    session.add(alert)
    session.flush()
    _audit(session, principal, alert, "raise_alert", {"reason": [None, reason.value]})
    notices.alert_raised(session, alert)


def alerts_of(
    session: Session,
    principal: Principal,
    station_id: int,
    *,
    status: AlertStatus | None = None,
    day: date | None = None,
    last: date | None = None,
    now: datetime | None = None,
) -> list[AlertPublic]:
    """A station's alerts, newest first: all (or the open ones), of one service day, or of
    the service days from `day` to `last`."""
    require(principal, Resource.ALERT, Action.READ)
    station = reachable(session, principal, Station, station_id, "station")
    rows = repository.alerts_of_station(session, station_id, status, day, last)
    return [_public(session, principal, station, alert, now or utcnow()) for alert in rows]


def alert(session: Session, principal: Principal, alert_id: int) -> AlertPublic:
    require(principal, Resource.ALERT, Action.READ)
    row, station = _alert(session, principal, alert_id)
    return _public(session, principal, station, row, utcnow())


def take_step(
    session: Session, principal: Principal, alert_id: int, data: StepCreate
) -> AlertPublic:
    """Record a step of the ladder as taken (a step may be taken again: call twice)."""
    require(principal, Resource.ALERT, Action.UPDATE)
    row, station = _alert(session, principal, alert_id)
    if row.status is AlertStatus.RESOLVED:
        raise Conflict(N_("the alert is resolved: nothing more to record"))
    step = AlertStep(
        alert_id=alert_id, step=data.step, result=data.result, done_by_user_id=principal.user_id
    )
    session.add(step)
    session.flush()
    _audit(session, principal, row, "take_alert_step", {data.step.value: [None, data.result]})
    return _public(session, principal, station, row, utcnow())


def resolve(
    session: Session, principal: Principal, alert_id: int, data: ResolutionCreate
) -> AlertPublic:
    """Close the alert; only a recorded resolution closes it."""
    require(principal, Resource.ALERT, Action.UPDATE)
    row, station = _alert(session, principal, alert_id)
    if row.status is AlertStatus.RESOLVED:
        raise Conflict(N_("the alert is resolved already"))
    row.status = AlertStatus.RESOLVED
    row.resolution = data.resolution
    row.resolution_note = data.note
    row.resolved_at = utcnow()
    row.resolved_by_user_id = principal.user_id
    session.add(row)
    session.flush()
    _audit(
        session,
        principal,
        row,
        "resolve_alert",
        {"status": ["open", "resolved"], "resolution": [None, data.resolution.value]},
    )
    return _public(session, principal, station, row, utcnow())


def _alert(session: Session, principal: Principal, alert_id: int) -> tuple[Alert, Station]:
    row = reachable(session, principal, Alert, alert_id, "alert")
    station = session.get(Station, row.station_id)
    assert station is not None
    return row, station


def _public(
    session: Session, principal: Principal, station: Station, row: Alert, now: datetime
) -> AlertPublic:
    assert row.id is not None
    client = session.get(Client, row.client_id)
    volunteer = session.get(Volunteer, row.volunteer_id)
    outcome = session.get(Outcome, row.outcome_id)
    stop = session.get(PlanStop, row.plan_stop_id)
    plan = session.get(Plan, stop.plan_id) if stop else None
    assert client
    assert volunteer
    assert outcome
    assert plan
    latest = plans.latest_outcomes(session, [outcome.task_id]).get(outcome.task_id)
    taken = repository.steps_of(session, row.id)
    names = repository.user_names(
        session, [s.done_by_user_id for s in taken] + [row.resolved_by_user_id]
    )
    log = [
        StepPublic(
            step=s.step,
            due_at=s.done_at,
            overdue=False,
            done_at=s.done_at,
            done_by=names.get(s.done_by_user_id),
            result=s.result,
        )
        for s in taken
    ]
    last_taken = {s.step: s for s in log}
    open_ = row.status is AlertStatus.OPEN
    steps = []
    for rung in station.alert_ladder:
        due = row.raised_at + timedelta(minutes=rung.due_minutes)
        done = last_taken.get(rung.step)
        steps.append(
            StepPublic(
                step=rung.step,
                due_at=due,
                overdue=open_ and done is None and now >= due,
                done_at=done.done_at if done else None,
                done_by=done.done_by if done else None,
                result=done.result if done else None,
            )
        )
    sees_contact = sees_private_notes(principal, station)
    contact = " ".join(
        part
        for part in (
            client.emergency_contact_name,
            client.emergency_contact_relation and f"({client.emergency_contact_relation})",
        )
        if part
    )
    contact_phone = client.emergency_contact_phone or None
    return AlertPublic(
        id=row.id,
        station_id=row.station_id,
        reason=row.reason,
        status=row.status,
        raised_at=row.raised_at,
        service_date=str(plan.service_date),
        client_id=row.client_id,
        client_name=client.name,
        client_address=client.address,
        client_phone=client.phone,
        emergency_contact=(contact or None) if sees_contact else None,
        emergency_contact_phone=contact_phone if sees_contact else None,
        volunteer_name=volunteer.name,
        outcome_kind=outcome.kind.value,
        outcome_note=outcome.note,
        concern=outcome.concern,
        latest_outcome_kind=(latest or outcome).kind.value,
        steps=steps,
        overdue=any(step.overdue for step in steps),
        resolution=row.resolution,
        resolution_note=row.resolution_note,
        resolved_at=row.resolved_at,
        resolved_by=names.get(row.resolved_by_user_id),
        log=log,
    )


def _audit(
    session: Session,
    principal: Principal,
    row: Alert,
    action: str,
    changes: dict[str, list[object]],
) -> None:
    chain.record(
        session,
        principal,
        action=action,
        entity="alert",
        entity_id=row.id,
        station_id=row.station_id,
        changes=changes,
        client_id=row.client_id,
        volunteer_id=row.volunteer_id,
    )
