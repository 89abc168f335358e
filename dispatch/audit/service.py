"""The audit trail as people read it: filtered, paged, exported. There is no way to change it
here (or anywhere in the application): events are only appended, by dispatch.audit."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from dispatch.access import Action, Principal, Resource, require, station_scope
from dispatch.audit import chain
from dispatch.errors import Forbidden
from models import AuditEvent, AuditEventPublic, Page, User
from models.enums import Role


class TrailQuery(BaseModel):
    since: date | None = None  # days in the station's time zone, both ends included
    until: date | None = None
    station_id: int | None = None
    actor_user_id: int | None = None  # who made the change
    entity: str | None = Field(default=None, max_length=40)  # what kind of record
    entity_id: int | None = None
    client_id: int | None = None  # events about this client
    volunteer_id: int | None = None  # events about this volunteer
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=500)


def events(
    session: Session, principal: Principal, query: TrailQuery, timezone: str
) -> Page[AuditEventPublic]:
    """Newest first."""
    require(principal, Resource.AUDIT, Action.READ)
    conditions = _conditions(principal, query, timezone)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.seq).desc(), col(AuditEvent.id).desc())
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    return Page(
        items=_public(session, rows), total=total, page=query.page, page_size=query.page_size
    )


def export_csv(session: Session, principal: Principal, query: TrailQuery, timezone: str) -> str:
    """Every event the query finds, oldest first, as CSV that Excel opens in Chinese too."""
    require(principal, Resource.AUDIT, Action.READ)
    conditions = _conditions(principal, query, timezone)
    out = io.StringIO()
    out.write("\\ufeff")  # the BOM: Excel then reads UTF-8
    writer = csv.writer(out)
    writer.writerow(
        ["seq", "at", "actor", "interface", "action", "entity", "entity_id", "station_id",
         "client_id", "volunteer_id", "changes", "hash"]
    )  # fmt: skip
    zone = ZoneInfo(timezone)
    for batch in _batches(session, conditions):
        for event in _public(session, batch):
            writer.writerow(
                [
                    event.seq,
                    event.at.astimezone(zone).isoformat(timespec="seconds"),
                    event.actor_name or "",
                    event.interface,
                    event.action,
                    event.entity,
                    event.entity_id,
                    event.station_id,
                    event.client_id,
                    event.volunteer_id,
                    json.dumps(event.changes, ensure_ascii=False, sort_keys=True),
                    event.hash,
                ]
            )
    return out.getvalue()


def actors(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """The people who made changes the user may read about, for choosing one."""
    require(principal, Resource.AUDIT, Action.READ)
    scope = station_scope(principal)
    query = (
        select(User.id, User.display_name)
        .join(AuditEvent, col(AuditEvent.actor_user_id) == User.id)
        .distinct()
        .order_by(col(User.display_name))
    )
    if scope is not None:
        query = query.where(col(AuditEvent.station_id).in_(scope))
    return [(user_id, name) for user_id, name in session.exec(query).all() if user_id is not None]


def verify(session: Session, principal: Principal) -> chain.ChainReport:
    """The whole chain is checked (an edit anywhere breaks it), so only admins and managers."""
    require(principal, Resource.AUDIT, Action.READ)
    if principal.role not in (Role.ADMIN, Role.MANAGER):
        raise Forbidden("checking the whole audit trail is for managers and admins")
    return chain.verify(session)


def _conditions(
    principal: Principal, query: TrailQuery, timezone: str
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    scope = station_scope(principal)
    if scope is not None:  # events of no station (accounts, logins) are for admins
        conditions.append(col(AuditEvent.station_id).in_(scope))
    zone = ZoneInfo(timezone)
    if query.since is not None:
        conditions.append(col(AuditEvent.at) >= datetime.combine(query.since, time(), zone))
    if query.until is not None:
        end = datetime.combine(query.until + timedelta(days=1), time(), zone)
        conditions.append(col(AuditEvent.at) < end)
    for field in (
        "station_id",
        "actor_user_id",
        "entity",
        "entity_id",
        "client_id",
        "volunteer_id",
    ):
        value = getattr(query, field)
        if value is not None:
            conditions.append(getattr(AuditEvent, field) == value)
    return conditions


def _batches(
    session: Session, conditions: list[ColumnElement[bool]], size: int = 1000
) -> Iterator[list[AuditEvent]]:
    after = 0
    while True:
        rows = list(
            session.exec(
                select(AuditEvent)
                .where(*conditions, col(AuditEvent.seq) > after)
                .order_by(col(AuditEvent.seq))
                .limit(size)
            ).all()
        )
        if not rows:
            return
        yield rows
        after = rows[-1].seq or after


def _public(session: Session, rows: Sequence[AuditEvent]) -> list[AuditEventPublic]:
    actors = {row.actor_user_id for row in rows if row.actor_user_id is not None}
    names = {
        user.id: user.display_name
        for user in session.exec(select(User).where(col(User.id).in_(actors))).all()
    }
    return [
        AuditEventPublic.model_validate(
            row.model_dump() | {"actor_name": names.get(row.actor_user_id)}
        )
        for row in rows
    ]
