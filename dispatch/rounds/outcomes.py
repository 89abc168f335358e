"""Recording what happened at a stop, and the start and finish of a round.

Each submission carries an id made by the phone. The same id again (a retry after lost
signal, a double tap) is answered with what was stored the first time and writes nothing,
even when both arrive at the same moment: the unique id decides. A correction is a new event
with a new id; nothing is ever overwritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, require, station_scope
from dispatch.activities import service as activities
from dispatch.alerts import service as alerts
from dispatch.audit import chain
from dispatch.db import insert_unless_present
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.i18n import N_
from dispatch.notifications import service as notices
from dispatch.rounds import repository
from dispatch.rounds.links import principal_of_link
from dispatch.rounds.schemas import OutcomeCreate, OutcomePublic
from dispatch.rounds.service import day_ahead, volunteer_of
from models import Client, Outcome, RoundMark, Station
from models.common import utcnow
from models.enums import ProofStatus, RoundEvent


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
    door = repository.published_door(session, stop_id)
    # Another volunteer's stop, or one of a plan not published, does not exist for them.
    if (
        door is None
        or door.volunteer_id != volunteer
        or (only_day is not None and door.service_date != only_day)
    ):
        raise NotFound("stop", stop_id)
    return _store(session, principal, door, data, by_coordinator=False)


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
    door = repository.published_door(session, stop_id)
    scope = station_scope(principal)
    if door is None or (scope is not None and door.station_id not in scope):
        raise NotFound("stop", stop_id)
    return _store(session, principal, door, data, by_coordinator=True)


def _store(
    session: Session,
    principal: Principal,
    door: repository.Door,
    data: OutcomeCreate,
    *,
    by_coordinator: bool,
) -> OutcomePublic:
    assert door.volunteer_id is not None  # a door's route has its volunteer
    received = utcnow()
    _on_the_day(door.service_date, door.timezone, received)
    values = data.model_dump(exclude={"card_code"}) | {
        "station_id": door.station_id,
        "plan_stop_id": door.stop_id,
        "task_id": door.task_id,
        "volunteer_id": door.volunteer_id,
        "received_at": received,
        "entered_by_coordinator": by_coordinator,
        "proof": _proof(session, door.client_id, data.card_code),
    }
    # The insert comes first: a repeat is the rare case, and the event id's unique key says so.
    new_id = repository.add_outcome(session, values)
    if new_id is None:
        existing = repository.by_event(session, Outcome, data.client_event_id)
        assert existing is not None  # the row that made this one a repeat
        if existing.plan_stop_id != door.stop_id:
            raise Conflict(
                N_("event id %(event)s was already used for another stop"),
                event=data.client_event_id,
            )
        return OutcomePublic.model_validate(existing.model_dump() | {"duplicate": True})
    stored = OutcomePublic.model_validate(values | {"id": new_id, "duplicate": False})
    chain.record(
        session,
        principal,
        action="record_outcome",
        entity="outcome",
        entity_id=new_id,
        station_id=door.station_id,
        changes=chain.diff({}, stored.model_dump(mode="json", exclude={"duplicate"})),
        client_id=door.client_id,
    )
    alerts.raise_for(session, principal, stored, door.client_id)
    notices.outcome_recorded(session, stored, door.client_id, door.family_preference_id)
    activities.note_escorted(session, principal, door.task_kind, door.invitation_id, stored)
    return stored


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


def _on_the_day(service_date: date, timezone: str, now: datetime) -> None:
    """Refuse what is recorded on a route before its day has begun at the station: tapped
    on tomorrow's route, "no answer" would raise a false alarm today."""
    if day_ahead(service_date, timezone, now):
        raise InvalidInput.field(
            "recorded_at",
            N_("this route is for %(day)s: what happens on it is recorded on that day"),
            day=str(service_date),
        )


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
    station = session.get(Station, plan.station_id)
    assert station is not None
    _on_the_day(plan.service_date, station.timezone, utcnow())
    mark = RoundMark(
        client_event_id=client_event_id,
        station_id=plan.station_id,
        plan_route_id=route.id,
        volunteer_id=volunteer,
        event=event,
        recorded_at=recorded_at,
    )
    values = mark.model_dump(exclude={"id"})
    new_id = insert_unless_present(session, RoundMark, values, key="client_event_id")
    if new_id is None:
        existing: RoundMark | None = repository.by_event(session, RoundMark, client_event_id)
        assert existing is not None  # the row that made this one a repeat
        return existing
    mark.id = new_id
    return mark
