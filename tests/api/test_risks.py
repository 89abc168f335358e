"""Risk signals: clients with repeated no-answers, refusals or holds, or a concern, listed
with the events behind each; one refusal alone is not a signal."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session, select

from models import ServiceSchedule
from models.enums import Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import DAY, plan_day
from tests.builders.records import create_client, create_schedule, create_site, create_station


def test_clients_at_risk_are_listed_with_the_events_behind_them(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=4, volunteers=1)
    doors = day.doors(day.first_route["volunteer_id"])
    me = day.volunteers[day.first_route["volunteer_id"]]
    day.record(api, doors[0], "no_answer", note="第一次敲门无人应")
    day.record(api, doors[0], "no_answer", note="下午再去也无人应")
    day.record(api, doors[1], "delivered", concern=True, note="老人说胸口闷")
    day.record(api, doors[2], "refused")
    schedule = session.exec(
        select(ServiceSchedule).where(ServiceSchedule.client_id == doors[3]["client_id"])
    ).one()
    holds = [
        {"start": "2026-11-10", "end": "2026-11-12", "reason": "住院"},
        {"start": "2026-11-18", "end": "2026-11-19", "reason": "去女儿家"},
    ]
    api.patch(
        f"/api/schedules/{schedule.id}", json={"holds": holds}, headers=day.coordinator.headers
    ).raise_for_status()

    risks = api.get(
        f"/api/stations/{day.station.id}/risks",
        params={"first": "2026-11-01", "last": DAY},
        headers=day.coordinator.headers,
    ).json()
    by_client = {r["client_id"]: r for r in risks}
    assert by_client[doors[0]["client_id"]]["signals"] == {"no_answer": 2}
    assert [e["detail"] for e in by_client[doors[0]["client_id"]]["events"]] == [
        "第一次敲门无人应",
        "下午再去也无人应",
    ]
    assert by_client[doors[1]["client_id"]]["signals"] == {"concern": 1}
    assert by_client[doors[3]["client_id"]]["signals"] == {"hold": 2}
    assert doors[2]["client_id"] not in by_client  # one refusal is not a pattern
    assert (
        api.get(
            f"/api/stations/{day.station.id}/risks",
            params={"first": "2026-11-01", "last": DAY},
            headers=me.headers,
        ).status_code
        == 403
    )

    sign_in(api, day.coordinator.user.username)
    page = api.get(f"/dashboard/{day.station.id}", params={"period": "month", "at": DAY}).text
    assert "需要社工关注的老人" in page
    assert "下午再去也无人应" in page


def test_the_dashboard_of_a_period_not_over_lists_the_four_weeks_up_to_today(
    api: httpx.Client, session: Session
) -> None:
    """On the first of a month the month's dashboard still names the clients of the weeks
    just past: the list ends today, not at the end of a period still to come (shown here
    on a month ahead, whose last four weeks are all to come whatever today is)."""
    station = create_station(session)
    client = create_client(session, station=station, name="近来两次住院")
    schedule = create_schedule(session, client=client, site=create_site(session, station=station))
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    session.commit()
    today = datetime.now(ZoneInfo(station.timezone)).date()
    holds = [
        {"start": str(today - timedelta(days=12)), "end": str(today - timedelta(days=11))},
        {"start": str(today - timedelta(days=3)), "end": str(today - timedelta(days=2))},
    ]
    answer = api.patch(
        f"/api/schedules/{schedule.id}", json={"holds": holds}, headers=coordinator.headers
    )
    assert answer.status_code == 200, answer.text
    sign_in(api, coordinator.user.username)
    ahead = today.replace(day=1) + timedelta(days=62)  # within the month after next
    page = api.get(f"/dashboard/{station.id}", params={"period": "month", "at": str(ahead)})
    assert "近来两次住院" in page.text
    past = today - timedelta(days=60)  # a month over: its own last four weeks
    page = api.get(f"/dashboard/{station.id}", params={"period": "month", "at": str(past)})
    assert "近来两次住院" not in page.text


def test_a_long_list_of_clients_to_look_in_on_shows_the_ten_with_most_signals_and_folds_the_rest(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    site = create_site(session, station=station)
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))
    today = datetime.now(ZoneInfo(station.timezone)).date()
    for n in range(12):
        # Client n is held n + 2 times in the last weeks: the more holds, the higher listed.
        holds = [
            {"start": today - timedelta(days=2 * k + 1), "end": today - timedelta(days=2 * k + 1)}
            for k in range(n + 2)
        ]
        create_schedule(
            session,
            client=create_client(session, station=station, name=f"老人{n:02d}"),
            site=site,
            holds=holds,
        )
    session.commit()
    sign_in(api, coordinator.user.username)
    page = api.get(f"/dashboard/{station.id}", params={"period": "month"}).text
    shown, folded = page.split('<details class="more-risks">')
    listed = re.findall(r"<strong>(老人\d\d)</strong>", shown)
    assert listed == [f"老人{n:02d}" for n in range(11, 1, -1)]  # most holds first
    assert "其余 2 位" in folded
    assert re.findall(r"<strong>(老人\d\d)</strong>", folded) == ["老人01", "老人00"]
    first = re.search(r"<strong>老人11</strong>.*?</tr>", shown, re.S)
    assert first is not None
    assert "<td>13</td>" in first.group(0)  # thirteen holds, in the column of holds
    assert "13 条记录" in first.group(0)
