"""The manager's pages: completion per station and across stations, the alerts and stops
behind each figure, the monthly report, a volunteer's service record, the audit trail."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dispatch.alerts import service as alerts
from dispatch.deps import SessionDep, SettingsDep
from dispatch.errors import DispatchError
from dispatch.reports.completion import Figure, across_stations, completion, stops_behind
from dispatch.reports.history import volunteer_hours
from dispatch.reports.monthly import monthly_report, to_xlsx
from dispatch.reports.risks import risk_signals
from dispatch.services import Services
from dispatch.trail import service as trail
from dispatch.trail.service import TrailQuery
from dispatch.web.i18n import translations
from dispatch.web.kit import PageKit, valid
from dispatch.web.pdf import pdf_of


def build_router(services: Services, kit: PageKit) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/dashboard", response_model=None)
    def dashboard_all(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        period: str = "month",
        at: date | None = None,
    ) -> Response:
        """Every station the user reaches, side by side."""
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        at = at or datetime.now(ZoneInfo(settings.timezone)).date()
        first, last = _period(period, at)
        return kit.render(
            request,
            "dashboard_all.html",
            kit.language(request),
            across=across_stations(session, principal, first, last),
            period=period,
            at=at,
        )

    @router.get("/dashboard/{station_id}", response_model=None)
    def dashboard(
        station_id: int,
        request: Request,
        session: SessionDep,
        period: str = "month",
        at: date | None = None,
    ) -> Response:
        """Completion of a day, week or month, with a chart and every figure opening into
        its stops."""
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        station = services.stations.get(session, principal, station_id)
        at = at or datetime.now(ZoneInfo(station.timezone)).date()
        first, last = _period(period, at)
        figures = completion(session, principal, station_id, first, last)
        # The social worker's list looks at the last four weeks of the period.
        risks = risk_signals(session, principal, station_id, last - timedelta(days=27), last)
        return kit.render(
            request,
            "dashboard.html",
            kit.language(request, station),
            station=station,
            figures=figures,
            period=period,
            at=at,
            earlier=first - timedelta(days=1),
            later=last + timedelta(days=1),
            most=max([d.planned + d.unplanned for d in figures.days] or [1]),
            risks=risks,
        )

    @router.get("/dashboard/{station_id}/alerts", response_model=None)
    def dashboard_alerts(
        station_id: int, request: Request, session: SessionDep, first: date, last: date
    ) -> Response:
        """The alerts behind the dashboard's figure, with their ladders and resolutions."""
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        station = services.stations.get(session, principal, station_id)
        found = alerts.alerts_of(session, principal, station_id, day=first, last=last)
        return kit.render(
            request,
            "dashboard_alerts.html",
            kit.language(request, station),
            station=station,
            alerts=found,
            can_act=False,
            back="",
            day=first,
            first=first,
            last=last,
        )

    @router.get("/dashboard/{station_id}/stops", response_model=None)
    def dashboard_stops(
        station_id: int,
        request: Request,
        session: SessionDep,
        first: date,
        last: date,
        figure: Figure,
        reason: str | None = None,
    ) -> Response:
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        station = services.stations.get(session, principal, station_id)
        rows = stops_behind(session, principal, station_id, first, last, figure, reason)
        return kit.render(
            request,
            "dashboard_stops.html",
            kit.language(request, station),
            station=station,
            rows=rows,
            figure=figure,
            reason=reason,
            first=first,
            last=last,
        )

    @router.get("/reports/{station_id}/{name}", response_model=None)
    def monthly(station_id: int, name: str, request: Request, session: SessionDep) -> Response:
        """The month's service report: as a page, `.pdf` or `.xlsx` (e.g. 2026-11.xlsx), in
        the page language."""
        month, _dot, extension = name.partition(".")
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:
            return HTMLResponse("not found", status_code=404)
        if extension not in ("", "pdf", "xlsx"):
            return HTMLResponse("not found", status_code=404)
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        station = services.stations.get(session, principal, station_id)
        locale = kit.language(request, station)
        report = monthly_report(session, principal, station_id, first)
        filename = f"report-{station.code}-{month}.{extension or 'html'}"
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if extension == "xlsx":
            book = to_xlsx(report, station.name, translations(locale).gettext)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            return Response(book, media_type=kind, headers=disposition)
        html = (
            kit.environment(locale)
            .get_template("monthly.html")
            .render(report=report, station=station, locale=locale)
        )
        if extension == "pdf":
            return Response(pdf_of(html), media_type="application/pdf", headers=disposition)
        return HTMLResponse(html)

    @router.get("/volunteers/{volunteer_id}/{name}", response_model=None)
    def certificate(
        volunteer_id: int,
        name: str,
        request: Request,
        session: SessionDep,
        first: date,
        last: date,
    ) -> Response:
        """A volunteer's service hours over a period, as a page or `certificate.pdf`."""
        if name not in ("certificate", "certificate.pdf"):
            return HTMLResponse("not found", status_code=404)
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        hours = volunteer_hours(session, principal, volunteer_id, first, last)
        volunteer = services.volunteers.get(session, principal, volunteer_id)
        station = services.stations.get(session, principal, volunteer.station_id)
        locale = kit.language(request, station)
        html = (
            kit.environment(locale)
            .get_template("certificate.html")
            .render(hours=hours, station=station, locale=locale)
        )
        if name.endswith(".pdf"):
            return Response(pdf_of(html), media_type="application/pdf")
        return HTMLResponse(html)

    @router.get("/audit", response_model=None)
    def audit_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
        """The audit trail, filtered; exported with the same filters; the chain checked on
        request."""
        principal = kit.signed_in(request, session)
        if principal is None:
            return RedirectResponse("/login", status_code=303)
        ignored = ("verify", "message")
        given = {k: v for k, v in request.query_params.items() if v != "" and k not in ignored}
        try:
            query = valid(TrailQuery, **given)
        except DispatchError as error:
            return RedirectResponse(f"/audit?message={quote(error.message)}", status_code=303)
        found = trail.events(session, principal, query, settings.timezone)
        check = None
        if request.query_params.get("verify"):
            check = trail.verify(session, principal)
        return kit.render(
            request,
            "audit.html",
            kit.language(request),
            page=found,
            query=query,
            filters=given,
            filter_string=urlencode({k: v for k, v in given.items() if k != "page"}),
            timezone=settings.timezone,
            check=check,
            actors=trail.actors(session, principal),
        )

    return router


def _period(period: str, at: date) -> tuple[date, date]:
    """The day, the week (Monday to Sunday) or the month around `at`."""
    if period == "day":
        return at, at
    if period == "week":
        monday = at - timedelta(days=at.weekday())
        return monday, monday + timedelta(days=6)
    first = at.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)
