"""Each role's main page, in both languages, checked by axe-core (axe-playwright-python
bundles it; injected with the page's CSP bypassed in the test's browser only): no serious
or critical violation. Screenshots of every page checked go to test-artifacts/."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import Session

from models.enums import Role
from tests.browser.conftest import ARTIFACTS
from tests.builders.accounts import PASSWORD, create_user
from tests.builders.days import DAY, plan_day
from tests.builders.notifications import prefer
from tests.builders.records import ident
from tests.conftest import RunningServer

SERIOUS = ("serious", "critical")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_each_roles_main_page_has_no_serious_accessibility_violation(
    browser: object, server: RunningServer, api: httpx.Client, session: Session, locale: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    day = plan_day(api, session, clients=4, volunteers=1)
    volunteer_id = day.first_route["volunteer_id"]
    volunteer = day.volunteers[volunteer_id]
    door = day.doors(volunteer_id)[0]
    prefer(
        api,
        day,
        audience="staff",
        person_id=ident(day.coordinator.user),
        channel="email",
        address="boss@example.org",
    )  # the alert below writes a message to the outbox
    no_answer = {
        "client_event_id": uuid.uuid4().hex,
        "kind": "no_answer",
        "recorded_at": datetime.now(UTC).isoformat(),
        "concern": True,
    }
    api.post(
        f"/api/me/stops/{door['id']}/outcomes", json=no_answer, headers=volunteer.headers
    ).raise_for_status()  # an open alert on the day page
    manager = create_user(session, role=Role.MANAGER, stations=(day.station,))
    station = day.station.id
    pages = {
        "coordinator-day": (day.coordinator.user.username, f"/days/{station}/{DAY}"),
        "volunteer-route": (volunteer.user.username, f"/me/{DAY}"),
        "manager-dashboard": (manager.username, f"/dashboard/{station}"),
        "coordinator-messages": (
            day.coordinator.user.username,
            f"/stations/{station}/notifications",
        ),
        "coordinator-contacts": (day.coordinator.user.username, "/records/contacts"),
        # Forms with days and skills ticked by name, beside fields typed.
        "coordinator-schedule": (day.coordinator.user.username, "/records/schedules/new"),
        "coordinator-volunteer": (
            day.coordinator.user.username,
            f"/records/volunteers/{volunteer_id}",
        ),
        "coordinator-availability": (day.coordinator.user.username, "/records/availability/new"),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    found: dict[str, list[str]] = {}
    for name, (username, path) in pages.items():
        phone = name.startswith("volunteer")
        context = browser.new_context(
            bypass_csp=True,  # only so that axe can be injected; the app's CSP stays on
            viewport={"width": 360, "height": 740} if phone else {"width": 1280, "height": 900},
            locale=locale,
        )
        context.add_cookies([{"name": "careroute_lang", "value": locale, "url": server.url}])
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{server.url}{path}")
        page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{locale}.png"), full_page=True)
        results = axe.run(page)
        found[name] = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        context.close()
    assert found == {name: [] for name in pages}
