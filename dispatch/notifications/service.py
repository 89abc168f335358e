"""Who is told what, and when: contact preferences and the messages events write.

Every message is written to the outbox in the transaction of the event that causes it, once
per event and recipient (the event's key): a retried request or a second scan writes
nothing more. Whoever has opted out, or has no preference, gets nothing; a family contact
only with the date of their consent. The sender (dispatch.notifications.sender) sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, reachable, require, system_principal
from dispatch.audit import chain
from dispatch.crud.repository import RecordRepository
from dispatch.crud.schemas import Page
from dispatch.crud.service import RecordService, snapshot
from dispatch.errors import InvalidInput, NotFound
from dispatch.i18n import N_
from dispatch.notifications import repository
from dispatch.notifications.messages import text
from dispatch.notifications.schemas import (
    AttemptPublic,
    NotificationPublic,
    OutboxQuery,
    PreferenceCreate,
    PreferenceUpdate,
)
from dispatch.planning.edits import Published
from dispatch.rounds.links import new_link
from dispatch.times import clock
from models import (
    Alert,
    Client,
    ContactPreference,
    Notification,
    OutcomeRecord,
    Plan,
    PlanStop,
    Rung,
    Station,
    User,
    UserStation,
    Volunteer,
)
from models.common import utcnow
from models.enums import Audience, NoticeEvent, Notify, OutcomeKind, Role

# Alerts older than this are not escalated by messages any more (the board still shows them).
ESCALATION_HOURS = 24
# A route link sent by message works until the end of the day after its service day.
LINK_SPARE_HOURS = 24
_OPT_OUT_SALT = "careroute-opt-out"
# Set in a session's info when it wrote a message: once committed, a sender is woken.
WROTE_MESSAGES = "careroute_wrote_messages"


class PreferenceService(RecordService[ContactPreference, PreferenceCreate, PreferenceUpdate]):
    resource = Resource.NOTIFICATION

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(
                ContactPreference,
                search_columns=("address", "notes"),
                order_by=("audience", "person_id"),
            ),
            PreferenceCreate,
        )

    def create(
        self, session: Session, principal: Principal, data: PreferenceCreate
    ) -> ContactPreference:
        row = super().create(session, principal, data)
        _walk_open_alerts_again(session, row)
        return row

    def update(
        self, session: Session, principal: Principal, row_id: int, data: PreferenceUpdate
    ) -> ContactPreference:
        row = super().update(session, principal, row_id, data)
        _walk_open_alerts_again(session, row)
        return row

    def restore(self, session: Session, principal: Principal, row_id: int) -> ContactPreference:
        row = super().restore(session, principal, row_id)
        _walk_open_alerts_again(session, row)
        return row

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        audience, person_id = Audience(values["audience"]), values["person_id"]
        if audience is Audience.STATION:
            if person_id != station_id:
                raise InvalidInput.field("person_id", N_("a station's chat is the station's own"))
            return
        owner: Volunteer | Client | None = None
        if audience is Audience.VOLUNTEER:
            owner = session.get(Volunteer, person_id)
        elif audience is Audience.FAMILY:
            owner = session.get(Client, person_id)
        if audience is Audience.STAFF:
            user = session.get(User, person_id)
            works_here = session.get(UserStation, (person_id, station_id)) is not None
            if user is None or user.role is Role.VOLUNTEER or not works_here:
                raise InvalidInput.field(
                    "person_id", N_("user %(user)s is not staff of this station"), user=person_id
                )
        elif owner is None or owner.station_id != station_id:
            raise InvalidInput.field(
                "person_id",
                N_("%(kind)s %(id)s is not of this station"),
                kind=audience.value,
                id=person_id,
            )


def _walk_open_alerts_again(session: Session, preference: ContactPreference) -> None:
    """Staff and a station's chat are told of alerts: one added, changed (on duty, say) or
    restored while the station's alerts are open is told of the steps due and not taken
    by the next scan. Nobody is told a step twice (its event key)."""
    if preference.audience in (Audience.STAFF, Audience.STATION):
        repository.rewind_open_alerts(session, preference.station_id)


# --- events that write messages -----------------------------------------------------------


def plan_published(session: Session, principal: Principal, published: Published) -> None:
    """Tell each volunteer whose route is new, changed or gone, with a link to it."""
    plan = published.plan
    assert plan.id is not None
    summaries = repository.route_summaries(session, plan.id)
    day = str(plan.service_date)
    for event, volunteers in (
        (NoticeEvent.ROUTE_PUBLISHED, published.new),
        (NoticeEvent.ROUTE_CHANGED, published.changed),
        (NoticeEvent.ROUTE_WITHDRAWN, published.withdrawn),
    ):
        for volunteer_id in sorted(volunteers):
            values = {"day": day}
            if volunteer_id in summaries:
                doors, start = summaries[volunteer_id]
                values |= {"stops": str(doors), "start": clock(start or 0)}
            _to_volunteer(
                session,
                principal,
                plan.station_id,
                event,
                f"route:{plan.id}:{volunteer_id}",
                volunteer_id,
                values,
                plan.service_date if event is not NoticeEvent.ROUTE_WITHDRAWN else None,
            )


def alert_raised(session: Session, alert: Alert) -> None:
    """Tell the coordinators on duty and the station's chat: a door did not open."""
    _tell_raised(session, alert, _told(session, alert.station_id, _RAISED_TELLS))


