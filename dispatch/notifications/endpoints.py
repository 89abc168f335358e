"""Contact preferences and the outbox over HTTP."""

from typing import Annotated

from fastapi import APIRouter, Query

from dispatch.crud.endpoints import record_router
from dispatch.crud.schemas import Page
from dispatch.deps import PrincipalDep, SessionDep, preference_service
from dispatch.errors import Forbidden, NotFound
from dispatch.http import error_responses
from dispatch.notifications import service
from dispatch.notifications.schemas import (
    NotificationPublic,
    OutboxQuery,
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
    response_model=Page[NotificationPublic],
    responses=error_responses(Forbidden, NotFound),
)
def outbox(
    station_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    query: Annotated[OutboxQuery, Query()],
) -> Page[NotificationPublic]:
    """A page of the station's messages of the last `days` days (of one `status`, or all),
    newest first, each with how its sending went (the delivery log)."""
    return service.outbox(session, principal, station_id, query)
