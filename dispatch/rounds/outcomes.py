"""Recording what happened at a stop, and the start and finish of a round.

Each submission carries an id made by the phone. The same id again (a retry after lost
signal, a double tap) is answered with what was stored the first time and writes nothing,
even when both arrive at the same moment: the unique id decides. A correction is a new event
with a new id; nothing is ever overwritten.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from sqlmodel import Session, SQLModel

from dispatch.access import Action, Principal, Resource, require, station_scope
from dispatch.activities import service as activities
from dispatch.alerts import service as alerts
from dispatch.audit import chain
from dispatch.db import insert_unless_present
from dispatch.errors import Conflict, NotFound
from dispatch.i18n import N_
from dispatch.notifications import service as notices
from dispatch.rounds import repository
from dispatch.rounds.links import principal_of_link
from dispatch.rounds.schemas import OutcomeCreate, OutcomePublic
from dispatch.rounds.service import volunteer_of
from models import Client, Outcome, Plan, PlanRoute, PlanStop, RoundMark, Task
from models.enums import ProofStatus, RoundEvent

RowT = TypeVar("RowT", bound=SQLModel)


def record_outcome(
    session: Session,
    principal: Principal,
    stop_id: int,
    data: OutcomeCreate,
    only_day: date | None = None,
) -> OutcomePublic:
    """A volunteer records what happened at a door of their own published route (through a
    route link: of that link's day only)."""
    volunteer = volunteer_of(principal)
    found = repository.published_door(session, stop_id)
    # Another volunteer's stop, or one of a plan not published, does not exist for them.
    if (
        found is None
        or found[1].volunteer_id != volunteer
        or (only_day is not None and found[2].service_date != only_day)
    ):
        raise NotFound("stop", stop_id)
    stop, route, plan, task = found
    return _store(session, principal, stop, route, plan, task, data, by_coordinator=False)


def record_linked_outcome(
    session: Session, secret: str, token: str, stop_id: int, data: OutcomeCreate
) -> OutcomePublic:
    """What happened at a door, recorded through a route link (the link is the credential)."""
    who, link = principal_of_link(session, secret, token)
    return record_outcome(session, who, stop_id, data, only_day=link.service_date)


def record_paper_outcome(
    session: Session, principal: Principal, stop_id: int, data: OutcomeCreate
) -> OutcomePublic:
    """A coordinator enters what a volunteer ticked on a paper route sheet."""
    require(principal, Resource.OUTCOME, Action.CREATE)
    found = repository.published_door(session, stop_id)
    scope = station_scope(principal)
    if found is None or (scope is not None and found[2].station_id not in scope):
        raise NotFound("stop", stop_id)
    stop, route, plan, task = found
    return _store(session, principal, stop, route, plan, task, data, by_coordinator=True)


def _store(
    session: Session,
    principal: Principal,
    stop: PlanStop,
    route: PlanRoute,
    plan: Plan,
    task: Task,
    data: OutcomeCreate,
    *,
    by_coordinator: bool,
) -> OutcomePublic:
    assert stop.id is not None
    row = Outcome(
        **data.model_dump(exclude={"card_code"}),
        station_id=plan.station_id,
        plan_stop_id=stop.id,
        task_id=stop.task_id,
        volunteer_id=route.volunteer_id,
        entered_by_coordinator=by_coordinator,
        proof=_proof(session, task.client_id, data.card_code),
    )
    stored, fresh = _once(session, row, data.client_event_id, Outcome)
    if stored.plan_stop_id != stop.id:
        raise Conflict(
            N_("event id %(event)s was already used for another stop"), event=data.client_event_id
        )
    if fresh:
        repository.mark_done(session, task)
        chain.record(
            session,
            principal,
            action="record_outcome",
            entity="outcome",
            entity_id=stored.id,
            station_id=plan.station_id,
            changes=chain.diff({}, stored.model_dump(mode="json")),
            client_id=task.client_id,
        )
        alerts.raise_for(session, principal, stored, task.client_id)
        notices.outcome_recorded(session, stored, task.client_id)
        activities.note_escorted(session, principal, task, stored)
    return OutcomePublic.model_validate(stored.model_dump() | {"duplicate": not fresh})


def _proof(session: Session, client_id: int, code: str | None) -> ProofStatus:
    """Whether the code given at the door is the one on the client's current card."""
    if not code or not code.strip():
        return ProofStatus.NONE
    client = session.get(Client, client_id)
    assert client is not None
    given = code.strip().upper()
    return ProofStatus.CONFIRMED if client.card_code == given else ProofStatus.MISMATCH


def outcomes_of(session: Session, principal: Principal, stop_id: int) -> list[OutcomePublic]:
    """The stop's events, oldest first: the last one is what stands."""
    volunteer = volunteer_of(principal)
    rows = repository.outcomes_at(session, stop_id, volunteer)
    return [OutcomePublic.model_validate(row.model_dump()) for row in rows]


def mark_round(
    session: Session,
    principal: Principal,
    day: date,
    event: RoundEvent,
    client_event_id: str,
    recorded_at: datetime,
) -> RoundMark:
    volunteer = volunteer_of(principal)
    found = repository.published_route(session, volunteer, day)
    if found is None or found[1].id is None:
        raise NotFound("route on", str(day))
    plan, route = found
    assert route.id is not None
    mark = RoundMark(
        client_event_id=client_event_id,
        station_id=plan.station_id,
        plan_route_id=route.id,
        volunteer_id=volunteer,
        event=event,
        recorded_at=recorded_at,
    )
    stored, _fresh = _once(session, mark, client_event_id, RoundMark)
    return stored


def _once(session: Session, row: RowT, event_id: str, table: type[RowT]) -> tuple[RowT, bool]:
    """Insert `row` unless its event id is stored already: (the stored row, whether new).
    The insert comes first: a repeat is the rare case, and its unique key says so."""
    new_id = insert_unless_present(
        session, table, row.model_dump(exclude={"id"}), key="client_event_id"
    )
    if new_id is None:
        existing = repository.by_event(session, table, event_id)
        assert existing is not None  # the row that made this one a repeat
        return existing, False
    row.id = new_id
    return row, True
