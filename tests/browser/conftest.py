"""Real pages in a real headless Chromium (Debian's package). Without it these tests skip."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders.accounts import PASSWORD

CHROMIUM = Path(os.environ.get("CAREROUTE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("CAREROUTE_TEST_ARTIFACTS", "test-artifacts"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CAREROUTE_CHROMIUM)"
    )
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def log_in(page: object, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the login page as a person does."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
