"""Queries of the notifications: recipients' preferences, the outbox and its log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, bindparam, case, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import (
    Alert,
    AlertStep,
    Client,
    ContactPreference,
    Notification,
    NotificationAttempt,
    Plan,
    PlanRoute,
    PlanStop,
    Station,
    User,
    UserStation,
    Volunteer,
)
from models.enums import AlertStatus, Audience, NoticeStatus, PlanStatus, Role, StopKind


def preference(session: Session, audience: Audience, person_id: int) -> ContactPreference | None:
    """The person's preference, if they have one and it is not archived. (A client's family
    contact, asked at every outcome, is read with the door: rounds.repository.)"""
    return session.exec(
        select(ContactPreference).where(
            ContactPreference.audience == audience,
            ContactPreference.person_id == person_id,
            col(ContactPreference.archived_at).is_(None),
        )
    ).first()


# Built once: every no-answer asks.
_ALERT_PARTIES = sa_select(
    sa_select(col(Client.name)).where(col(Client.id) == bindparam("client_id")).scalar_subquery(),
    sa_select(col(Volunteer.name))
    .where(col(Volunteer.id) == bindparam("volunteer_id"))
    .scalar_subquery(),
    sa_select(col(Station.timezone))
    .where(col(Station.id) == bindparam("station_id"))
    .scalar_subquery(),
)


def alert_parties(session: Session, alert: Alert) -> tuple[str, str, str]:
    """The names of an alert's client and volunteer, and its station's time zone: one
    statement, not three records loaded."""
    params = {
        "client_id": alert.client_id,
        "volunteer_id": alert.volunteer_id,
        "station_id": alert.station_id,
    }
    client, volunteer, timezone = session.connection().execute(_ALERT_PARTIES, params).one()
    return client, volunteer, timezone


# Built once: every no-answer asks (building the statement cost more than running it).
_AUDIENCE = (
    select(ContactPreference, User.role)
    .outerjoin(
        User,
        and_(
            col(ContactPreference.audience) == Audience.STAFF,
            col(User.id) == ContactPreference.person_id,
            col(User.active).is_(True),
        ),
    )
    .outerjoin(
        UserStation,
        and_(
            col(UserStation.user_id) == User.id,
            col(UserStation.station_id) == bindparam("station_id"),
        ),
    )
    .where(
        col(ContactPreference.archived_at).is_(None),
        or_(
            and_(
                col(ContactPreference.audience) == Audience.STATION,
                col(ContactPreference.person_id) == bindparam("station_id"),
            ),
            col(UserStation.station_id).is_not(None),
        ),
    )
    .order_by(col(ContactPreference.id))
)


def station_audience(
    session: Session, station_id: int
) -> list[tuple[ContactPreference, Role | None]]:
    """The preferences of whom a station's alerts may tell, in one statement: its chat (with
    no role) and its active users, each with their role."""
    rows = session.exec(_AUDIENCE, params={"station_id": station_id}).all()
    return [(preference, None if role is None else Role(role)) for preference, role in rows]


def route_summaries(session: Session, plan_id: int) -> dict[int, tuple[int, int | None]]:
    """Each volunteer's doors in the plan and the start of their first stop (seconds)."""
    rows = session.exec(
        select(
            PlanRoute.volunteer_id,
            func.sum(case((col(PlanStop.kind) == StopKind.DOOR, 1), else_=0)),
            func.min(PlanStop.start_seconds),
        )
        .join(PlanStop, col(PlanStop.route_id) == PlanRoute.id)
        .where(PlanRoute.plan_id == plan_id)
        .group_by(col(PlanRoute.volunteer_id))
    ).all()
    return {volunteer: (doors, start) for volunteer, doors, start in rows if doors}


def published_plans(session: Session, days: dict[int, date]) -> dict[int, Plan]:
    """Each station's published plan of its day in `days` (station: day), if it has one."""
    rows = session.exec(
        select(Plan).where(
            col(Plan.station_id).in_(list(days)),
            col(Plan.service_date).in_(set(days.values())),
            Plan.status == PlanStatus.PUBLISHED,
        )
    ).all()
    return {plan.station_id: plan for plan in rows if days[plan.station_id] == plan.service_date}


def station_zones(session: Session) -> Sequence[tuple[int, str]]:
    """Each active station's id and time zone."""
    return session.exec(
        select(col(Station.id), Station.timezone).where(col(Station.archived_at).is_(None))
    ).all()  # type: ignore[return-value]


def alerts_with_notice_due(session: Session, now: datetime, since: datetime) -> Sequence[Alert]:
    """The open alerts raised since `since` that have a step to announce by `now`."""
    return session.exec(
        select(Alert).where(
            col(Alert.next_notice_at) <= now,
            Alert.status == AlertStatus.OPEN,
            Alert.raised_at >= since,
        )
    ).all()


def rewind_open_alerts(session: Session, station_id: int) -> None:
    """The station's open alerts, walked again from the time they were raised by the next
    notification scan (the station's ladder changed, or whom its alerts tell). A step
    already told is not told again to the same person (its event key); a step now due
    earlier than the one an alert waited for, one added after its last, or one due before
    someone was to be told of it, is announced when due, or at once if that time has passed
    and the step is not taken."""
    session.execute(
        update(Alert)
        .where(col(Alert.station_id) == station_id, col(Alert.status) == AlertStatus.OPEN)
        .values(next_notice_at=Alert.raised_at)
    )


