"""Activities and their invitations: records of the station, checked against its sites and
clients; taking the attendance stamps when it was taken."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from dispatch.access import Principal, Resource
from dispatch.activities import repository
from dispatch.activities.schemas import (
    ActivityCreate,
    ActivityFigures,
    ActivityUpdate,
    InvitationCreate,
    InvitationUpdate,
)
from dispatch.audit import chain
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService, snapshot
from dispatch.errors import InvalidInput
from dispatch.i18n import N_
from models import Activity, Client, Invitation, OutcomeRecord, Site
from models.common import utcnow
from models.enums import OutcomeKind, ServiceKind


class ActivityService(RecordService[Activity, ActivityCreate, ActivityUpdate]):
    resource = Resource.ACTIVITY

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(
                Activity, search_columns=("title", "notes"), order_by=("service_date", "id")
            ),
            ActivityCreate,
        )

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        site = session.get(Site, values["site_id"])
        if site is None or site.station_id != station_id:
            raise InvalidInput.field(
                "site_id",
                N_("site %(site)s is not a site of this station"),
                site=values["site_id"],
            )


class InvitationService(RecordService[Invitation, InvitationCreate, InvitationUpdate]):
    resource = Resource.INVITATION

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(
                Invitation, search_columns=("notes",), order_by=("activity_id", "client_id")
            ),
            InvitationCreate,
        )

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        activity = session.get(Activity, values["activity_id"])
        if activity is None or activity.station_id != station_id:
            raise InvalidInput.field(
                "activity_id",
                N_("activity %(activity)s is not of this station"),
                activity=values["activity_id"],
            )
        client = session.get(Client, values["client_id"])
        if client is None or client.station_id != station_id:
            raise InvalidInput.field(
                "client_id",
                N_("client %(client)s is not a client of this station"),
                client=values["client_id"],
            )

    def prepare(
        self, session: Session, principal: Principal, values: dict[str, Any], changed: set[str]
    ) -> None:
        # Taking the attendance says when it was taken (and clearing it clears that).
        if "attended" in changed:
            values["attendance_noted_at"] = None if values.get("attended") is None else utcnow()


def activity_figures(session: Session, station_id: int, first: date, last: date) -> ActivityFigures:
    """The station's activities held from `first` to `last`, and their invitations."""
    figures = ActivityFigures()
    activities = repository.activities_between(session, station_id, first, last)
    figures.held = len(activities)
    for invitation in repository.invitations_of(session, [a.id for a in activities if a.id]):
        figures.invited += 1
        figures.needing_escort += invitation.needs_escort
        if invitation.attended is None:
            figures.not_recorded += 1
        elif invitation.attended:
            figures.attended += 1
        else:
            figures.absent += 1
    return figures


def note_escorted(
    session: Session,
    principal: Principal,
    task_kind: ServiceKind,
    invitation_id: int | None,
    outcome: OutcomeRecord,
) -> None:
    """A client their escort brought to the activity (the task's invitation) came to it:
    the attendance says so, unless it was taken already."""
    if task_kind is not ServiceKind.ESCORT_THERE or outcome.kind is not OutcomeKind.DELIVERED:
        return
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.attended is not None:
        return
    before = snapshot(invitation)
    invitation.attended, invitation.attendance_noted_at = True, utcnow()
    session.add(invitation)
    chain.record(
        session,
        principal,
        action="escort_attended",
        entity=Resource.INVITATION,
        entity_id=invitation.id,
        station_id=invitation.station_id,
        changes=chain.diff(before, snapshot(invitation)),
        client_id=invitation.client_id,
    )
