"""Logging in, sessions, bearer tokens, logout and the login rate limit."""

import httpx
import pytest
from sqlmodel import Session

from dispatch.auth.ratelimit import LoginLimiter
from models.enums import Role
from tests.builders.accounts import PASSWORD, create_user, form_token_of
from tests.builders.records import create_station, ident


def test_browser_login_sets_a_session_cookie_that_works_until_logout(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    create_user(session, role=Role.MANAGER, stations=(station,), username="zhou")

    login = api.post("/api/auth/login", json={"username": "zhou", "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert "careroute_session" in login.cookies
    assert "httponly" in login.headers["set-cookie"].lower()
    me = api.get("/api/auth/me")  # the client keeps the cookie, no header needed
    assert me.json()["username"] == "zhou"
    assert me.json()["station_ids"] == [ident(station)]
    assert api.get("/api/stations").json()["total"] == 1

    refused = api.post("/api/auth/logout")  # a change on the cookie alone: could be forged
    assert (refused.status_code, refused.json()["code"]) == (403, "form_token")
    token = form_token_of(api)
    assert api.post("/api/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    api.cookies.set("careroute_session", login.cookies["careroute_session"])
    assert api.get("/api/auth/me").status_code == 401  # the token was revoked, not just forgotten


def test_api_client_gets_a_bearer_token(api: httpx.Client, session: Session) -> None:
    create_user(session, role=Role.ADMIN, username="root")

    response = api.post("/api/auth/token", data={"username": "root", "password": PASSWORD})

    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = api.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "admin"


def test_the_api_description_declares_the_bearer_token_where_one_is_needed(
    api: httpx.Client,
) -> None:
    """What /docs' "Authorize" button relies on."""
    schema = api.get("/openapi.json").json()
    flows = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert flows["password"]["tokenUrl"] == "/api/auth/token"
    bearer: list[dict[str, list[str]]] = [{"OAuth2PasswordBearer": []}]
    assert schema["paths"]["/api/me/stops/{stop_id}/outcomes"]["post"]["security"] == bearer
    assert schema["paths"]["/api/auth/me"]["get"]["security"] == bearer
    assert "security" not in schema["paths"]["/livez"]["get"]
    assert "security" not in schema["paths"]["/api/auth/token"]["post"]


def test_wrong_password_and_unknown_user_get_the_same_answer(
    api: httpx.Client, session: Session
) -> None:
    create_user(session, role=Role.ADMIN, username="root")

    wrong = api.post("/api/auth/login", json={"username": "root", "password": "nope nope nope"})
    unknown = api.post("/api/auth/login", json={"username": "ghost", "password": PASSWORD})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_failed_logins_are_rate_limited(api: httpx.Client, session: Session) -> None:
    create_user(session, role=Role.ADMIN, username="root")
    statuses = [
        api.post(
            "/api/auth/login", json={"username": "root", "password": "wrong password"}
        ).status_code
        for _ in range(6)
    ]
    right_password = api.post("/api/auth/login", json={"username": "root", "password": PASSWORD})

    assert statuses == [401] * 5 + [429]
    assert right_password.status_code == 429  # locked out for the minute, even when right
    assert "wait a minute" in right_password.json()["detail"]


def test_archived_account_cannot_log_in_and_loses_its_sessions(
    api: httpx.Client, session: Session
) -> None:
    create_user(session, role=Role.ADMIN, username="root")
    leaving = create_user(session, role=Role.MANAGER, username="leaving")
    admin_token = api.post(
        "/api/auth/token", data={"username": "root", "password": PASSWORD}
    ).json()["access_token"]
    leaving_token = api.post(
        "/api/auth/token", data={"username": "leaving", "password": PASSWORD}
    ).json()["access_token"]
    # Known to this server (kept a few seconds): archiving still ends it at once.
    seen = api.get("/api/auth/me", headers={"Authorization": f"Bearer {leaving_token}"})
    assert seen.json()["username"] == "leaving"

    archived = api.post(
        f"/api/users/{ident(leaving)}/archive", headers={"Authorization": f"Bearer {admin_token}"}
    )

    assert archived.status_code == 200
    assert (
        api.get("/api/auth/me", headers={"Authorization": f"Bearer {leaving_token}"}).status_code
        == 401
    )
    assert (
        api.post("/api/auth/login", json={"username": "leaving", "password": PASSWORD}).status_code
        == 401
    )


def test_admin_creates_a_volunteer_account_linked_to_a_volunteer(
    api: httpx.Client, session: Session
) -> None:
    from tests.builders.records import create_volunteer

    station = create_station(session)
    volunteer = create_volunteer(session, station=station)
    create_user(session, role=Role.ADMIN, username="root")
    token = api.post("/api/auth/token", data={"username": "root", "password": PASSWORD}).json()[
        "access_token"
    ]
    body = {
        "username": "xiaoli",
        "display_name": "小李",
        "role": "volunteer",
        "password": "volunteer password",
        "volunteer_id": ident(volunteer),
    }

    created = api.post("/api/users", json=body, headers={"Authorization": f"Bearer {token}"})
    again = api.post(
        "/api/users",
        json=body | {"username": "xiaoli2"},
        headers={"Authorization": f"Bearer {token}"},
    )
    login = api.post(
        "/api/auth/login", json={"username": "xiaoli", "password": "volunteer password"}
    )

    assert created.status_code == 201, created.text
    assert "password" not in created.text
    assert again.status_code == 409  # one account per volunteer
    assert login.json()["user"]["volunteer_id"] == ident(volunteer)


def test_someone_elses_failures_do_not_lock_the_owner_out() -> None:
    """Five failures from one address block that address for the account; the owner at
    another address still gets in; only many failures from many addresses block everyone."""
    limiter = LoginLimiter(5)
    for _ in range(5):
        limiter.failed("Root", "203.0.113.9")
    assert limiter.blocked("root", "203.0.113.9")
    assert not limiter.blocked("root", "198.51.100.7")  # the owner's phone
    assert not limiter.blocked("someone", "203.0.113.9")  # others at that office
    for n in range(45):
        limiter.failed("root", f"192.0.2.{n}")
    assert limiter.blocked("root", "198.51.100.7")  # 50 in the hour: guessing from everywhere


def test_a_guesser_waits_longer_and_longer(monkeypatch: pytest.MonkeyPatch) -> None:
    """From one address, five failures cost a minute's wait; twenty within the hour cost
    the rest of the hour; the owner elsewhere is never concerned."""
    now = [1_000_000.0]
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: now[0])
    limiter = LoginLimiter(5)
    for _minute in range(4):
        for _ in range(5):
            assert not limiter.blocked("root", "203.0.113.9")
            limiter.failed("root", "203.0.113.9")
        assert limiter.blocked("root", "203.0.113.9")
        now[0] += 61  # a minute later the guesser may try again, four times
    assert limiter.blocked("root", "203.0.113.9")  # 20 in the hour: blocked for the hour
    assert not limiter.blocked("root", "198.51.100.7")
    now[0] += 3600
    assert not limiter.blocked("root", "203.0.113.9")