def steps_taken(session: Session, alert_ids: list[int]) -> set[tuple[int, str]]:
    rows = session.exec(
        select(AlertStep.alert_id, AlertStep.step).where(col(AlertStep.alert_id).in_(alert_ids))
    ).all()
    return {(alert_id, str(step)) for alert_id, step in rows}


def exists(session: Session, key: str, audience: Audience, person_id: int) -> bool:
    return (
        session.exec(
            select(Notification.id).where(
                Notification.event_key == key,
                Notification.audience == audience,
                Notification.person_id == person_id,
            )
        ).first()
        is not None
    )


def with_preference(session: Session, audience: Audience, people: set[int]) -> set[int]:
    """Those of `people` who have a preference (not archived, not opted out)."""
    found = session.exec(
        select(ContactPreference.person_id).where(
            ContactPreference.audience == audience,
            col(ContactPreference.person_id).in_(people),
            col(ContactPreference.archived_at).is_(None),
            col(ContactPreference.opted_out_at).is_(None),
        )
    ).all()
    return set(found)


def told_of_keys(session: Session, keys: set[str]) -> set[tuple[str, str, int]]:
    """Who has a message of each of these event keys, as (key, audience, person)."""
    found: set[tuple[str, str, int]] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), _KEYS_AT_ONCE):
        rows = session.exec(
            select(Notification.event_key, Notification.audience, Notification.person_id).where(
                col(Notification.event_key).in_(ordered[start : start + _KEYS_AT_ONCE])
            )
        ).all()
        found.update((key, audience, person) for key, audience, person in rows)
    return found


_KEYS_AT_ONCE = 500  # an IN list of parameters well within every database's limit


def told(session: Session, key_prefix: str, audience: Audience) -> set[int]:
    """Who has a message whose event key starts with `key_prefix`."""
    found = session.exec(
        select(Notification.person_id).where(
            col(Notification.event_key).startswith(key_prefix, autoescape=True),
            Notification.audience == audience,
        )
    ).all()
    return set(found)


def next_due(session: Session, now: datetime) -> int | None:
    """The message to send next: urgent ones first, then in the order they were written."""
    return session.exec(
        select(Notification.id)
        .where(Notification.status == NoticeStatus.PENDING, Notification.next_attempt_at <= now)
        .order_by(col(Notification.urgent).desc(), col(Notification.id))
        .limit(1)
    ).first()


def take(session: Session, notification_id: int, sender: str, now: datetime) -> bool:
    """Take the message for this sender; False if another sender took it first."""
    taken = session.execute(
        update(Notification)
        .where(
            col(Notification.id) == notification_id,
            col(Notification.status) == NoticeStatus.PENDING,
        )
        .values(
            status=NoticeStatus.SENDING,
            taken_by=sender,
            taken_at=now,
            attempts=Notification.attempts + 1,
        )
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def being_sent(session: Session) -> Sequence[Notification]:
    return session.exec(
        select(Notification).where(Notification.status == NoticeStatus.SENDING)
    ).all()


def outbox(
    session: Session,
    station_id: int,
    since: datetime,
    status: NoticeStatus | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Notification], int]:
    """A page of the station's messages written since `since`, newest first, and how many
    there are in all."""
    where = [Notification.station_id == station_id, Notification.created_at >= since]
    if status is not None:
        where.append(Notification.status == status)
    total = session.exec(select(func.count()).select_from(Notification).where(*where)).one()
    rows = session.exec(
        select(Notification)
        .where(*where)
        .order_by(col(Notification.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, total


def attempts_of(session: Session, ids: list[int]) -> Sequence[NotificationAttempt]:
    return session.exec(
        select(NotificationAttempt)
        .where(col(NotificationAttempt.notification_id).in_(ids))
        .order_by(col(NotificationAttempt.id))
    ).all()


Person = tuple[Audience, int]


def names_of(session: Session, people: set[Person]) -> dict[Person, str]:
    """Whom messages went to, by name: a volunteer, a user, a client's family contact (with
    the client's name), a station's chat."""
    wanted: dict[Audience, list[int]] = {}
    for audience, person in people:
        wanted.setdefault(audience, []).append(person)
    names: dict[Person, str] = {}
    for volunteer in session.exec(
        select(Volunteer).where(col(Volunteer.id).in_(wanted.get(Audience.VOLUNTEER, [])))
    ):
        names[(Audience.VOLUNTEER, volunteer.id or 0)] = volunteer.name
    for user in session.exec(select(User).where(col(User.id).in_(wanted.get(Audience.STAFF, [])))):
        names[(Audience.STAFF, user.id or 0)] = user.display_name
    for client in session.exec(
        select(Client).where(col(Client.id).in_(wanted.get(Audience.FAMILY, [])))
    ):
        contact = client.emergency_contact_name or "?"
        names[(Audience.FAMILY, client.id or 0)] = f"{contact} ({client.name})"
    for station in session.exec(
        select(Station).where(col(Station.id).in_(wanted.get(Audience.STATION, [])))
    ):
        names[(Audience.STATION, station.id or 0)] = station.name
    return names
