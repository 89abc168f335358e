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
from models.enums import ClientStatus, Recurrence, ServiceKind, SiteKind

# Meals come from a kitchen and medicine from a pharmacy; visits start anywhere.
_PICKUP_SITE = {ServiceKind.MEAL: SiteKind.KITCHEN, ServiceKind.MEDICINE: SiteKind.PHARMACY}
_clients = RecordRepository(Client)


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

    def runs_from(self, row: ServiceSchedule, day: date) -> bool:
        """Not ended before `day`; a one-off order not past."""
        last = row.start_date if row.recurrence is Recurrence.ONCE else row.end_date
        return last is None or last >= day

    def receiving_nothing(
        self, session: Session, principal: Principal, station_ids: Collection[int], day: date
    ) -> dict[int, list[int]]:
        """The clients in service at each of these stations for whom no schedule runs on or
        after `day`: forgotten when a schedule ended or was never entered. A station with
        none is not a key."""
        require(principal, Resource.CLIENT, Action.READ)
        reached = station_scope(principal)  # only the stations the reader reaches
        asked = frozenset(station_ids)
        clients, _ = _clients.page(
            session,
            station_ids=asked if reached is None else asked & reached,
            equals={"status": ClientStatus.ACTIVE},
            search=None,
            include_archived=False,
            offset=0,
            limit=None,
        )
        ids = [client.id for client in clients if client.id is not None]
        served = self.current_of(session, principal, "client_id", ids, day)
        found: dict[int, list[int]] = {}
        for client in clients:
            if client.id is not None and client.id not in served:
                found.setdefault(client.station_id, []).append(client.id)
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
