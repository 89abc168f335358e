"""The route page without a network, for real: the server is stopped (a browser's offline
switch does not reach a service worker's own requests), the volunteer reloads the page and
still reads the route, records an outcome, and once the server is back the outcome is sent
and stored once."""

import signal
from pathlib import Path

import httpx
from sqlmodel import Session, select

from models import Outcome
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_route_page import PHONE
from tests.builders.days import DAY, plan_day
from tests.conftest import RunningServer
from tests.processes import Server


def test_the_route_page_and_its_outbox_survive_a_reload_with_the_server_gone(
    browser: object,
    server: RunningServer,
    api: httpx.Client,
    session: Session,
    database_url: str,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    day = plan_day(api, session, clients=3, volunteers=1)
    volunteer_id = day.first_route["volunteer_id"]
    door = day.doors(volunteer_id)[0]
    own = Server(database_url, tmp_path)  # a server of its own, to stop
    try:
        phone = browser.new_context(
            viewport={"width": PHONE[0], "height": PHONE[1]}, is_mobile=True, locale="zh-CN"
        )
        page = phone.new_page()
        page.set_default_timeout(30_000)
        log_in(page, own.url, day.volunteers[volunteer_id].user.username)
        page.goto(f"{own.url}/me/{DAY}")
        assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now through the service worker, which keeps a copy
        expect(page.locator(f'li.door[data-stop="{door["id"]}"]')).to_be_visible()
        assert page.evaluate("navigator.serviceWorker.controller !== null")

        own.stop(signal.SIGTERM)
        page.reload()
        stop = page.locator(f'li.door[data-stop="{door["id"]}"]')
        expect(stop).to_contain_text(door["client_name"])  # readable without the server
        stop.locator("button.kind.delivered").click()
        expect(page.locator("#outbox")).to_be_visible()
        expect(page.locator("#outbox .count")).to_contain_text("1")
        page.screenshot(path=str(ARTIFACTS / "route-phone-server-gone.png"), full_page=True)
        session.rollback()
        assert session.exec(select(Outcome)).all() == []

        own = Server(database_url, tmp_path, port=own.port)  # back, on the same address
        page.locator("#send-now").click()
        expect(page.locator("#outbox")).to_be_hidden()
        page.reload()  # the page again from the server: nothing left to send
        expect(page.locator("#outbox")).to_be_hidden()
        session.rollback()
        stored = session.exec(select(Outcome).where(Outcome.plan_stop_id == door["id"])).all()
        assert [o.kind.value for o in stored] == ["delivered"]
        phone.close()
    finally:
        if own.process.poll() is None:
            own.stop(signal.SIGTERM)
