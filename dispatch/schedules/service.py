"""Service schedules: what each client receives, when, and from which site."""

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, in_scope, require, station_scope
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.errors import InvalidInput, NotFound
from dispatch.i18n import N_
from dispatch.schedules.schemas import ScheduleCreate, ScheduleUpdate
from models import Client, ServiceSchedule, Site
from models.enums import Recurrence, ServiceKind, SiteKind

# Meals come from a kitchen and medicine from a pharmacy; visits start anywhere.
_PICKUP_SITE = {ServiceKind.MEAL: SiteKind.KITCHEN, ServiceKind.MEDICINE: SiteKind.PHARMACY}


class ScheduleService(RecordService[ServiceSchedule, ScheduleCreate, ScheduleUpdate]):
    resource = Resource.SCHEDULE

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(
                ServiceSchedule,
                search_columns=("notes", "external_id"),
                order_by=("client_id", "kind", "start_date", "id"),
            ),
            ScheduleCreate,
        )

    def running(
        self, session: Session, principal: Principal, client_ids: Collection[int], since: date
    ) -> dict[int, list[ServiceSchedule]]:
        """What each of the clients receives from `since` on: their schedules not archived,
        not ended, and for a one-off order not past; a client with none is not a key."""
        require(principal, self.resource, Action.READ)
        rows, _ = self.repository.page(
            session,
            station_ids=station_scope(principal),
            equals={"client_id": frozenset(client_ids)},
            search=None,
            include_archived=False,
            offset=0,
            limit=None,
        )
        found: dict[int, list[ServiceSchedule]] = {}
        for row in rows:
            last = row.start_date if row.recurrence is Recurrence.ONCE else row.end_date
            if last is None or last >= since:
                found.setdefault(row.client_id, []).append(row)
        return found

    def station_of_new(self, session: Session, principal: Principal, data: ScheduleCreate) -> int:
        client = session.get(Client, data.client_id)
        if client is None or not in_scope(principal, Resource.CLIENT, client.station_id, client):
            raise NotFound("client", data.client_id)
        return client.station_id

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        site_id = values.get("site_id")
        if site_id is None:
            return
        site = session.get(Site, site_id)
        if site is None or site.station_id != station_id:
            raise InvalidInput.field(
                "site_id", N_("site %(site)s is not a site of this station"), site=site_id
            )
        if site.archived_at is not None:
            raise InvalidInput.field("site_id", N_("site %(site)s is archived"), site=site.name)
        expected = _PICKUP_SITE.get(ServiceKind(values["kind"]))
        if expected is not None and site.kind != expected:
            raise InvalidInput.field(
                "site_id",
                N_("a %(kind)s is picked up at a %(expected)s, not a %(found)s"),
                kind=str(values["kind"]),
                expected=str(expected),
                found=str(site.kind),
            )
