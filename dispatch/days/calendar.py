"""Which days a station works, and which weekday's schedules run on each.

China moves working days around its public holidays (调休): a weekend day becomes a workday
in exchange for a weekday off. The `holidays` package knows both. On a make-up workday the
station runs the schedules of the weekday it gave up, so a client served on Mondays still
gets the meal of the Monday that became a holiday.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

from models import StationClosure


@dataclass(frozen=True)
class WorkingDay:
    open: bool
    reason: str  # why the station is closed; empty when open
    weekday: int | None  # whose weekly schedules run (0 = Monday); None when closed


def working_day(
    day: date,
    *,
    observes_public_holidays: bool,
    closures: Sequence[StationClosure],
    locale: str = "zh-CN",
) -> WorkingDay:
    """Whether the station works on `day`, and as which weekday."""
    for closure in closures:
        if closure.date_from <= day <= closure.date_to:
            return WorkingDay(False, closure.reason or _CLOSED[_language(locale)], None)
    if not observes_public_holidays:
        return WorkingDay(True, "", day.weekday())
    names = _china(day.year, _language(locale))
    if day in names:
        return WorkingDay(False, str(names[day]), None)
    if day in names.weekend_workdays:
        return WorkingDay(True, "", _weekday_given_up(day))
    return WorkingDay(True, "", day.weekday())


_CLOSED = {"zh_CN": "站点休息", "en_US": "station closed"}


def _language(locale: str) -> str:
    return "zh_CN" if locale.startswith("zh") else "en_US"


@lru_cache(maxsize=16)
def _china(year: int, language: str) -> holidays.HolidayBase:
    # Neighbouring years too: a make-up day can pair with a day off across New Year.
    return holidays.country_holidays("CN", years=(year - 1, year, year + 1), language=language)


def _weekday_given_up(workday: date) -> int:
    """The weekday of the day off this make-up workday pays for (its own if unknown)."""
    # The Chinese labels spell the date in the package's own format ("由 2026-01-04 调休").
    chinese = _china(workday.year, "zh_CN")
    marker = workday.strftime(chinese.substituted_date_format)
    for holiday, name in chinese.items():
        if marker in name:
            return holiday.weekday()
    return workday.weekday()
