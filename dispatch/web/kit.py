"""What every page shares: the templates in the reader's language, the signed-in user, forms
checked against the API's schemas, actions that come back to their page, and printouts.

Pages call the same services as the API; forms post and redirect. A page needs the session
cookie: without it the browser is sent to the login page. Errors of an action come back to
the page as a message instead of a JSON body.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import jinja2
import xstatic.pkg.leaflet
from babel.dates import format_skeleton
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.auth import service as auth_service
from dispatch.auth.cache import SignedInCache
from dispatch.crud.schemas import ListQuery
from dispatch.deps import (
    FORM_TOKEN_FIELD,
    FORM_TOKEN_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    SessionDep,
    token_of,
)
from dispatch.errors import DispatchError, FormExpired, InvalidInput, NotAuthenticated
from dispatch.http import render_error
from dispatch.i18n import LOCALES, N_, chosen, translations
from dispatch.web.forms import (
    CHOICES,
    GONE_REASONS,
    KIND_LABELS,
    LABELS,
    UNPLANNED_DETAILS,
    UNPLANNED_REASONS,
    input_error,
    skill_name,
)
from dispatch.web.pdf import pdf_of
from models import Station
from models.enums import Role
from models.volunteer import KNOWN_SKILLS

ModelT = TypeVar("ModelT", bound=BaseModel)
mimetypes.add_type("application/manifest+json", ".webmanifest")
LANG_COOKIE = "careroute_lang"
_HERE = Path(__file__).parent


def mount_static(app: FastAPI) -> None:
    """Our static files, and the vendored front-end libraries."""
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    # Browsers ask for /favicon.ico whatever the page says.
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    # The service worker is served from the root: it may then keep pages of the whole site.
    app.add_api_route("/sw.js", _service_worker, include_in_schema=False)
    # Leaflet comes from its PyPI package (XStatic-Leaflet), never copied into the repo.
    app.mount(
        "/vendor/leaflet",
        StaticFiles(directory=xstatic.pkg.leaflet.BASE_DIR),
        name="leaflet",
    )


def _service_worker() -> FileResponse:
    return FileResponse(
        _HERE / "static" / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},  # a new version reaches phones at once
    )


def _favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)


# --- templates in the reader's language ------------------------------------------------------


# Each feature keeps its templates in its own folder; the shared layouts are in web/templates.
_TEMPLATES = [_HERE / "templates"] + [
    folder for folder in sorted(_HERE.parent.glob("*/templates")) if folder.parent != _HERE
]


# Monday first, as the records number them (0 = Monday).
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _make_environment(locale: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["locales"] = LOCALES
    env.globals["labels"] = LABELS
    env.globals["kind_labels"] = KIND_LABELS
    env.globals["choices"] = CHOICES
    env.globals["unplanned_reasons"] = UNPLANNED_REASONS
    env.globals["gone_reasons"] = GONE_REASONS
    env.globals["unplanned_details"] = UNPLANNED_DETAILS
    env.globals["weekday_names"] = [translations(locale).gettext(day) for day in WEEKDAYS]
    env.globals["known_skills"] = KNOWN_SKILLS
    env.filters["at"] = _local_time
    env.filters["day_name"] = lambda day: _day_name(day, locale)
    env.filters["skill_name"] = lambda skill: skill_name(skill, translations(locale).gettext)
    env.globals["new_event_id"] = lambda: uuid.uuid4().hex
    return env


def _day_name(day: date, locale: str) -> str:
    """A date as people say it, with its weekday: 11月24日周二, Tue, Nov 24."""
    return format_skeleton("MMMEd", day, locale=locale.replace("-", "_"))


def _local_time(moment: datetime | None, timezone: str) -> str:
    """A stored UTC time as the station's wall clock (month-day hour:minute)."""
    return "" if moment is None else moment.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


_ENVIRONMENTS = {locale: _make_environment(locale) for locale in LOCALES}


def environment(locale: str) -> jinja2.Environment:
    """The templates, translated into `locale`."""
    return _ENVIRONMENTS[locale]


def language(request: Request, station: Station | None = None) -> str:
    """The page language: the reader's choice, else the station's (the page's, or the
    reader's own first station's), else Chinese."""
    default = station.locale if station is not None else getattr(request.state, "locale", "zh-CN")
    return chosen(request.cookies.get(LANG_COOKIE), default)


def render(request: Request, template: str, locale: str, **values: Any) -> HTMLResponse:
    """A page of the app, with the message an action left for it."""
    html = (
        environment(locale)
        .get_template(template)
        .render(
            request=request,
            locale=locale,
            message=request.query_params.get("message"),
            csrf_token=_form_token(request),
            nav=navigation(request),
            **values,
        )
    )
    return HTMLResponse(html)


