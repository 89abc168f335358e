"""Risk signals for the social worker: clients with repeated no-answers, refused meals,
frequent holds or a volunteer's concern in the last weeks, each with the events behind it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require
from dispatch.reports import repository
from dispatch.reports.schemas import ClientRisk, SignalEvent
from models import Station
from models.enums import OutcomeKind

# How often within the period before a client is listed.
THRESHOLDS = {"no_answer": 2, "refused": 2, "concern": 1, "hold": 2}


def risk_signals(
    session: Session, principal: Principal, station_id: int, first: date, last: date
) -> list[ClientRisk]:
    require(principal, Resource.CLIENT, Action.READ)
    reachable(session, principal, Station, station_id, "station")
    events: dict[int, list[SignalEvent]] = defaultdict(list)
    for outcome, task, volunteer in repository.outcomes_with_tasks(
        session, station_id, first, last
    ):
        kinds = []
        if outcome.kind in (OutcomeKind.NO_ANSWER, OutcomeKind.REFUSED):
            kinds.append(outcome.kind.value)
        if outcome.concern:
            kinds.append("concern")
        for kind in kinds:
            events[task.client_id].append(
                SignalEvent(
                    day=task.service_date,
                    signal=kind,
                    detail=outcome.note,
                    by=volunteer.name,
                    recorded_at=outcome.recorded_at,
                )
            )
    for schedule in repository.schedules_of_station(session, station_id):
        for hold in schedule.holds:
            start, end = hold.start, hold.end
            if start <= last and end >= first:
                events[schedule.client_id].append(
                    SignalEvent(
                        day=start,
                        signal="hold",
                        detail=f"{start} – {end} {hold.reason}".strip(),
                        by=None,
                        recorded_at=None,
                    )
                )
    names = {c.id: c.name for c in repository.clients(session, events)}
    risks = []
    for client_id, found in events.items():
        counts: dict[str, int] = defaultdict(int)
        for event in found:
            counts[event.signal] += 1
        over = {k: n for k, n in sorted(counts.items()) if n >= THRESHOLDS[k]}
        if over:
            risks.append(
                ClientRisk(
                    client_id=client_id,
                    client_name=names.get(client_id, ""),
                    signals=over,
                    events=sorted((e for e in found if e.signal in over), key=lambda e: e.day),
                )
            )
    return sorted(risks, key=lambda r: (-sum(r.signals.values()), r.client_name))