# Whom a raised alert tells (the ladder's steps say their own).
_RAISED_TELLS = [Notify.ON_DUTY, Notify.STATION_CHAT]


def _tell_raised(
    session: Session, alert: Alert, preferences: list[ContactPreference], at: datetime | None = None
) -> int:
    """The raised alert's message to each of `preferences` who has not had it."""
    assert alert.id is not None
    if not preferences:
        return 0
    client, volunteer, timezone = repository.alert_parties(session, alert)
    values = {
        "client": client,
        "volunteer": volunteer,
        "reason": alert.reason.value,
        "time": _local_clock(alert.raised_at, timezone),
    }
    return sum(
        _write(
            session,
            alert.station_id,
            NoticeEvent.ALERT_RAISED,
            _raised_key(alert),
            preference,
            values,
            link=partial(_board, session, alert),
            urgent=True,
            at=at,
        )
        for preference in preferences
    )


def outcome_recorded(
    session: Session, outcome: OutcomeRecord, client_id: int, family_preference_id: int | None
) -> None:
    """Tell the client's family contact, if they opted in (`family_preference_id`: their
    preference, which the outcome's door was read with): done, or nobody answered."""
    if outcome.kind is OutcomeKind.NO_ANSWER:
        event = NoticeEvent.FAMILY_NO_ANSWER
    elif outcome.kind is OutcomeKind.DELIVERED:
        event = NoticeEvent.FAMILY_DELIVERED
    else:
        return
    if family_preference_id is None:
        return
    preference = session.get(ContactPreference, family_preference_id)
    assert preference is not None  # read in this transaction
    client, station = session.get(Client, client_id), session.get(Station, outcome.station_id)
    assert client
    assert station
    values = {
        "station": station.name,
        "client": client.name,
        "time": _local_clock(outcome.recorded_at, station.timezone),
        "phone": station.phone or "",
    }
    _write(session, outcome.station_id, event, f"outcome:{outcome.id}", preference, values)