def printout(template: str, locale: str, filename: str, as_pdf: bool, **values: Any) -> Response:
    """A sheet to print: a plain page, or a PDF with its fonts embedded."""
    html = environment(locale).get_template(template).render(locale=locale, **values)
    if as_pdf:
        return Response(
            pdf_of(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
    return HTMLResponse(html)


# --- who reads the page -----------------------------------------------------------------------


def _form_token(request: Request) -> str:
    """The token the page's forms and scripts send back with a change ("" before login)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    secret = request.app.state.settings.resolved_secret_key
    return auth_service.form_token(secret, cookie) if cookie else ""


async def form_token_checked(request: Request) -> None:
    """A change a page sends on the strength of the session cookie carries the page's token
    (a form field, or a header from a script); a form of another site cannot."""
    if request.method in SAFE_METHODS or request.headers.get("authorization"):
        return
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return  # nobody signed in: nothing to act as (the login form itself)
    given = request.headers.get(FORM_TOKEN_HEADER)
    if given is None:
        value = (await request.form()).get(FORM_TOKEN_FIELD)
        given = value if isinstance(value, str) else None
    secret = request.app.state.settings.resolved_secret_key
    if not auth_service.form_token_matches(secret, cookie, given):
        raise FormExpired


async def back_to_the_form(request: Request, error: Exception) -> Response:
    """A page's form without its token: back to the page it came from, saying why."""
    assert isinstance(error, FormExpired)
    if request.url.path.startswith("/api/"):
        return await render_error(request, error)
    return back_with(request.headers.get("referer") or "/", said(request, error))


class LoginRequired(Exception):
    """A page was asked for without a valid session: the browser goes to the login page."""


def signed_in(request: Request, session: Session) -> Principal | None:
    """The user of the session cookie, None if nobody is signed in; kept on the request for
    the page's navigation. From this process's cache of who is signed in, as the API's."""
    token = token_of(request, None)
    if not token:
        return None
    cache: SignedInCache = request.app.state.signed_in
    key = auth_service.token_key(token, "web")
    found = cache.get(key)
    if found is None:
        epoch = cache.epoch
        try:
            found = auth_service.signed_in(session, token, interface="web")
        except NotAuthenticated:
            return None
        cache.put(key, found, epoch)
    request.state.principal = found.principal
    request.state.locale = found.locale
    return found.principal


# Each role's sections, the same on every page; the first is where the role starts its day.
_COORDINATOR = (
    ("/", N_("Today")),
    ("/records/clients", N_("Clients")),
    ("/records/volunteers", N_("Volunteers")),
    ("/records/teams", N_("Teams")),
    ("/records/activities", N_("Activities")),
    ("/records/schedules", N_("Schedules")),
    ("/records/availability", N_("Availability")),
    ("/records/closures", N_("Closures")),
    ("/records/menus", N_("Menus")),
    ("/dashboard", N_("Completion")),
    ("/stations/{station}/notifications", N_("Messages")),
    ("/stations/{station}/settings", N_("Station settings")),
    ("/audit", N_("Audit trail")),
)
NAVIGATION = {
    Role.ADMIN: _COORDINATOR,
    Role.COORDINATOR: _COORDINATOR,
    Role.MANAGER: (
        ("/", N_("Completion")),
        ("/records/clients", N_("Clients")),
        ("/records/volunteers", N_("Volunteers")),
        ("/records/schedules", N_("Schedules")),
        ("/audit", N_("Audit trail")),
    ),
    Role.VOLUNTEER: (("/", N_("My route")),),
}


def navigation(request: Request) -> list[tuple[str, str]]:
    """The signed-in reader's sections (none before login)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        return []
    station = min(principal.station_ids, default=None)
    return [
        (path.format(station=station), label)
        for path, label in NAVIGATION[principal.role]
        if station is not None or "{station}" not in path
    ]


def page_principal(request: Request, session: SessionDep) -> Principal:
    principal = signed_in(request, session)
    if principal is None:
        raise LoginRequired
    return principal


PageUserDep = Annotated[Principal, Depends(page_principal)]


async def to_login(_request: Request, _error: Exception) -> Response:
    return RedirectResponse("/login", status_code=303)


# --- forms and actions ------------------------------------------------------------------------


def valid(schema: type[ModelT], **values: Any) -> ModelT:
    """A form's values as the API's schema, or the API's error."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        raise InvalidInput.of(error) from error


def action(
    request: Request, session: Session, back: str, do: Callable[[Principal], object]
) -> Response:
    """Do it as the signed-in user and go back to the page; an error comes back as the
    page's message, and nothing of it is kept."""
    principal = signed_in(request, session)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    try:
        do(principal)
    except DispatchError as error:
        session.rollback()
        return back_with(back, said(request, error))
    return RedirectResponse(own_path(back), status_code=303)


def link_gone(request: Request, error: DispatchError) -> HTMLResponse:
    """The page for a link sent by message that no longer opens (expired, withdrawn, forged),
    with the error's status."""
    html = render(request, "linkgone.html", language(request), reason=said(request, error))
    html.status_code = error.status_code
    return html


def said(request: Request, error: DispatchError) -> str:
    """An error's message in the reader's language: each field's problem under its label."""
    gettext = translations(language(request)).gettext
    if not isinstance(error, InvalidInput):
        return error.words(gettext)
    # A field people know by a label is named; one they do not (a path's "day") is not.
    return "; ".join(
        f"{gettext(LABELS[field])}{gettext(': ')}{input_error(e, gettext)}"
        if (field := str(e["loc"][-1]) if len(e["loc"]) > 1 else "") in LABELS
        else input_error(e, gettext)
        for e in error.errors
    )


def back_with(back: str, message: str) -> RedirectResponse:
    """Back to the page (of this site), with a message to show."""
    page = own_path(back).split("?", 1)[0]
    return RedirectResponse(f"{page}?message={quote(message)}", status_code=303)


def own_path(url: str | None) -> str:
    """The path and query of `url` when it is one of this site's pages, else the home page:
    a redirect never leads elsewhere (a Referer can name any site)."""
    parts = urlsplit(url or "/")
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")


def first_page(station_id: int | None = None) -> ListQuery:
    """Every record a page lists at once (a station's records fit on one page)."""
    return ListQuery(station_id=station_id, page_size=500)
