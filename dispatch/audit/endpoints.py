"""The audit trail over HTTP: read, filter, export, verify. There is no endpoint that edits
or deletes an event."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from dispatch.audit import service
from dispatch.audit.schemas import AuditEventPublic, ChainCheck, TrailQuery
from dispatch.crud.schemas import Page
from dispatch.deps import PrincipalDep, SessionDep, SettingsDep
from dispatch.errors import Forbidden
from dispatch.http import error_responses

router = APIRouter(tags=["audit trail"])
Query = Annotated[TrailQuery, Depends()]


@router.get(
    "/api/audit",
    response_model=Page[AuditEventPublic],
    responses=error_responses(Forbidden),
)
def trail(
    query: Query, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> Page[AuditEventPublic]:
    """Every change, newest first: who, when, from where, before and after values."""
    return service.events(session, principal, query, settings.timezone)


@router.get(
    "/api/audit/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **error_responses(Forbidden)},
)
def export(
    query: Query, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> Response:
    """The events the filters find, oldest first, as CSV (UTF-8 with BOM, for Excel)."""
    body = service.export_csv(session, principal, query, settings.timezone)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
    )


@router.get("/api/audit/verify", response_model=ChainCheck, responses=error_responses(Forbidden))
def verify(session: SessionDep, principal: PrincipalDep) -> ChainCheck:
    """Check the hash chain: no event edited, removed or slipped in (managers, admins)."""
    report = service.verify(session, principal)
    return ChainCheck(
        intact=report.intact,
        events=report.events,
        chains=report.chains,
        anchors=report.anchors,
        problems=report.problems,
    )
