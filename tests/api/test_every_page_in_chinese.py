"""Every page every role reaches, in Chinese, on the demo station with a past month, a
published day and alerts: no English left untranslated and no code (an enum's value, a
planner's reason) in the text a person reads.

The pages are found as a person finds them: from each role's home, following the links of
every page (a few of each kind), plus the pages reached from a form or a button.
"""

import enum
import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

import models.enums
from models import Client, Plan, Station, Volunteer
from models.enums import PlanStatus
from scripts.demo_station import DEMO_PASSWORDS, STATION_CODE, load_demo_station
from scripts.simulate_history import demo_history
from tests.builders.accounts import sign_in
from tests.conftest import RunningServer

PAST = (date(2026, 10, 26), date(2026, 11, 24))  # the demo's month, up to a published day
DAY = "2026-11-24"
PAGES_PER_KIND = 2  # of the pages whose paths differ only by numbers
MAX_PAGES = 120
# Words a Chinese page may show in Latin letters: names of things, units, file formats.
LATIN = {
    "careroute", "openstreetmap", "odbl", "contributors", "map", "data", "pdf", "csv",
    "xlsx", "km", "english", "api", "id", "qr", "tel", "gcj", "wgs", "bd", "app", "gps",
}  # fmt: skip
SKIPPED = ("/language/", "/static/", "/vendor/", "/docs", "/redoc", "/openapi.json")
FILES = (".pdf", ".xlsx", ".csv", ".json", ".svg", ".png")
CODES = {
    member.value
    for kind in vars(models.enums).values()
    if isinstance(kind, type) and issubclass(kind, enum.Enum)
    for member in kind
    if isinstance(member.value, str) and len(member.value) > 2
}


class _Text(HTMLParser):
    """The text a person reads: text nodes, and the words of buttons, placeholders and
    titles; not scripts, styles or attribute values a person does not see."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if tag in ("script", "style", "template") or (tag == "details" and "data-raw" in given):
            self._hidden += 1  # the raw audit entry is one click away, as stored
        if tag == "a" and given.get("href"):
            self.links.append(str(given["href"]))
        for name in ("placeholder", "title", "aria-label", "alt"):
            if given.get(name):
                self.parts.append(str(given[name]))
        if tag == "input" and given.get("type") in ("submit", "button") and given.get("value"):
            self.parts.append(str(given["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") or (tag == "details" and self._hidden):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def test_every_page_of_every_role_reads_in_chinese_without_codes(
    session: Session, server: RunningServer, engine: Engine
) -> None:
    load_demo_station(session, server.app.state.services)
    session.commit()
    demo_history(engine, days=PAST)
    station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
    entered = _entered_texts(session)
    assert session.exec(
        select(Plan).where(
            Plan.status == PlanStatus.PUBLISHED, Plan.service_date == date(2026, 11, 24)
        )
    ).first(), "the demo's week needs a published day"

    problems: list[str] = []
    seen: dict[str, set[str]] = {}
    for role in ("coordinator", "manager", "volunteer"):
        with httpx.Client(base_url=server.url, timeout=60) as browser:
            sign_in(browser, role, DEMO_PASSWORDS[role])
            seeds = ["/", f"/me/{DAY}", f"/days/{station.id}/{DAY}", "/audit"]
            for path, html in _crawl(browser, seeds):
                seen.setdefault(role, set()).add(re.sub(r"\d+", "N", path.split("?")[0]))
                problems += [f"{role} {path}: {p}" for p in _unreadable(html, entered)]
    with httpx.Client(base_url=server.url, timeout=60) as anonymous:
        problems += [
            f"anonymous /login: {p}" for p in _unreadable(anonymous.get("/login").text, entered)
        ]

    assert {"/days/N/N-N-N", "/audit", "/records/clients", "/dashboard/N/alerts"} <= seen[
        "coordinator"
    ]
    assert {"/dashboard/N", "/audit"} <= seen["manager"]
    assert {"/me/N-N-N"} <= seen["volunteer"]
    if problems:
        pytest.fail(f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems))))


def _crawl(browser: httpx.Client, seeds: list[str]) -> list[tuple[str, str]]:
    queue = list(seeds)
    kinds: Counter[str] = Counter()
    seen: set[str] = set()
    pages: list[tuple[str, str]] = []
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        kind = re.sub(r"\d+", "N", path.split("?", 1)[0])
        if path in seen or kinds[kind] >= PAGES_PER_KIND:
            continue
        seen.add(path)
        answer = browser.get(path, follow_redirects=True)
        if answer.status_code != 200 or "text/html" not in answer.headers["content-type"]:
            continue
        kinds[kind] += 1
        pages.append((path, answer.text))
        parser = _Text()
        parser.feed(answer.text)
        for link in parser.links:
            if link.startswith("/") and not link.startswith(SKIPPED) and not link.endswith(FILES):
                queue.append(link)
    return pages


def _entered_texts(session: Session) -> set[str]:
    """What people typed (names, usernames, codes): shown as typed, whatever its letters."""
    texts = set(DEMO_PASSWORDS) | {STATION_CODE}
    texts |= {c.name for c in session.exec(select(Client)).all()}
    texts |= {v.name for v in session.exec(select(Volunteer)).all()}
    return texts


def _unreadable(html: str, entered: set[str]) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    for typed in sorted(entered, key=len, reverse=True):
        text = text.replace(typed, " ")
    found = []
    for word in re.findall(r"[A-Za-z][A-Za-z_]+", text):
        if word in CODES:
            found.append(f"code {word!r}")
        elif len(word) > 2 and word.lower() not in LATIN:
            found.append(f"English {word!r}")
    return sorted(set(found))