def scan(session: Session, now: datetime, reminder_at: time) -> int:
    """Write what time makes due: the evening-before reminders of tomorrow's routes, and the
    steps of open alerts' ladders due and not taken. Safe to run as often as wanted."""
    # Each station past its reminder time, with the day after its today: their published
    # plans in one query, not one per station every few seconds all evening. Time zones
    # only: a city's stations as records (their ladders parsed) cost more than the scan.
    evening = {}
    for station_id, timezone in repository.station_zones(session):
        local = now.astimezone(ZoneInfo(timezone))
        if local.time() >= reminder_at:
            evening[station_id] = local.date() + timedelta(days=1)
    plans = repository.published_plans(session, evening) if evening else {}
    # Held for the whole scan: the session keeps only what is referenced.
    stations: dict[int, Station] = {}
    written = 0
    for station_id, plan in sorted(plans.items()):
        station = _station(session, stations, station_id)
        written += _reminders(session, station, plan, now, reminder_at)
    written += _steps_due(session, stations, now)
    return written


def _reminders(
    session: Session, station: Station, plan: Plan, now: datetime, reminder_at: time
) -> int:
    """Tomorrow's routes of the plan, told the evening before to each volunteer not told."""
    zone = ZoneInfo(station.timezone)
    tomorrow = plan.service_date
    if plan.id is None:
        return 0
    reminder_moment = datetime.combine(tomorrow - timedelta(days=1), reminder_at, zone)
    if plan.published_at and reminder_moment <= plan.published_at <= now:
        return 0  # published this evening: its own message has just told them
    written = 0
    principal = system_principal("notifications")
    routes = repository.route_summaries(session, plan.id)
    # Checked in two queries, since the scan comes back every few seconds all evening.
    prefix = f"reminder:{plan.station_id}:{tomorrow}:"
    waiting = repository.with_preference(session, Audience.VOLUNTEER, set(routes))
    waiting -= repository.told(session, prefix, Audience.VOLUNTEER)
    for volunteer_id, (doors, start) in sorted(routes.items()):
        if volunteer_id not in waiting:
            continue
        values = {"day": str(tomorrow), "stops": str(doors), "start": clock(start or 0)}
        written += _to_volunteer(
            session,
            principal,
            plan.station_id,
            NoticeEvent.REMINDER,
            f"{prefix}{volunteer_id}",
            volunteer_id,
            values,
            tomorrow,
            at=now,
        )
    return written


def _steps_due(session: Session, stations: dict[int, Station], now: datetime) -> int:
    """The messages of the steps fallen due since the last scan and not taken. Only the
    alerts whose next step's time has come are read (the scan comes back every few seconds,
    in every server process, and a city has hundreds of alerts open at lunch); who already
    has a message is found in one query (two scans may run at once)."""
    since = now - timedelta(hours=ESCALATION_HOURS)
    alerts = repository.alerts_with_notice_due(session, now, since)
    if not alerts:
        return 0
    taken = repository.steps_taken(session, [a.id for a in alerts if a.id is not None])
    due: list[tuple[Alert, Station, Rung, datetime]] = []
    # Walked from the start (new, or walked again: the ladder or whom it tells changed):
    # whoever is to be told of the alert now and was not when it was raised is told too.
    fresh: list[Alert] = []
    for alert in alerts:
        station = _station(session, stations, alert.station_id)
        announced_before = alert.next_notice_at
        assert announced_before is not None  # as read
        if announced_before <= alert.raised_at:
            fresh.append(alert)
        alert.next_notice_at = None  # unless a step falls due later
        for rung in station.alert_ladder:  # in the order they fall due
            due_at = alert.raised_at + timedelta(minutes=rung.due_minutes)
            if due_at > now:
                alert.next_notice_at = due_at
                break
            if due_at >= announced_before and (alert.id, rung.step.value) not in taken:
                due.append((alert, station, rung, due_at))
    if not due and not fresh:
        return 0
    keys = {_step_key(alert, rung) for alert, _, rung, _ in due}
    told = repository.told_of_keys(session, keys | {_raised_key(alert) for alert in fresh})
    recipients: dict[tuple[int, tuple[Notify, ...]], list[ContactPreference]] = {}

    def not_told(station_id: int, notify: list[Notify], key: str) -> list[ContactPreference]:
        """Whom a message tells (read once per station and audience) who has not had it."""
        whom = (station_id, tuple(notify))
        if whom not in recipients:
            recipients[whom] = _told(session, station_id, notify)
        return [
            p
            for p in recipients[whom]
            if p.opted_out_at is None and (key, p.audience, p.person_id) not in told
        ]

    written = 0
    for alert in fresh:
        waiting = not_told(alert.station_id, _RAISED_TELLS, _raised_key(alert))
        written += _tell_raised(session, alert, waiting, now)
    for alert, station, rung, due_at in due:
        key = _step_key(alert, rung)
        waiting = not_told(alert.station_id, rung.notify, key)
        if not waiting:
            continue
        client = session.get(Client, alert.client_id)
        assert client
        values = {
            "client": client.name,
            "time": _local_clock(alert.raised_at, station.timezone),
            "step": rung.step.value,
            "due": _local_clock(due_at, station.timezone),
        }
        for preference in waiting:
            written += _write(
                session,
                alert.station_id,
                NoticeEvent.ALERT_STEP_DUE,
                key,
                preference,
                values,
                link=partial(_board, session, alert),
                urgent=True,
                at=now,
            )
    return written


