"""A door that said nothing good last time (nobody opened, not home, refused) is flagged on
its next volunteer's route, on the phone and on the paper sheet, so they call before climbing
the stairs; a delivery since, or a coordinator who heard the client is home, clears it."""

from datetime import date, timedelta

import httpx
from sqlmodel import Session

from tests.builders.accounts import browser
from tests.builders.days import DAY, outcome, plan_day, planned, published
from tests.conftest import RunningServer

NEXT_WEEK = str(date.fromisoformat(DAY) + timedelta(days=7))


def test_the_next_route_says_what_the_door_said_last_time(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    day = plan_day(api, session, clients=4, volunteers=1)
    volunteer = day.first_route["volunteer_id"]
    doors = day.doors(volunteer)
    names = {door["client_id"]: door["client_name"] for door in doors}
    day.record(api, doors[0], "not_home")
    day.record(api, doors[1], "refused")
    day.record(api, doors[2], "no_answer")
    day.record(api, doors[2], "delivered")  # corrected: the last word stands
    day.record(api, doors[3], "delivered")
    station = f"/api/stations/{day.station.id}"
    boss = day.coordinator.headers
    # The coordinator heard the one who refused is home and fine.
    office = browser(server.url, day.coordinator.user.username)
    answered = office.post(
        f"/clients/{doors[1]['client_id']}/home", data={"said_on": DAY, "back": "/"}
    )
    assert "message" not in answered.headers["location"]

    api.post(f"{station}/days/{NEXT_WEEK}/generate", headers=boss).raise_for_status()
    plan = published(api, planned(api, f"{station}/days/{NEXT_WEEK}", boss), boss)

    me = day.volunteers[volunteer].headers
    route = api.get(f"/api/me/routes/{NEXT_WEEK}", headers=me).json()
    flagged = {
        stop["client_name"]: stop["missed_last"] for stop in route["stops"] if stop["missed_last"]
    }
    assert flagged == {
        names[doors[0]["client_id"]]: {"service_date": DAY, "outcome": "not_home"}
    }, flagged

    phone = browser(server.url, day.volunteers[volunteer].user.username)
    page = phone.get(f"/me/{NEXT_WEEK}").text
    assert page.count('class="missed"') == 1
    assert "上次（11-24）：不在家/住院。上楼前先打个电话。" in page
    sheet = office.get(f"/plans/{plan['id']}/routes").text
    assert sheet.count("上次（11-24）：不在家/住院。上楼前先打个电话。") == 1

    # Once the door is answered that day, the phone no longer says it.
    stop = next(s for s in route["stops"] if s["client_name"] == names[doors[0]["client_id"]])
    api.post(
        f"/api/me/stops/{stop['stop_id']}/outcomes",
        json=outcome("delivered"),
        headers=me,
    ).raise_for_status()
    assert 'class="missed"' not in phone.get(f"/me/{NEXT_WEEK}").text
