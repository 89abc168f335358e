"""Service schedules over HTTP."""

from dispatch.crud.endpoints import record_router
from dispatch.deps import schedule_service
from dispatch.schedules.schemas import (
    ScheduleCreate,
    ScheduleFilters,
    SchedulePublic,
    ScheduleUpdate,
)

router = record_router(
    schedule_service,
    prefix="/api/schedules",
    label="schedules",
    public=SchedulePublic,
    create=ScheduleCreate,
    update=ScheduleUpdate,
    filters=ScheduleFilters,
)