def _station(session: Session, held: dict[int, Station], station_id: int) -> Station:
    """The station, read once per scan (an archived one too: its open alerts still climb
    their ladder)."""
    if station_id not in held:
        station = session.get(Station, station_id)
        assert station
        held[station_id] = station
    return held[station_id]


def _step_key(alert: Alert, rung: Rung) -> str:
    return f"alert:{alert.id}:{rung.step.value}"


def _raised_key(alert: Alert) -> str:
    return f"alert:{alert.id}"


# --- the outbox as people see it ----------------------------------------------------------


def outbox(
    session: Session, principal: Principal, station_id: int, query: OutboxQuery
) -> Page[NotificationPublic]:
    """A page of the station's messages of the last days, newest first, each with its
    delivery log."""
    require(principal, Resource.NOTIFICATION, Action.READ)
    reachable(session, principal, Station, station_id, "station")
    since = utcnow() - timedelta(days=query.days)
    offset = (query.page - 1) * query.page_size
    rows, total = repository.outbox(
        session, station_id, since, query.status, offset, query.page_size
    )
    log: dict[int, list[AttemptPublic]] = {}
    for attempt in repository.attempts_of(session, [r.id for r in rows if r.id is not None]):
        log.setdefault(attempt.notification_id, []).append(
            AttemptPublic.model_validate(attempt, from_attributes=True)
        )
    names = repository.names_of(session, {(row.audience, row.person_id) for row in rows})
    items = [
        NotificationPublic.model_validate(
            row.model_dump()
            | {
                "log": log.get(row.id or 0, []),
                "to_name": names.get((row.audience, row.person_id), ""),
            }
        )
        for row in rows
    ]
    return Page(items=items, total=total, page=query.page, page_size=query.page_size)


def opt_out_token(secret: str, preference_id: int) -> str:
    return URLSafeSerializer(secret, salt=_OPT_OUT_SALT).dumps({"preference": preference_id})


def opted_out_preference(session: Session, secret: str, token: str) -> ContactPreference:
    """The preference an opt-out link names, if the link is genuine."""
    try:
        payload = URLSafeSerializer(secret, salt=_OPT_OUT_SALT).loads(token)
    except BadSignature:
        raise NotFound("opt-out link", "") from None
    preference = session.get(ContactPreference, payload.get("preference"))
    if preference is None:
        raise NotFound("opt-out link", "")
    return preference


