"""The monthly service report of a station, for funders and the civil-affairs bureau.

Its figures are the completion figures of the month (dispatch.reports.completion), so the
report, the dashboard and the raw events agree; it adds the clients served by category, the
volunteers' hours and headcount, and the missed deliveries and alerts one by one.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.activities.service import activity_figures
from dispatch.cells import inert_row
from dispatch.i18n import N_
from dispatch.reports import repository
from dispatch.reports.completion import completion, stops_behind
from dispatch.reports.schemas import AlertLine, MonthlyReport, ServedClients
from models.enums import Disability

# Labels of stored values, translated when the report is written.
KINDS = {
    "meal": N_("meal"),
    "medicine": N_("medicine"),
    "visit": N_("visit"),
    "escort_there": N_("escort there"),
    "escort_back": N_("escort home"),
}
OUTCOMES = {
    "delivered": N_("Delivered"),
    "no_answer": N_("No answer"),
    "refused": N_("Refused"),
    "not_home": N_("Not home / in hospital"),
    "unreachable": N_("Could not reach the address"),
    "no_outcome": N_("Nothing recorded"),
}
ALERT_REASONS = {"no_answer": N_("No answer"), "concern": N_("Concern")}
ALERT_STATUS = {"open": N_("open"), "resolved": N_("resolved")}
RESOLUTIONS = {
    "client_safe": N_("Client is safe"),
    "in_hospital": N_("Client is in hospital"),
    "away": N_("Client is away"),
    "emergency_services": N_("Handed to emergency services"),
    "other": N_("Other (say what)"),
}


def age_band_label(band: str, gettext: Callable[[str], str]) -> str:
    """ "Aged 70-79", or that the year of birth is not known."""
    if band == "unknown":
        return gettext("Age unknown")
    return gettext("Aged %(band)s") % {"band": band}


def monthly_report(
    session: Session, principal: Principal, station_id: int, month: date
) -> MonthlyReport:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    figures = completion(session, principal, station_id, first, last)
    delivered = stops_behind(session, principal, station_id, first, last, "delivered")
    missed = stops_behind(session, principal, station_id, first, last, "missed")
    clients = repository.clients(session, {row.client_id for row in delivered})
    ages: dict[str, int] = dict.fromkeys(("<60", "60-69", "70-79", "80-89", "90+", "unknown"), 0)
    for client in clients:
        ages[_age_band(client.birth_year, first.year)] += 1
    task_ids = [
        row.task_id for row in stops_behind(session, principal, station_id, first, last, "planned")
    ]
    alerts = repository.alerts_with_clients(session, station_id, task_ids)
    return MonthlyReport(
        station_id=station_id,
        month=first.strftime("%Y-%m"),
        figures=figures,
        served=ServedClients(
            total=len(clients),
            living_alone=sum(1 for c in clients if c.lives_alone),
            disabled=sum(1 for c in clients if c.disability is not Disability.NONE),
            by_age=ages,
        ),
        missed=missed,
        activities=activity_figures(session, station_id, first, last),
        alerts=[
            AlertLine(
                raised_at=alert.raised_at,
                client_name=client.name,
                reason=alert.reason.value,
                status=alert.status.value,
                resolution=alert.resolution.value if alert.resolution else None,
                minutes_to_resolve=(
                    round((alert.resolved_at - alert.raised_at).total_seconds() / 60, 1)
                    if alert.resolved_at
                    else None
                ),
            )
            for alert, client in alerts
        ],
    )


def _age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return "unknown"
    age = year - birth_year
    if age < 60:
        return "<60"
    if age >= 90:
        return "90+"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def to_xlsx(
    report: MonthlyReport, station_name: str, timezone: str, gettext: Callable[[str], str]
) -> bytes:
    """The report as a workbook: the summary, the missed deliveries, the alerts (raised at
    the station's wall-clock time), and each team's figures."""
    _ = gettext
    f = report.figures
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")
    rows: list[tuple[str, object]] = [
        (_("Station"), station_name),
        (_("Month"), report.month),
        (_("Tasks planned"), f.planned),
        (_("Delivered"), f.delivered),
        (_("Delivered late"), f.late),
        (_("Missed"), f.missed),
        *([(_("Still to come"), f.pending)] if f.pending else []),
        (_("Not planned"), f.unplanned),
        *(
            (_("Delivered: %(kind)s") % {"kind": _(KINDS.get(kind, kind))}, n)
            for kind, n in f.by_kind.items()
        ),
        *(
            (_("Missed: %(reason)s") % {"reason": _(OUTCOMES.get(r, r))}, n)
            for r, n in f.missed_by_reason.items()
        ),
        (_("Clients served"), report.served.total),
        (_("Living alone"), report.served.living_alone),
        (_("With a disability"), report.served.disabled),
        *((age_band_label(band, _), n) for band, n in report.served.by_age.items()),
        (_("Volunteers"), f.volunteers),
        (_("Volunteer hours"), f.volunteer_hours),
        (_("Distance (km)"), f.distance_km),
        (_("Alerts raised"), f.alerts_raised),
        (_("Alerts resolved"), f.alerts_resolved),
        (_("Alerts open"), f.alerts_open),
        (_("Median minutes to resolve"), f.median_minutes_to_resolve),
        (_("Activities held"), report.activities.held),
        (_("Invitations"), report.activities.invited),
        (_("Came"), report.activities.attended),
        (_("Did not come"), report.activities.absent),
        (_("Attendance not taken"), report.activities.not_recorded),
        (_("Needing an escort"), report.activities.needing_escort),
    ]
    for row in rows:
        summary.append(inert_row(list(row)))
    summary.column_dimensions["A"].width = 28
    missed = book.create_sheet(_("Missed"))
    missed.append([_("Day"), _("Client"), _("Service"), _("Volunteer"), _("Outcome")])
    for stop in report.missed:
        outcome = OUTCOMES[stop.outcome or "no_outcome"]
        kind = _(KINDS.get(stop.kind, stop.kind))
        missed.append(
            inert_row([stop.day, stop.client_name, kind, stop.volunteer_name or "", _(outcome)])
        )
    alerts = book.create_sheet(_("Alerts"))
    alerts.append(
        [_("Raised"), _("Client"), _("Reason"), _("Status"), _("Resolution"), _("Minutes")]
    )
    zone = ZoneInfo(timezone)
    for alert in report.alerts:
        alerts.append(
            inert_row(
                [
                    alert.raised_at.astimezone(zone).replace(tzinfo=None),
                    alert.client_name,
                    _(ALERT_REASONS[alert.reason]),
                    _(ALERT_STATUS[alert.status]),
                    _(RESOLUTIONS[alert.resolution]) if alert.resolution else "",
                    alert.minutes_to_resolve,
                ]
            )
        )
    if f.by_team:
        teams = book.create_sheet(_("By team"))
        to_come = [_("Still to come")] if f.pending else []
        head = [_("Team"), _("Planned"), _("Delivered"), _("late"), _("Missed"), *to_come]
        teams.append([*head, _("Not planned")])
        for team in f.by_team:
            teams.append(
                inert_row(
                    [
                        team.team_name or _("No team"),
                        team.planned,
                        team.delivered,
                        team.late,
                        team.missed,
                        *([team.pending] if f.pending else []),
                        team.unplanned,
                    ]
                )
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
