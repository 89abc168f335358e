"""The audit trail as a page: filtered, exported with the same filters, the chain checked on
request."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dispatch.audit import service as trail
from dispatch.audit.schemas import TrailQuery
from dispatch.audit.sentences import ENTITIES, readable, runs
from dispatch.deps import SessionDep, SettingsDep
from dispatch.errors import DispatchError
from dispatch.i18n import translations
from dispatch.web.kit import PageUserDep, back_with, language, render, said, valid

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_model=None)
def audit_page(
    request: Request, principal: PageUserDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The audit trail, filtered; exported with the same filters; the chain checked on
    request."""
    ignored = ("verify", "message")
    given = {k: v for k, v in request.query_params.items() if v != "" and k not in ignored}
    try:
        query = valid(TrailQuery, **given)
    except DispatchError as error:
        return back_with("/audit", said(request, error))
    found = trail.events(session, principal, query, settings.timezone)
    check = None
    if request.query_params.get("verify"):
        check = trail.verify(session, principal)
    locale = language(request)
    gettext = translations(locale).gettext
    return render(
        request,
        "audit.html",
        locale,
        page=found,
        runs=runs([readable(event, gettext, settings.timezone) for event in found.items]),
        people=trail.people(session, principal),
        entities=ENTITIES,
        query=query,
        filters=given,
        filter_string=urlencode({k: v for k, v in given.items() if k != "page"}),
        timezone=settings.timezone,
        check=check,
        actors=trail.actors(session, principal),
    )
