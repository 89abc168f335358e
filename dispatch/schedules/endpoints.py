"""Service schedules over HTTP."""

from dispatch.crud.endpoints import record_router
from dispatch.crud.service import ListQuery
from dispatch.deps import schedule_service
from models import ScheduleCreate, SchedulePublic, ScheduleUpdate
from models.enums import Recurrence, ServiceKind


class ScheduleFilters(ListQuery):
    client_id: int | None = None
    site_id: int | None = None
    kind: ServiceKind | None = None
    recurrence: Recurrence | None = None


router = record_router(
    schedule_service,
    prefix="/api/schedules",
    label="schedules",
    public=SchedulePublic,
    create=ScheduleCreate,
    update=ScheduleUpdate,
    filters=ScheduleFilters,
)
