"""Contact preferences and the outbox over HTTP."""

from fastapi import APIRouter

from dispatch.crud.endpoints import record_router
from dispatch.deps import PrincipalDep, SessionDep, preference_service
from dispatch.errors import Forbidden, NotFound
from dispatch.http import error_responses
from dispatch.notifications import service
from dispatch.notifications.schemas import (
    NotificationPublic,
    PreferenceCreate,
    PreferenceFilters,
    PreferencePublic,
    PreferenceUpdate,
)

router = APIRouter(tags=["notifications"])
router.include_router(
    record_router(
        preference_service,
        prefix="/api/contact-preferences",
        label="contact preferences",
        public=PreferencePublic,
        create=PreferenceCreate,
        update=PreferenceUpdate,
        filters=PreferenceFilters,
    )
)


@router.get(
    "/api/stations/{station_id}/notifications",
    response_model=list[NotificationPublic],
    responses=error_responses(Forbidden, NotFound),
)
def outbox(
    station_id: int, session: SessionDep, principal: PrincipalDep, days: int = 7
) -> list[NotificationPublic]:
    """The station's messages of the last `days` days, newest first, each with how its
    sending went (the delivery log)."""
    return service.outbox(session, principal, station_id, days=max(1, min(days, 92)))
