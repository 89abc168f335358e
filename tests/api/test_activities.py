"""Group activities: an activity at a venue, its invitations, the attendance, the month's
report counting them."""

from datetime import UTC, datetime

import httpx
from sqlmodel import Session

from models.enums import Role, SiteKind
from tests.builders.accounts import create_account, sign_in
from tests.builders.records import create_client, create_site, create_station, ident


def test_an_activity_invites_clients_takes_the_attendance_and_counts_in_the_month(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    hall = create_site(session, station=station, kind=SiteKind.VENUE, name="社区活动室")
    clients = [create_client(session, station=station, name=f"老人{n}") for n in range(3)]
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    manager = create_account(session, role=Role.MANAGER, stations=(station,))
    elsewhere = create_station(session, name="别的站")
    stranger = create_client(session, station=elsewhere, name="别站老人")
    session.commit()
    activity = {
        "station_id": ident(station),
        "title": "失独老人月度聚会",
        "kind": "gathering",
        "service_date": "2026-11-20",
        "start_time": "14:00",
        "end_time": "16:00",
        "site_id": ident(hall),
    }
    backwards = api.post(
        "/api/activities", json=activity | {"end_time": "13:00"}, headers=boss.headers
    )
    assert backwards.status_code == 422
    made = api.post("/api/activities", json=activity, headers=boss.headers)
    assert made.status_code == 201, made.text
    activity_id = made.json()["id"]
    invitations = []
    for client, escort in zip(clients, (True, False, False), strict=True):
        answer = api.post(
            "/api/invitations",
            json={
                "station_id": ident(station),
                "activity_id": activity_id,
                "client_id": ident(client),
                "needs_escort": escort,
            },
            headers=boss.headers,
        )
        assert answer.status_code == 201, answer.text
        invitations.append(answer.json())
    twice = api.post(
        "/api/invitations",
        json={
            "station_id": ident(station),
            "activity_id": activity_id,
            "client_id": ident(clients[0]),
        },
        headers=boss.headers,
    )
    assert twice.status_code == 409  # one invitation per client
    other = api.post(
        "/api/invitations",
        json={
            "station_id": ident(station),
            "activity_id": activity_id,
            "client_id": ident(stranger),
        },
        headers=boss.headers,
    )
    assert other.status_code == 422
    assert manager.headers  # managers read, never write
    refused = api.patch(
        f"/api/invitations/{invitations[0]['id']}", json={"attended": True}, headers=manager.headers
    )
    assert refused.status_code == 403

    # After the gathering: two came, one did not.
    for invitation, came in zip(invitations, (True, True, False), strict=True):
        taken = api.patch(
            f"/api/invitations/{invitation['id']}", json={"attended": came}, headers=boss.headers
        )
        assert taken.status_code == 200, taken.text
        noted = datetime.fromisoformat(taken.json()["attendance_noted_at"])
        assert abs((datetime.now(UTC) - noted).total_seconds()) < 60
    listed = api.get(
        "/api/invitations", params={"activity_id": activity_id}, headers=manager.headers
    ).json()
    assert sorted(i["attended"] for i in listed["items"]) == [False, True, True]

    sign_in(api, boss.user.username)
    report = api.get(f"/reports/{ident(station)}/2026-11").text
    assert 'id="r-activities">1<' in report
    assert 'id="r-attended">2<' in report
    page = api.get("/records/activities").text
    assert "失独老人月度聚会" in page
    # Whom and what an invitation names reads as names, not numbers, on the list and the form.
    listed_page = api.get("/records/invitations").text
    assert "老人0" in listed_page
    assert "失独老人月度聚会 · 2026-11-20" in listed_page
    form = api.get("/records/invitations/new").text
    assert f'<option value="{ident(clients[1])}" >老人1</option>' in form
    assert f'<option value="{activity_id}" >失独老人月度聚会 · 2026-11-20</option>' in form
    assert "别站老人" not in form  # another station's client is not within reach
    assert "PydanticUndefined" not in form  # a required field starts empty
    trail = api.get("/api/audit", params={"station_id": ident(station)}, headers=boss.headers)
    assert trail.text.count('"invitation"') >= 6  # three invitations, three attendances
