"""Route links sent by message: a volunteer's route of one day without a password, signed,
expiring, revocable; the link reaches that route's stops and nothing else."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session, select

from models import AuditEvent, Outcome, RouteLink
from models.enums import Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import DAY, plan_day, planned
from tests.builders.records import create_station
from tests.conftest import RunningServer


def test_a_route_link_opens_one_route_for_a_day_until_it_expires_or_is_revoked(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    day = plan_day(api, session, clients=10, volunteers=2)
    assert len(day.plan["routes"]) == 2, "the builder's day needs both volunteers"
    mine, other = (route["volunteer_id"] for route in day.plan["routes"][:2])
    boss = day.coordinator
    ask = {"volunteer_id": mine, "service_date": DAY, "hours": 12}
    volunteer = day.volunteers[mine]
    assert api.post("/api/route-links", json=ask, headers=volunteer.headers).status_code == 403
    elsewhere = create_account(session, role=Role.COORDINATOR, stations=(create_station(session),))
    assert api.post("/api/route-links", json=ask, headers=elsewhere.headers).status_code == 404
    made = api.post("/api/route-links", json=ask, headers=boss.headers)
    assert made.status_code == 201
    url = made.json()["url"]
    assert url.startswith(f"{server.url}/r/")
    token = url.rsplit("/", 1)[1]

    with httpx.Client(base_url=server.url) as stranger:  # no login at all
        route = stranger.get(f"/r/{token}/api/route").json()
        assert [s["stop_id"] for s in route["stops"]] == [s["id"] for s in day.doors(mine)]
        page = stranger.get(f"/r/{token}")
        assert page.status_code == 200
        assert day.doors(mine)[0]["client_name"] in page.text
        assert f'data-api="/r/{token}/api"' in page.text

        def record(stop_id: int) -> httpx.Response:
            body = {
                "client_event_id": uuid.uuid4().hex,
                "kind": "delivered",
                "recorded_at": datetime.now(UTC).isoformat(),
            }
            return stranger.post(f"/r/{token}/api/stops/{stop_id}/outcomes", json=body)

        assert record(day.doors(mine)[0]["id"]).status_code == 201
        unreadable = stranger.post(
            f"/r/{token}/api/stops/{day.doors(mine)[1]['id']}/outcomes",
            json={"kind": "delivered"},
        )
        assert unreadable.status_code == 422  # the same answer as to a phone with an account
        assert {tuple(p["loc"]) for p in unreadable.json()["detail"]} == {
            ("body", "client_event_id"),
            ("body", "recorded_at"),
        }
        assert record(day.doors(other)[0]["id"]).status_code == 404  # not this link's route
        assert stranger.get(f"/r/{token[:-2]}xx/api/route").status_code == 404  # forged
        assert stranger.get("/api/me/days", params={"since": DAY}).status_code == 401

        links = api.get(
            f"/api/stations/{day.station.id}/route-links", params={"day": DAY}, headers=boss.headers
        ).json()
        assert [(link["volunteer_id"], link["revoked_at"]) for link in links] == [(mine, None)]
        api.post(
            f"/api/route-links/{links[0]['id']}/revoke", headers=boss.headers
        ).raise_for_status()
        assert stranger.get(f"/r/{token}/api/route").status_code == 410
        gone = stranger.get(f"/r/{token}")
        assert gone.status_code == 410
        assert "no longer works" in gone.text or "不再有效" in gone.text

        again = api.post("/api/route-links", json=ask | {"hours": 1}, headers=boss.headers).json()
        fresh = again["url"].rsplit("/", 1)[1]
        assert stranger.get(f"/r/{fresh}/api/route").status_code == 200
        row = session.get(RouteLink, again["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(row)
        session.commit()
        assert stranger.get(f"/r/{fresh}/api/route").status_code == 410

    session.rollback()
    stored = session.exec(select(Outcome).where(Outcome.volunteer_id == mine)).all()
    assert len(stored) == 1
    interfaces = session.exec(
        select(AuditEvent.interface).where(AuditEvent.entity == "outcome")
    ).all()
    assert interfaces == [f"route link {links[0]['id']}"]


def test_route_sheets_can_carry_route_links_in_their_qr_codes(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    draft = plan_day(api, session, clients=4, volunteers=1, publish=False)
    office = httpx.Client(base_url=server.url, timeout=60)
    sign_in(office, draft.coordinator.user.username)
    back = f"/days/{draft.station.id}/{DAY}"
    refused = office.post(f"/plans/{draft.plan['id']}/routes.pdf", data={"back": back})
    assert "message=" in refused.headers["location"]  # a draft: publish first
    published = api.post(
        f"/api/plans/{draft.plan['id']}/publish",
        json={"revision": draft.plan["revision"]},
        headers=draft.coordinator.headers,
    ).json()
    sheets = office.post(f"/plans/{published['id']}/routes.pdf", data={"back": back, "hours": "6"})
    assert sheets.status_code in (200, 503)  # 503: no Pango for PDFs on this machine
    links = api.get(
        f"/api/stations/{draft.station.id}/route-links",
        params={"day": DAY},
        headers=draft.coordinator.headers,
    ).json()
    if sheets.status_code == 200:
        assert sheets.headers["content-type"] == "application/pdf"
        assert len(links) == len(published["routes"])
    office.close()


def test_a_route_link_stops_working_when_its_volunteer_is_archived(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    day = plan_day(api, session, clients=3, volunteers=1)
    mine = day.first_route["volunteer_id"]
    ask = {"volunteer_id": mine, "service_date": DAY, "hours": 12}
    made = api.post("/api/route-links", json=ask, headers=day.coordinator.headers)
    token = made.json()["url"].rsplit("/", 1)[1]
    with httpx.Client(base_url=server.url) as stranger:
        assert stranger.get(f"/r/{token}/api/route").status_code == 200
        archived = api.post(f"/api/volunteers/{mine}/archive", headers=day.coordinator.headers)
        assert archived.status_code == 200
        gone = stranger.get(f"/r/{token}/api/route")
        assert gone.status_code == 410
        assert "no longer" in gone.json()["detail"]
        assert stranger.get(f"/r/{token}").status_code == 410


def test_a_route_link_dies_when_its_route_passes_to_someone_else(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    """Every stop of the link's route moved to another volunteer and the day published
    again: the link, which acted for the first volunteer, shows nothing more."""
    day = plan_day(api, session, clients=10, volunteers=2)
    assert len(day.plan["routes"]) == 2, "the builder's day needs both volunteers"
    mine, other = (route["volunteer_id"] for route in day.plan["routes"][:2])
    boss = day.coordinator.headers
    ask = {"volunteer_id": mine, "service_date": DAY, "hours": 12}
    token = api.post("/api/route-links", json=ask, headers=boss).json()["url"].rsplit("/", 1)[1]
    with httpx.Client(base_url=server.url) as stranger:
        assert stranger.get(f"/r/{token}/api/route").status_code == 200
        plan = planned(api, f"/api/stations/{day.station.id}/days/{DAY}", boss)  # a new draft
        mine_now = next(r for r in plan["routes"] if r["volunteer_id"] == mine)
        for door in [s for s in mine_now["stops"] if s["kind"] == "door"]:
            moved = api.post(
                f"/api/plans/{plan['id']}/stops/{door['id']}/move",
                json={"revision": plan["revision"], "volunteer_id": other},
                headers=boss,
            )
            assert moved.status_code == 200, moved.text
            plan = moved.json()["plan"]
        assert [r["volunteer_id"] for r in plan["routes"] if r["stops"]] == [other]
        published = api.post(
            f"/api/plans/{plan['id']}/publish", json={"revision": plan["revision"]}, headers=boss
        )
        assert published.status_code == 200, published.text
        gone = stranger.get(f"/r/{token}/api/route")
        assert gone.status_code == 410
        assert "no longer yours" in gone.json()["detail"]