def opt_out(session: Session, secret: str, token: str) -> ContactPreference:
    """Stop every message to the person the link was sent to (kept in the audit trail)."""
    preference = opted_out_preference(session, secret, token)
    if preference.opted_out_at is None:
        before = snapshot(preference)
        preference.opted_out_at = utcnow()
        session.add(preference)
        session.flush()
        chain.record(
            session,
            system_principal("opt-out link"),
            action="opt_out",
            entity="contact_preference",
            entity_id=preference.id,
            station_id=preference.station_id,
            changes=chain.diff(before, snapshot(preference)),
        )
    return preference


# --- helpers ------------------------------------------------------------------------------


def _to_volunteer(
    session: Session,
    principal: Principal,
    station_id: int,
    event: NoticeEvent,
    key: str,
    volunteer_id: int,
    values: dict[str, str],
    route_day: Any,
    at: datetime | None = None,
) -> int:
    preference = repository.preference(session, Audience.VOLUNTEER, volunteer_id)
    if preference is None:
        return 0

    def route_link() -> str:
        """A link to the route, made only for a message that is written."""
        if route_day is None:
            return ""
        volunteer = session.get(Volunteer, volunteer_id)
        assert volunteer is not None
        # Until the day after the service day ends, and a day at least (a day entered late).
        expires = max(
            datetime.combine(route_day, time(), UTC) + timedelta(hours=24 + LINK_SPARE_HOURS),
            utcnow() + timedelta(hours=LINK_SPARE_HOURS),
        )
        return f"route_link:{new_link(session, principal, volunteer, route_day, expires).id}"

    return _write(session, station_id, event, key, preference, values, link=route_link, at=at)


def _write(
    session: Session,
    station_id: int,
    event: NoticeEvent,
    key: str,
    preference: ContactPreference,
    values: dict[str, str],
    *,
    link: Callable[[], str] | None = None,
    urgent: bool = False,
    at: datetime | None = None,
) -> int:
    """Write the message unless the person opted out or already has it (1 if written), with
    the link `link` makes; it is due `at` (by default now)."""
    if preference.opted_out_at is not None or preference.id is None:
        return 0
    if repository.exists(session, key, preference.audience, preference.person_id):
        return 0
    words = text(event, preference.locale, values)
    row = Notification(
        station_id=station_id,
        event=event,
        event_key=key,
        audience=preference.audience,
        person_id=preference.person_id,
        preference_id=preference.id,
        channel=preference.channel,
        locale=preference.locale,
        subject=words.subject[:200],
        body=words.body[:2000],
        params=words.params,
        link=link() if link else "",
        urgent=urgent,
        next_attempt_at=at or utcnow(),
    )
    try:
        with session.begin_nested():  # another scan may write the same message at once
            session.add(row)
    except IntegrityError:
        return 0
    session.info[WROTE_MESSAGES] = True
    return 1


def _told(session: Session, station_id: int, who: list[Notify]) -> list[ContactPreference]:
    """The preferences of whom a step tells, each once: the coordinators on duty (all the
    station's coordinators when none is), the coordinators, the managers, the chat."""
    audience = repository.station_audience(session, station_id)
    chat = [preference for preference, role in audience if role is None]
    managers = [preference for preference, role in audience if role is Role.MANAGER]
    coordinators = [preference for preference, role in audience if role is Role.COORDINATOR]
    found: dict[int, ContactPreference] = {}
    for kind in who:
        if kind is Notify.STATION_CHAT:
            people = chat
        elif kind is Notify.MANAGERS:
            people = managers
        elif kind is Notify.COORDINATORS:
            people = coordinators
        else:
            people = [p for p in coordinators if p.on_duty] or coordinators
        for person in people:
            assert person.id is not None
            found.setdefault(person.id, person)
    return list(found.values())


def _local_clock(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def _board(session: Session, alert: Alert) -> str:
    """The day page of the alert's service day, where its ladder is walked."""
    stop = session.get(PlanStop, alert.plan_stop_id)
    plan = session.get(Plan, stop.plan_id) if stop else None
    assert plan is not None
    return f"/days/{alert.station_id}/{plan.service_date}"
