"""A simulated month of the demo station: the completion figures agree with the raw events
(outcomes, alerts, round marks), per day and in all, and each figure opens into exactly the
stops it counts; the API, the dashboard pages, the monthly report (XLSX, page and PDF, in
Chinese and English), the station overview, the histories and the hours say the same."""

import io
from collections import Counter
from datetime import date, datetime, timedelta
from typing import cast

import httpx
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dispatch.access import system_principal
from dispatch.container import Services
from dispatch.db import for_writing
from dispatch.reports.completion import Figure, completion, stops_behind
from models import Alert, AlertStep, Client, Outcome, Plan, PlanStop, RoundMark, Station, Task, Team
from models.enums import AlertStatus, OutcomeKind, PlanStatus, Role, StopKind
from scripts.demo_station import STATION_CODE, load_demo_station
from scripts.simulate_history import simulate
from tests.builders.accounts import create_account, sign_in
from tests.pdf_checks import embedded_cjk_fonts, pdf_text

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)  # the whole month


def test_completion_figures_agree_with_the_events_of_a_simulated_month(
    engine: Engine, services: Services, api: httpx.Client
) -> None:
    with Session(for_writing(engine), expire_on_commit=False) as session:
        load_demo_station(session, services)
        session.commit()
        station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
        assert station.id is not None
        counts = simulate(session, services, engine, station.id, FIRST, LAST, seconds=1)
        assert counts["days"] >= 20

        figures = completion(session, system_principal("test"), station.id, FIRST, LAST)
        published = session.exec(
            select(Plan.id).where(
                Plan.station_id == station.id, Plan.status == PlanStatus.PUBLISHED
            )
        ).all()
        doors = session.exec(
            select(PlanStop).where(
                col(PlanStop.plan_id).in_(published), PlanStop.kind == StopKind.DOOR
            )
        ).all()
        on_route = {s.task_id for s in doors if s.route_id is not None}
        latest: dict[int, Outcome] = {}
        by_time = select(Outcome).order_by(col(Outcome.recorded_at), col(Outcome.id))
        for outcome in session.exec(by_time).all():
            latest[outcome.task_id] = outcome
        worried = next(o for o in latest.values() if o.concern)  # a volunteer's concern
        worried_client = session.exec(
            select(Task.client_id).where(Task.id == worried.task_id)
        ).one()
        delivered = {t for t in on_route if t in latest and latest[t].kind is OutcomeKind.DELIVERED}
        assert figures.planned == len(on_route)
        assert figures.unplanned == len({s.task_id for s in doors}) - len(on_route)
        assert figures.delivered == len(delivered)
        assert figures.missed == len(on_route) - len(delivered)
        reasons = Counter(
            latest[t].kind.value if t in latest else "no_outcome" for t in on_route - delivered
        )
        assert figures.missed_by_reason == dict(reasons)
        alerts = session.exec(select(Alert).where(Alert.station_id == station.id)).all()
        assert figures.alerts_raised == len(alerts) == counts["alerts"]
        assert figures.alerts_resolved == sum(1 for a in alerts if a.status is AlertStatus.RESOLVED)
        assert figures.alerts_open + figures.alerts_resolved == figures.alerts_raised
        # The coordinator's call is taken minutes after the alert, on the day; only the
        # last day's alerts may still be open.
        for alert in alerts:
            (step,) = session.exec(select(AlertStep).where(AlertStep.alert_id == alert.id))
            assert timedelta(0) < step.done_at - alert.raised_at <= timedelta(minutes=15)
            if alert.status is AlertStatus.RESOLVED:
                assert alert.resolved_at is not None
                assert alert.resolved_at > step.done_at
            else:
                recorded = session.get(Outcome, alert.outcome_id)
                assert recorded is not None
                task = session.get(Task, recorded.task_id)
                assert task is not None
                assert task.service_date == LAST
        assert len(session.exec(select(RoundMark)).all()) > 0
        assert figures.volunteer_hours > 0
        assert figures.delivered > 0
        assert figures.late > 0  # the simulation delivers some late
        assert sum(d.planned for d in figures.days) == figures.planned
        assert sum(d.missed for d in figures.days) == figures.missed
        assert len(figures.days) == counts["days"]
        # By team: the demo's two community teams and village point cover every client.
        teams = {t.id: t.name for t in session.exec(select(Team))}
        team_of = {c.id: c.team_id for c in session.exec(select(Client))}
        assert [row.team_name for row in figures.by_team] == sorted(teams.values())
        for name in ("planned", "delivered", "late", "missed", "unplanned"):
            assert sum(getattr(row, name) for row in figures.by_team) == getattr(figures, name)
        client_of = {t.id: t.client_id for t in session.exec(select(Task))}
        delivered_by_team = Counter(team_of[client_of[t]] for t in delivered)
        assert {row.team_id: row.delivered for row in figures.by_team} == {
            team: delivered_by_team[team] for team in teams
        }
        # One team's figures: its row of the station's, and the stops behind them its own.
        east = figures.by_team[0]
        assert east.team_id is not None
        alone = completion(session, system_principal("test"), station.id, FIRST, LAST, east.team_id)
        assert (alone.planned, alone.delivered, alone.late, alone.missed, alone.unplanned) == (
            east.planned,
            east.delivered,
            east.late,
            east.missed,
            east.unplanned,
        )
        assert alone.by_team == []
        assert 0 < alone.volunteers < figures.volunteers
        assert 0 < alone.volunteer_hours < figures.volunteer_hours
        assert alone.alerts_raised <= figures.alerts_raised
        team_missed = stops_behind(
            session,
            system_principal("test"),
            station.id,
            FIRST,
            LAST,
            "missed",
            team_id=east.team_id,
        )
        assert len(team_missed) == east.missed
        assert {team_of[row.client_id] for row in team_missed} <= {east.team_id}
        names: tuple[Figure, ...] = ("planned", "delivered", "late", "missed", "unplanned")
        for name in names:
            rows = stops_behind(session, system_principal("test"), station.id, FIRST, LAST, name)
            assert len(rows) == getattr(figures, name), name
        for reason, n in figures.missed_by_reason.items():
            rows = stops_behind(
                session, system_principal("test"), station.id, FIRST, LAST, "missed", reason
            )
            assert len(rows) == n

        served = stops_behind(
            session, system_principal("test"), station.id, FIRST, LAST, "delivered"
        )
        manager = create_account(session, role=Role.MANAGER, stations=(station,))
    answer = api.get(
        f"/api/stations/{station.id}/completion",
        params={"first": str(FIRST), "last": str(LAST)},
        headers=manager.headers,
    )
    assert answer.json() == figures.model_dump(mode="json")
    sign_in(api, manager.user.username)
    home = api.get("/")
    assert home.headers["location"] == f"/dashboard/{station.id}"  # a manager's home
    page = api.get(f"/dashboard/{station.id}", params={"period": "month", "at": str(LAST)}).text
    assert f"<b>{figures.delivered}</b>" in page
    assert f"<b>{figures.missed}</b>" in page
    assert page.count("<rect") == 4 * len(figures.days)  # on time, late, missed, not planned
    assert "按团队" in page
    assert all(row.team_name in page for row in figures.by_team)
    # The team columns say what the tiles say ("Planned" was the planning job's "done").
    assert "<th>已安排</th><th>已送达</th><th>迟送</th>" in page
    east_page = api.get(
        f"/dashboard/{station.id}",
        params={"period": "month", "at": str(LAST), "team": str(east.team_id)},
    ).text
    behind_east = f"stops?first={FIRST}&amp;last={LAST}&amp;team={east.team_id}&figure="
    assert f'id="delivered" href="/dashboard/{station.id}/{behind_east}delivered"' in east_page
    assert f"<b>{east.delivered}</b>" in east_page
    assert f'<option value="{east.team_id}" selected>{east.team_name}</option>' in east_page
    behind = api.get(
        f"/dashboard/{station.id}/stops",
        params={"first": str(FIRST), "last": str(LAST), "figure": "missed"},
    ).text
    assert behind.count("<tr>") == figures.missed + 1  # the header row, then one per stop
    span = {"first": str(FIRST), "last": str(LAST)}
    raised = api.get(f"/dashboard/{station.id}/alerts", params=span).text
    assert raised.count('<article class="alert') == figures.alerts_raised
    feed = api.get(
        f"/api/stations/{station.id}/alerts", params={"day": str(FIRST), "last": str(LAST)}
    ).json()
    assert len(feed) == figures.alerts_raised

    # The month's report: the same figures, in Chinese and in English, as XLSX and as PDF.
    for locale, planned_label in (("zh-CN", "已安排任务"), ("en", "Tasks planned")):
        api.cookies.set("careroute_lang", locale)
        book = load_workbook(
            io.BytesIO(api.get(f"/reports/{station.id}/2026-11.xlsx").content), read_only=True
        )
        summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
        assert summary[planned_label] == figures.planned
        assert len(list(book.worksheets[1].iter_rows())) == figures.missed + 1
        assert len(list(book.worksheets[2].iter_rows())) == figures.alerts_raised + 1
        # Missed stops day by day; each alert with when it was raised, on the station's clock.
        missed_rows = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
        assert all(row[3] for row in missed_rows)  # by whom: each missed door's volunteer
        missed_days = [row[0] for row in missed_rows]
        assert all(isinstance(day, datetime) for day in missed_days)
        assert missed_days == sorted(cast(list[datetime], missed_days))
        times = [row[0] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
        alert_times = [moment for moment in times if isinstance(moment, datetime)]
        assert alert_times == sorted(alert_times)
        assert len(alert_times) == figures.alerts_raised
        assert all(FIRST <= moment.date() <= LAST + timedelta(days=1) for moment in alert_times)
        by_team = list(book.worksheets[3].iter_rows(values_only=True))
        assert [row[0] for row in by_team[1:]] == [t.team_name for t in figures.by_team]
        assert [row[2] for row in by_team[1:]] == [t.delivered for t in figures.by_team]
        report = api.get(f"/reports/{station.id}/2026-11").text
        assert f'id="r-delivered">{figures.delivered}<' in report
        assert f'id="r-missed">{figures.missed}<' in report
        assert f'id="r-alerts">{figures.alerts_raised}<' in report
    for locale, title, label in (
        ("en", "Monthly service report", "Delivered"),
        ("zh-CN", "月度服务报告", "已送达"),
    ):
        api.cookies.set("careroute_lang", locale)
        pdf = api.get(f"/reports/{station.id}/2026-11.pdf")
        if pdf.status_code == 503:  # no Pango on this machine
            continue
        text = pdf_text(pdf.content)
        assert title in text
        assert f"{label} {figures.delivered}" in text
        assert embedded_cjk_fonts(pdf.content)

    # One client's file, and each volunteer's hours (which add up to the figures' hours).
    history = api.get(f"/api/clients/{served[0].client_id}/history").json()
    page = api.get(f"/clients/{served[0].client_id}/history").text
    assert page.count("<tr>") == len(history["services"]) + 1
    # A volunteer's concern stands out in the household's history.
    concerns = api.get(f"/clients/{worried_client}/history").text
    assert concerns.count('<strong class="flag">已上报担忧</strong>') >= 1
    assert any(line["outcome"] == "delivered" for line in history["services"])
    assert all(line["volunteer_name"] for line in history["services"] if line["outcome"])
    volunteers = {row.volunteer_id for row in served if row.volunteer_id is not None}
    total = 0.0
    for volunteer_id in volunteers:
        hours = api.get(
            f"/api/volunteers/{volunteer_id}/hours",
            params={"first": str(FIRST), "last": str(LAST)},
        ).json()
        assert sum(day["outcomes"] for day in hours["days"]) > 0
        total += hours["total_hours"]
    assert abs(total - figures.volunteer_hours) <= 0.1 * len(volunteers)

    across = api.get("/api/completion", params={"first": str(FIRST), "last": str(LAST)}).json()
    assert [row["figures"] for row in across["stations"]] == [figures.model_dump(mode="json")]
    assert (across["planned"], across["missed"]) == (figures.planned, figures.missed)
    assert "新街口" in api.get("/dashboard", params={"period": "month", "at": str(LAST)}).text

    first_volunteer = sorted(volunteers)[0]
    certificate = api.get(
        f"/volunteers/{first_volunteer}/certificate",
        params={"first": str(FIRST), "last": str(LAST)},
    )
    assert certificate.status_code == 200
    assert "志愿服务记录" in certificate.text or "Volunteer service record" in certificate.text
