"""The coordinator's pages. They call the same services as the API; forms post and redirect.

A page needs the session cookie: without it the browser is sent to the login page. Errors of
an action come back to the page as a message instead of a JSON body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
import segno
import xstatic.pkg.leaflet
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup
from pydantic import BaseModel

from dispatch.access import Action, Principal, Resource, allowed
from dispatch.alerts import service as alerts
from dispatch.auth import service as auth_service
from dispatch.deps import SESSION_COOKIE, LimiterDep, SessionDep, SettingsDep, request_token
from dispatch.errors import Conflict, DispatchError, NotAuthenticated, NotFound
from dispatch.myroute.links import issue_link, links_of, revoke_link
from dispatch.myroute.outcomes import record_paper_outcome
from dispatch.myroute.service import route_sheets
from dispatch.myroute.swaps import (
    offer,
    releases_of,
    replan,
)
from dispatch.planning.edits import Edit, LockRoute, MoveStop
from dispatch.planning.sheets import day_sheets
from dispatch.records.service import ListQuery
from dispatch.reports.history import client_history
from dispatch.services import Services
from dispatch.web import manager_pages, records, volunteer_pages
from dispatch.web.forms import LABELS, VIOLATIONS
from dispatch.web.i18n import LOCALES, chosen, translations
from dispatch.web.kit import PageKit, valid
from dispatch.web.pdf import pdf_of
from models import (
    OfferCreate,
    OutcomeCreate,
    PlanningRequest,
    ResolutionCreate,
    RouteLinkCreate,
    Station,
    StationUpdate,
    StepCreate,
)
from models.enums import AlertStatus, LadderStep, Role, TokenKind
from routing.matrix.roads import RoadNetwork

ModelT = TypeVar("ModelT", bound=BaseModel)
LANG_COOKIE = "careroute_lang"
_HERE = Path(__file__).parent
ROUTE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


def mount(app: FastAPI, services: Services) -> None:
    """Add the pages, our static files and the vendored front-end libraries to the app."""
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    # Leaflet comes from its PyPI package (XStatic-Leaflet), never copied into the repo.
    app.mount(
        "/vendor/leaflet",
        StaticFiles(directory=xstatic.pkg.leaflet.BASE_DIR),
        name="leaflet",
    )
    app.include_router(_router(services))


def _environment(locale: str) -> jinja2.Environment:
    return _ENVIRONMENTS[locale]


def _make_environment(locale: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["locales"] = LOCALES
    env.globals["labels"] = LABELS
    env.filters["at"] = _local_time
    env.globals["new_event_id"] = lambda: uuid.uuid4().hex
    return env


def _local_time(moment: datetime | None, timezone: str) -> str:
    """A stored UTC time as the station's wall clock (month-day hour:minute)."""
    return "" if moment is None else moment.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


_ENVIRONMENTS = {locale: _make_environment(locale) for locale in LOCALES}


