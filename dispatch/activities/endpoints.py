"""Activities and their invitations (attendance included) over HTTP."""

from fastapi import APIRouter

from dispatch.activities.schemas import (
    ActivityCreate,
    ActivityFilters,
    ActivityPublic,
    ActivityUpdate,
    InvitationCreate,
    InvitationFilters,
    InvitationPublic,
    InvitationUpdate,
)
from dispatch.crud.endpoints import record_router
from dispatch.deps import activity_service, invitation_service

router = APIRouter()
router.include_router(
    record_router(
        activity_service,
        prefix="/api/activities",
        label="activities",
        public=ActivityPublic,
        create=ActivityCreate,
        update=ActivityUpdate,
        filters=ActivityFilters,
    )
)
# An invitation's `attended` is the attendance: set it after the activity (PATCH).
router.include_router(
    record_router(
        invitation_service,
        prefix="/api/invitations",
        label="invitations",
        public=InvitationPublic,
        create=InvitationCreate,
        update=InvitationUpdate,
        filters=InvitationFilters,
    )
)
