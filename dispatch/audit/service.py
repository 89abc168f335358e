"""The audit trail as people read it: filtered, paged, exported. There is no way to change it
here (or anywhere in the application): events are only appended, by dispatch.audit.chain."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, require, station_scope
from dispatch.audit import chain, repository
from dispatch.audit.schemas import AuditEventPublic, TrailQuery
from dispatch.cells import inert_row
from dispatch.crud.schemas import Page
from dispatch.errors import Forbidden
from dispatch.i18n import N_
from models import AuditEvent, Client, Volunteer
from models.enums import Role


def events(
    session: Session, principal: Principal, query: TrailQuery, timezone: str
) -> Page[AuditEventPublic]:
    """Newest first."""
    require(principal, Resource.AUDIT, Action.READ)
    where = repository.conditions(station_scope(principal), query, timezone)
    total = repository.count(session, where)
    rows = repository.newest_first(session, where, query.page, query.page_size)
    return Page(
        items=_public(session, rows), total=total, page=query.page, page_size=query.page_size
    )


def export_csv(session: Session, principal: Principal, query: TrailQuery, timezone: str) -> str:
    """Every event the query finds, oldest first, as CSV that Excel opens in Chinese too."""
    require(principal, Resource.AUDIT, Action.READ)
    where = repository.conditions(station_scope(principal), query, timezone)
    out = io.StringIO()
    out.write("\ufeff")  # the BOM: Excel then reads UTF-8
    writer = csv.writer(out)
    writer.writerow(
        ["seq", "at", "actor", "interface", "action", "entity", "entity_id", "station_id",
         "client_id", "client", "volunteer_id", "volunteer", "changes", "hash"]
    )  # fmt: skip
    zone = ZoneInfo(timezone)
    for batch in repository.oldest_first(session, where):
        for event in _public(session, batch):
            writer.writerow(
                inert_row(
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
                        event.client_name or "",
                        event.volunteer_id,
                        event.volunteer_name or "",
                        json.dumps(event.changes, ensure_ascii=False, sort_keys=True),
                        event.hash,
                    ]
                )
            )
    return out.getvalue()


def actors(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """The people who made changes the user may read about, for choosing one."""
    require(principal, Resource.AUDIT, Action.READ)
    return repository.actors(session, station_scope(principal))


def verify(session: Session, principal: Principal) -> chain.ChainReport:
    """The chains of the stations the reader may see (every chain, for an admin), whole
    from their start: for managers and admins."""
    require(principal, Resource.AUDIT, Action.READ)
    if principal.role not in (Role.ADMIN, Role.MANAGER):
        raise Forbidden(N_("checking the whole audit trail is for managers and admins"))
    return chain.verify(session, station_scope(principal))


def people(session: Session, principal: Principal) -> dict[str, list[tuple[int, str]]]:
    """The clients and volunteers the user may read about, by name, for choosing one."""
    require(principal, Resource.AUDIT, Action.READ)
    scope = station_scope(principal)
    return {
        "clients": repository.people(session, Client, scope),
        "volunteers": repository.people(session, Volunteer, scope),
    }


def _public(session: Session, rows: Sequence[AuditEvent]) -> list[AuditEventPublic]:
    actors = {row.actor_user_id for row in rows if row.actor_user_id is not None}
    names = repository.display_names(session, actors)
    clients = repository.names_of(session, Client, {r.client_id for r in rows if r.client_id})
    volunteers = repository.names_of(
        session, Volunteer, {r.volunteer_id for r in rows if r.volunteer_id}
    )
    return [
        AuditEventPublic.model_validate(
            row.model_dump()
            | {
                "actor_name": names.get(row.actor_user_id),
                "client_name": clients.get(row.client_id),
                "volunteer_name": volunteers.get(row.volunteer_id),
            }
        )
        for row in rows
    ]
