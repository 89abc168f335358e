"""Stations: created and archived by admins, kept up to date by their coordinators."""

from typing import Any

from sqlmodel import Session

from dispatch.access import Principal, Resource
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.errors import Conflict
from dispatch.i18n import N_
from dispatch.notifications import repository as notification_store
from dispatch.stations.schemas import StationCreate, StationUpdate
from models import Station


class StationService(RecordService[Station, StationCreate, StationUpdate]):
    resource = Resource.STATION

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(Station, station_column="id", search_columns=("name", "code")),
            StationCreate,
        )

    def station_of_new(self, session: Session, principal: Principal, data: StationCreate) -> None:
        return None

    def update(
        self, session: Session, principal: Principal, row_id: int, data: StationUpdate
    ) -> Station:
        ladder = list(self.get(session, principal, row_id).alert_ladder)
        station = super().update(session, principal, row_id, data)
        if station.alert_ladder != ladder:
            # Its open alerts' next steps were found with the old one.
            notification_store.rewind_open_alerts(session, row_id)
        return station

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        if "code" in values:
            same_code = self.repository.find(session, code=values["code"])
            if any(row.id != values.get("id") for row in same_code):
                raise Conflict(N_("the station code “%(code)s” is taken"), code=values["code"])