def _router(services: Services) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def render(request: Request, template: str, locale: str, **values: Any) -> HTMLResponse:
        html = (
            _environment(locale)
            .get_template(template)
            .render(
                request=request,
                locale=locale,
                message=request.query_params.get("message"),
                **values,
            )
        )
        return HTMLResponse(html)

    def signed_in(request: Request, session: SessionDep) -> Principal | None:
        token = request_token(request, None)
        if not token:
            return None
        try:
            return auth_service.principal_for_token(session, token, interface="web")
        except NotAuthenticated:
            return None

    def language(request: Request, station: Station | None = None) -> str:
        default = station.locale if station is not None else "zh-CN"
        return chosen(request.cookies.get(LANG_COOKIE), default)

    @router.get("/", response_model=None)
    def home(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        if principal.role is Role.VOLUNTEER:
            today = datetime.now(ZoneInfo(settings.timezone)).date()
            return RedirectResponse(f"/me/{today}", status_code=303)
        stations = services.stations.list(session, principal, _first_page())
        if not stations.items:
            return RedirectResponse("/docs", status_code=303)
        station = stations.items[0]
        if principal.role is Role.MANAGER:  # managers audit completion; they do not plan
            one = stations.total == 1
            return RedirectResponse(f"/dashboard/{station.id}" if one else "/dashboard", 303)
        today = datetime.now(ZoneInfo(station.timezone)).date()
        return RedirectResponse(f"/days/{station.id}/{today}", status_code=303)

    @router.get("/map/streets.json", response_model=None)
    def streets(request: Request, session: SessionDep) -> Response:
        """The streets of the configured map extract, for maps drawn without tiles."""
        if signed_in(request, session) is None:
            return JSONResponse({"detail": "log in first"}, status_code=401)
        if not isinstance(services.travel, RoadNetwork):
            return JSONResponse({"segments": []})
        segments = services.travel.streets().round(6).tolist()
        return JSONResponse(
            {"segments": segments}, headers={"Cache-Control": "private, max-age=86400"}
        )

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        return render(request, "login.html", language(request))

    @router.post("/login", response_model=None)
    def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        session: SessionDep,
        settings: SettingsDep,
        limiter: LimiterDep,
    ) -> Response:
        address = request.client.host if request.client else "unknown"
        try:
            user = auth_service.authenticate(session, limiter, username, password, address)
        except DispatchError as error:
            return RedirectResponse(f"/login?message={quote(error.message)}", status_code=303)
        token, _row = auth_service.issue_token(
            session, user, TokenKind.SESSION, timedelta(hours=settings.session_hours)
        )
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=settings.session_hours * 3600,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )
        return response

    @router.get("/language/{locale}", response_model=None)
    def switch_language(locale: str, request: Request) -> Response:
        back = request.headers.get("referer") or "/"
        response = RedirectResponse(back, status_code=303)
        if locale in LOCALES:
            response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax")
        return response

    @router.get("/days/{station_id}/{day}", response_model=None)
    def day_page(station_id: int, day: date, request: Request, session: SessionDep) -> Response:
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        station = services.stations.get(session, principal, station_id)
        work = services.days.get(session, principal, station_id, day)
        try:
            plan = services.planning.latest(session, principal, station_id, day)
        except NotFound:
            plan = None
        job = services.planning.last_job(session, principal, station_id, day)
        open_alerts = alerts.alerts_of(session, principal, station_id, status=AlertStatus.OPEN)
        todays = alerts.alerts_of(session, principal, station_id, day=day)
        shown = {alert.id: alert for alert in open_alerts + todays}
        sites = services.sites.list(session, principal, _first_page(station_id)).items
        routes = plan.routes if plan else []
        map_data = {
            "station": [station.lat, station.lon],
            "sites": [[s.lat, s.lon, s.name] for s in sites if s.lat is not None],
            "routes": [
                {
                    "colour": ROUTE_COLOURS[n % len(ROUTE_COLOURS)],
                    "name": route.volunteer_name,
                    "stops": [[s.lat, s.lon, s.client_name] for s in route.stops if s.lat],
                }
                for n, route in enumerate(routes)
            ],
            "unplanned": [[s.lat, s.lon, s.client_name] for s in (plan.unplanned if plan else [])],
            "tiles": request.app.state.settings.map_tiles,
        }
        return render(
            request,
            "day.html",
            language(request, station),
            station=station,
            day=day,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            work=work,
            plan=plan,
            job=job,
            colours=ROUTE_COLOURS,
            map_json=json.dumps(map_data, ensure_ascii=False),
            alerts=sorted(shown.values(), key=lambda a: (a.status != "open", -a.id)),
            links=links_of(session, principal, station_id, day),
            releases=releases_of(session, principal, station_id, day),
            can_act=allowed(principal, Resource.ALERT, Action.UPDATE),
            back=f"/days/{station_id}/{day}",
        )

    def action(
        request: Request, session: SessionDep, back: str, do: Callable[[Principal], object]
    ) -> Response:
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        try:
            do(principal)
        except DispatchError as error:
            session.rollback()
            return RedirectResponse(f"{back}?message={quote(error.message)}", status_code=303)
        return RedirectResponse(back, status_code=303)

    @router.get("/plans/{plan_id}/{sheet}", response_model=None)
    def printable(
        plan_id: int,
        sheet: str,
        request: Request,
        session: SessionDep,
        volunteer: int | None = None,
    ) -> Response:
        """Kitchen and pharmacy sheets, meal labels, or the volunteers' route sheets (all of
        them, or one `volunteer`'s): as a page, or as .pdf."""
        name, _dot, extension = sheet.partition(".")
        if name not in ("sheets", "labels", "routes") or extension not in ("", "pdf"):
            return HTMLResponse("not found", status_code=404)
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        return printout(request, session, principal, plan_id, name, extension, volunteer)

    @router.post("/plans/{plan_id}/routes.pdf", response_model=None)
    def route_sheets_with_links(
        plan_id: int,
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        back: Annotated[str, Form()],
        hours: Annotated[int, Form()] = 12,
        volunteer: Annotated[int | None, Form()] = None,
    ) -> Response:
        """Route sheets whose QR codes are route links: the volunteer scans and sees their
        route without a password, until the links expire (or are revoked)."""
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        try:
            routes = route_sheets(session, principal, plan_id, volunteer)
            if routes.plan_status != "published":
                raise Conflict("route links show the published plan: publish it first")
            links = {}
            for route in routes.routes:
                ask = valid(
                    RouteLinkCreate,
                    volunteer_id=route.volunteer_id,
                    service_date=routes.service_date,
                    hours=hours,
                )
                made = issue_link(session, principal, settings.resolved_secret_key, ask)
                links[route.volunteer_id] = str(request.base_url).rstrip("/") + str(made.url)
        except DispatchError as error:
            session.rollback()
            return RedirectResponse(f"{back}?message={quote(error.message)}", status_code=303)
        return printout(request, session, principal, plan_id, "routes", "pdf", volunteer, links)

    def printout(
        request: Request,
        session: SessionDep,
        principal: Principal,
        plan_id: int,
        name: str,
        extension: str,
        volunteer: int | None,
        links: dict[int, str] | None = None,
    ) -> Response:
        values: dict[str, Any]
        if name == "routes":
            routes = route_sheets(session, principal, plan_id, volunteer)
            station_id, service_date = routes.station_id, routes.service_date
            page = str(request.base_url).rstrip("/") + f"/me/{service_date}"
            values = {
                "routes": routes,
                "qr": {
                    route.volunteer_id: Markup(
                        segno.make(
                            (links or {}).get(route.volunteer_id, page), error="m"
                        ).svg_inline(scale=3)
                    )
                    for route in routes.routes
                },
                "linked": links is not None,
            }
        else:
            sheets = day_sheets(session, principal, plan_id)
            station_id, service_date = sheets.station_id, sheets.service_date
            values = {"sheets": sheets}
        station = services.stations.get(session, principal, station_id)
        locale = language(request, station)
        html = (
            _environment(locale)
            .get_template(f"{name}.html")
            .render(station=station, locale=locale, service_date=service_date, **values)
        )
        if extension == "pdf":
            filename = f"{name}-{service_date}.pdf"
            return Response(
                pdf_of(html),
                media_type="application/pdf",
                headers={"Content-Disposition": f'inline; filename="{filename}"'},
            )
        return HTMLResponse(html)

    @router.post("/days/{station_id}/{day}/generate", response_model=None)
    def generate(station_id: int, day: date, request: Request, session: SessionDep) -> Response:
        return action(
            request,
            session,
            f"/days/{station_id}/{day}",
            lambda who: services.days.generate(session, who, station_id, day),
        )

    @router.post("/days/{station_id}/{day}/plan", response_model=None)
    def plan_day(
        station_id: int,
        day: date,
        request: Request,
        session: SessionDep,
        seconds: Annotated[float, Form()] = 8.0,
    ) -> Response:
        engine = request.app.state.engine
        body = PlanningRequest(time_limit_seconds=seconds)
        return action(
            request,
            session,
            f"/days/{station_id}/{day}",
            lambda who: services.planning.start(session, who, engine, station_id, day, body),
        )

    @router.post("/plans/{plan_id}/publish", response_model=None)
    def publish(
        plan_id: int,
        request: Request,
        session: SessionDep,
        revision: Annotated[int, Form()],
        back: Annotated[str, Form()],
    ) -> Response:
        return action(
            request,
            session,
            back,
            lambda who: services.plan_edits.publish(session, who, plan_id, Edit(revision=revision)),
        )

    @router.post("/plans/{plan_id}/routes/{route_id}/lock", response_model=None)
    def lock(
        plan_id: int,
        route_id: int,
        request: Request,
        session: SessionDep,
        revision: Annotated[int, Form()],
        locked: Annotated[bool, Form()],
        back: Annotated[str, Form()],
    ) -> Response:
        edit = LockRoute(revision=revision, locked=locked)
        return action(
            request,
            session,
            back,
            lambda who: services.plan_edits.lock_route(session, who, plan_id, route_id, edit),
        )

    @router.post("/plans/{plan_id}/stops/{stop_id}/move", response_model=None)
    def move(
        plan_id: int,
        stop_id: int,
        request: Request,
        session: SessionDep,
        revision: Annotated[int, Form()],
        volunteer_id: Annotated[int, Form()],
        back: Annotated[str, Form()],
        position: Annotated[int | None, Form()] = None,
    ) -> Response:
        """Move a stop; its new time and what the new route breaks come back as a message."""
        notes: list[str] = []

        def do(who: Principal) -> None:
            edit = MoveStop(revision=revision, volunteer_id=volunteer_id, position=position)
            _plan, outcome = services.plan_edits.move_stop(session, who, plan_id, stop_id, edit)
            gettext = translations(language(request)).gettext
            notes.append(f"{outcome.eta_before or '–'} → {outcome.eta_after or '–'}")
            kinds = dict.fromkeys(warning.kind for warning in outcome.warnings)
            notes.extend("⚠ " + gettext(VIOLATIONS.get(kind, kind)) for kind in kinds)

        response = action(request, session, back, do)
        if notes and response.headers.get("location") == back:
            return RedirectResponse(f"{back}?message={quote(' · '.join(notes))}", 303)
        return response

    @router.post("/plans/{plan_id}/volunteers/{volunteer_id}/off", response_model=None)
    def volunteer_off(
        plan_id: int,
        volunteer_id: int,
        request: Request,
        session: SessionDep,
        revision: Annotated[int, Form()],
        back: Annotated[str, Form()],
    ) -> Response:
        """Called in sick: off for the day, and the day re-planned at once."""
        engine = request.app.state.engine

        def off_and_replan(who: Principal) -> None:
            plan = services.plan_edits.volunteer_off(
                session, who, plan_id, volunteer_id, Edit(revision=revision)
            )
            session.commit()
            services.planning.start(
                session,
                who,
                engine,
                plan.station_id,
                plan.service_date,
                PlanningRequest(time_limit_seconds=8),
            )

        return action(request, session, back, off_and_replan)

    @router.get("/stations/{station_id}/settings", response_model=None)
    def settings_page(station_id: int, request: Request, session: SessionDep) -> Response:
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        station = services.stations.get(session, principal, station_id)
        return render(request, "settings.html", language(request, station), station=station)

    @router.post("/stations/{station_id}/settings", response_model=None)
    async def save_settings(station_id: int, request: Request, session: SessionDep) -> Response:
        """The station's holidays, proof of delivery and no-answer ladder, from the form: a
        step without minutes is left out of the ladder."""
        form = await request.form()
        ladder = sorted(
            (
                {"step": step.value, "due_minutes": str(form[step.value]).strip()}
                for step in LadderStep
                if str(form.get(step.value, "")).strip()
            ),
            key=lambda rung: int(rung["due_minutes"]) if rung["due_minutes"].isdigit() else 0,
        )
        back = f"/stations/{station_id}/settings"

        def do(who: Principal) -> None:
            update = valid(
                StationUpdate,
                observes_public_holidays="observes_public_holidays" in form,
                proof_of_delivery="proof_of_delivery" in form,
                alert_ladder=ladder,
            )
            services.stations.update(session, who, station_id, update)

        return action(request, session, back, do)

    @router.post("/days/{station_id}/{day}/links", response_model=None)
    def make_link(
        station_id: int,
        day: date,
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        volunteer_id: Annotated[int, Form()],
        hours: Annotated[int, Form()] = 24,
    ) -> Response:
        """A route link to send by message; its address comes back as the page's message."""
        made: list[str] = []

        def do(who: Principal) -> None:
            body = valid(RouteLinkCreate, volunteer_id=volunteer_id, service_date=day, hours=hours)
            link = issue_link(session, who, settings.resolved_secret_key, body)
            made.append(str(request.base_url).rstrip("/") + str(link.url))

        back = f"/days/{station_id}/{day}"
        response = action(request, session, back, do)
        if made:
            return RedirectResponse(f"{back}?message={quote(made[0])}", status_code=303)
        return response

    @router.post("/clients/{client_id}/card", response_model=None)
    def issue_card(client_id: int, request: Request, session: SessionDep) -> Response:
        response = action(
            request,
            session,
            f"/records/clients/{client_id}",
            lambda who: services.clients.issue_card(session, who, client_id),
        )
        if response.headers.get("location") == f"/records/clients/{client_id}":
            return RedirectResponse(f"/clients/{client_id}/card", status_code=303)
        return response

    @router.get("/clients/{client_id}/{card}", response_model=None)
    def card_page(
        client_id: int, card: str, request: Request, session: SessionDep, settings: SettingsDep
    ) -> Response:
        """The client's delivery card: the code and its QR, to print (.pdf) and hand over;
        or their history of deliveries and visits."""
        if card not in ("card", "card.pdf", "history"):
            return HTMLResponse("not found", status_code=404)
        principal = signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        if card == "history":
            history = client_history(session, principal, client_id)
            return render(
                request,
                "history.html",
                language(request),
                history=history,
                timezone=settings.timezone,
            )
        client = services.clients.get(session, principal, client_id)
        station = services.stations.get(session, principal, client.station_id)
        locale = language(request, station)
        qr = segno.make(client.card_code, error="m").svg_inline(scale=6) if client.card_code else ""
        html = (
            _environment(locale)
            .get_template("card.html")
            .render(client=client, station=station, locale=locale, qr=Markup(qr))
        )
        if card.endswith(".pdf"):
            return Response(pdf_of(html), media_type="application/pdf")
        return HTMLResponse(html)

    @router.post("/stops/{stop_id}/paper", response_model=None)
    def paper_outcome(
        stop_id: int,
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        kind: Annotated[str, Form()],
        client_event_id: Annotated[str, Form()],
        back: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
    ) -> Response:
        """An outcome ticked on a paper route sheet. The form carries its own event id, so
        sending it twice stores it once."""

        def do(who: Principal) -> None:
            body = valid(
                OutcomeCreate,
                client_event_id=client_event_id,
                kind=kind,
                note=note,
                recorded_at=datetime.now(ZoneInfo(settings.timezone)),
            )
            record_paper_outcome(session, who, stop_id, body)

        return action(request, session, back, do)

    @router.post("/releases/{release_id}/offer", response_model=None)
    def offer_page(
        release_id: int,
        request: Request,
        session: SessionDep,
        volunteer_id: Annotated[int, Form()],
        back: Annotated[str, Form()],
    ) -> Response:
        body = OfferCreate(volunteer_id=volunteer_id)
        return action(request, session, back, lambda who: offer(session, who, release_id, body))

    @router.post("/releases/{release_id}/replan", response_model=None)
    def replan_page(
        release_id: int, request: Request, session: SessionDep, back: Annotated[str, Form()]
    ) -> Response:
        engine = request.app.state.engine
        return action(
            request,
            session,
            back,
            lambda who: replan(session, who, services.planning, engine, release_id),
        )

    @router.post("/links/{link_id}/revoke", response_model=None)
    def revoke(
        link_id: int, request: Request, session: SessionDep, back: Annotated[str, Form()]
    ) -> Response:
        return action(request, session, back, lambda who: revoke_link(session, who, link_id))

    @router.post("/alerts/{alert_id}/steps", response_model=None)
    def alert_step(
        alert_id: int,
        request: Request,
        session: SessionDep,
        step: Annotated[str, Form()],
        result: Annotated[str, Form()],
        back: Annotated[str, Form()],
    ) -> Response:
        def do(who: Principal) -> None:
            alerts.take_step(session, who, alert_id, valid(StepCreate, step=step, result=result))

        return action(request, session, back, do)

    @router.post("/alerts/{alert_id}/resolve", response_model=None)
    def alert_resolve(
        alert_id: int,
        request: Request,
        session: SessionDep,
        resolution: Annotated[str, Form()],
        back: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
    ) -> Response:
        def do(who: Principal) -> None:
            body = valid(ResolutionCreate, resolution=resolution, note=note)
            alerts.resolve(session, who, alert_id, body)

        return action(request, session, back, do)

    def render_record(request: Request, template: str, **values: Any) -> HTMLResponse:
        return render(request, template, language(request), **values)

    kit = PageKit(
        render=render,
        signed_in=signed_in,
        language=language,
        environment=_environment,
        action=action,
    )
    router.include_router(volunteer_pages.build_router(kit))
    router.include_router(manager_pages.build_router(services, kit))
    router.include_router(records.build_router(services, render_record, signed_in))
    return router


def _first_page(station_id: int | None = None) -> ListQuery:
    return ListQuery(station_id=station_id, page_size=500)
