"""Reports as pages: completion per station and across stations, the alerts and stops behind
each figure, the monthly report, a client's history and a volunteer's service record."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from dispatch.alerts import service as alerts
from dispatch.deps import ServicesDep, SessionDep, SettingsDep, StationsDep, VolunteersDep
from dispatch.i18n import translations
from dispatch.reports.completion import (
    Figure,
    across_stations,
    completion,
    stops_behind,
)
from dispatch.reports.history import client_history, volunteer_hours
from dispatch.reports.monthly import monthly_report, to_xlsx
from dispatch.reports.periods import opening_day, period_around
from dispatch.reports.risks import risk_signals
from dispatch.teams.service import teams_of
from dispatch.web.kit import PageUserDep, environment, language, printout, render
from dispatch.web.pdf import pdf_of

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", response_model=None)
def dashboard_all(
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    settings: SettingsDep,
    services: ServicesDep,
    period: str = "month",
    at: date | None = None,
) -> Response:
    """Every station the user reaches, side by side, and who in each receives nothing."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    at = at or opening_day(today, period)
    first, last = period_around(period, at)
    across = across_stations(session, principal, first, last)
    stations = [row.station_id for row in across.stations]
    return render(
        request,
        "dashboard_all.html",
        language(request),
        across=across,
        nothing=services.schedules.receiving_nothing(session, principal, stations, today),
        period=period,
        at=at,
    )


@router.get("/dashboard/{station_id}", response_model=None)
def dashboard(
    station_id: int,
    request: Request,
    principal: PageUserDep,
    stations: StationsDep,
    session: SessionDep,
    services: ServicesDep,
    period: str = "month",
    at: date | None = None,
    team: int | None = None,
) -> Response:
    """Completion of a day, week or month, with a chart and every figure opening into
    its stops; of the whole station or of one team."""
    station = stations.get(session, principal, station_id)
    today = datetime.now(ZoneInfo(station.timezone)).date()
    at = at or opening_day(today, period)
    first, last = period_around(period, at)
    figures = completion(session, principal, station_id, first, last, team)
    teams = teams_of(session, principal, station_id)
    # The social worker's list looks at the last four weeks of the period, or up to today
    # for a period not over yet (on the 1st, the four weeks before it, not the month ahead).
    until = min(last, today)
    risks = risk_signals(session, principal, station_id, until - timedelta(days=27), until)
    return render(
        request,
        "dashboard.html",
        language(request, station),
        station=station,
        figures=figures,
        period=period,
        at=at,
        earlier=first - timedelta(days=1),
        later=last + timedelta(days=1),
        most=max([d.planned + d.unplanned for d in figures.days] or [1]),
        risks=risks,
        # Now, whatever the period: a client in service with no schedule is forgotten today.
        nothing=services.schedules.receiving_nothing(session, principal, [station_id], today),
        teams=teams,
        team=team,
    )


@router.get("/dashboard/{station_id}/alerts", response_model=None)
def dashboard_alerts(
    station_id: int,
    request: Request,
    principal: PageUserDep,
    stations: StationsDep,
    session: SessionDep,
    first: date,
    last: date,
) -> Response:
    """The alerts behind the dashboard's figure, with their ladders and resolutions."""
    station = stations.get(session, principal, station_id)
    found = alerts.alerts_of(session, principal, station_id, day=first, last=last)
    return render(
        request,
        "dashboard_alerts.html",
        language(request, station),
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
    principal: PageUserDep,
    stations: StationsDep,
    session: SessionDep,
    first: date,
    last: date,
    figure: Figure,
    reason: str | None = None,
    team: int | None = None,
) -> Response:
    station = stations.get(session, principal, station_id)
    rows = stops_behind(session, principal, station_id, first, last, figure, reason, team)
    return render(
        request,
        "dashboard_stops.html",
        language(request, station),
        station=station,
        rows=rows,
        figure=figure,
        reason=reason,
        first=first,
        last=last,
    )


@router.get("/reports/{station_id}/{name}", response_model=None)
def monthly(
    station_id: int,
    name: str,
    request: Request,
    principal: PageUserDep,
    stations: StationsDep,
    session: SessionDep,
) -> Response:
    """The month's service report: as a page, `.pdf` or `.xlsx` (e.g. 2026-11.xlsx), in
    the page language."""
    month, _dot, extension = name.partition(".")
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        return HTMLResponse("not found", status_code=404)
    if extension not in ("", "pdf", "xlsx"):
        return HTMLResponse("not found", status_code=404)
    station = stations.get(session, principal, station_id)
    locale = language(request, station)
    report = monthly_report(session, principal, station_id, first)
    filename = f"report-{station.code}-{month}.{extension or 'html'}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if extension == "xlsx":
        book = to_xlsx(report, station.name, station.timezone, translations(locale).gettext)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(book, media_type=kind, headers=disposition)
    html = (
        environment(locale)
        .get_template("monthly.html")
        .render(report=report, station=station, locale=locale)
    )
    if extension == "pdf":
        return Response(pdf_of(html), media_type="application/pdf", headers=disposition)
    return HTMLResponse(html)


@router.get("/volunteers/{volunteer_id}/certificate", response_model=None)
@router.get("/volunteers/{volunteer_id}/certificate.pdf", response_model=None)
def certificate(
    volunteer_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    stations: StationsDep,
    volunteers: VolunteersDep,
    first: date,
    last: date,
) -> Response:
    """A volunteer's service hours over a period, as a page or `certificate.pdf`."""
    hours = volunteer_hours(session, principal, volunteer_id, first, last)
    volunteer = volunteers.get(session, principal, volunteer_id)
    station = stations.get(session, principal, volunteer.station_id)
    return printout(
        "certificate.html",
        language(request, station),
        f"certificate-{volunteer_id}.pdf",
        request.url.path.endswith(".pdf"),
        hours=hours,
        station=station,
    )


@router.get("/clients/{client_id}/history", response_model=None)
def history_page(
    client_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """A client's deliveries and visits, from their record."""
    history = client_history(session, principal, client_id)
    return render(
        request, "history.html", language(request), history=history, timezone=settings.timezone
    )
