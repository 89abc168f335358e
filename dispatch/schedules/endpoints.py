"""Service schedules over HTTP."""

from fastapi import APIRouter

from dispatch.records.endpoints import record_router
from dispatch.records.service import ListQuery
from dispatch.services import Services
from models import ScheduleCreate, SchedulePublic, ScheduleUpdate
from models.enums import Recurrence, ServiceKind


class ScheduleFilters(ListQuery):
    client_id: int | None = None
    site_id: int | None = None
    kind: ServiceKind | None = None
    recurrence: Recurrence | None = None


def build_router(services: Services) -> APIRouter:
    return record_router(
        services.schedules,
        prefix="/api/schedules",
        label="schedules",
        public=SchedulePublic,
        create=ScheduleCreate,
        update=ScheduleUpdate,
        filters=ScheduleFilters,
    )
