"""The station's settings page: holidays, proof of delivery and the no-answer ladder, saved
through the station service; a bad ladder is refused with the reason and changes nothing."""

from urllib.parse import unquote

import httpx
from sqlmodel import Session

from models import Station
from models.enums import Role
from tests.builders.accounts import create_account, create_user, sign_in
from tests.builders.records import create_station, create_volunteer, ident


def test_a_coordinator_sets_proof_of_delivery_and_the_ladder(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    url = f"/stations/{ident(station)}/settings"
    page = api.get(url).text
    assert "致电紧急联系人" in page  # the ladder's steps, in the station's language

    saved = api.post(
        url,
        data={"proof_of_delivery": "on", "emergency_services": "60", "call_client": "5"},
    )
    assert saved.status_code == 303
    assert "message" not in saved.headers["location"]
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert row.proof_of_delivery is True
    assert row.observes_public_holidays is False  # unticked
    assert [(r.step.value, r.due_minutes) for r in row.alert_ladder] == [
        ("call_client", 5),
        ("emergency_services", 60),
    ]

    refused = api.post(url, data={"call_client": "-3"})
    assert "message=" in refused.headers["location"]
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert len(row.alert_ladder) == 2  # nothing changed


def test_a_coordinator_sets_the_hot_meal_limit_within_sensible_bounds(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    url = f"/stations/{ident(station)}/settings"
    assert 'name="hot_meal_minutes" min="10" max="240" required value="45"' in api.get(url).text

    saved = api.post(url, data={"hot_meal_minutes": "30", "call_client": "10"})
    assert "message" not in saved.headers["location"]
    refused = api.post(url, data={"hot_meal_minutes": "5", "call_client": "10"})
    assert "热餐送达时限（分钟）：不能小于 10" in unquote(refused.headers["location"])
    session.expire_all()
    row = session.get(Station, ident(station))
    assert row is not None
    assert row.hot_meal_minutes == 30


def test_only_whom_may_change_the_settings_gets_their_form(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    url = f"/stations/{ident(station)}/settings"
    person = create_volunteer(session, station=station)
    for reader in (
        create_account(session, role=Role.VOLUNTEER, volunteer=person).user,
        create_user(session, role=Role.MANAGER, stations=(station,)),
    ):
        api.cookies.clear()
        sign_in(api, reader.username)
        assert api.get(url).status_code == 403
