"""Forms for records, built from their schemas: one field per schema field, typed inputs,
and the text a browser posts turned back into the schema's values."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, time
from enum import Enum
from typing import Any

from pydantic import BaseModel

from dispatch.i18n import N_

# Where a field means something else on one kind of record than on the others.
# A long record's form in the parts people look for, in this order; a field of none of
# them goes last, under "Other". A kind not here is one short list.
SECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "clients": (
        (N_("Person"), ("name", "phone", "birth_year", "gender", "language", "lives_alone")),
        (
            N_("Address and access"),
            (
                "address",
                "floor",
                "has_lift",
                "key_box",
                "has_dog",
                "access_notes",
                "lat",
                "lon",
                "source_datum",
            ),
        ),
        (
            N_("Needs and times"),
            (
                "diet",
                "allergies",
                "mobility",
                "disability",
                "preferred_window_start",
                "preferred_window_end",
            ),
        ),
        (
            N_("Emergency contact and health (coordinators only)"),
            (
                "emergency_contact_name",
                "emergency_contact_phone",
                "emergency_contact_relation",
                "health_notes",
            ),
        ),
        (N_("Volunteers"), ("preferred_volunteer_ids", "excluded_volunteer_ids", "team_id")),
        (N_("Service status"), ("status", "status_from", "status_until", "status_reason")),
    ),
    "volunteers": (
        (N_("Person"), ("name", "phone", "home_address", "lat", "lon", "source_datum")),
        (
            N_("What they do"),
            (
                "travel_mode",
                "capacity_meals",
                "skills",
                "max_hours_per_day",
                "max_stops_per_day",
                "team_id",
            ),
        ),
        (N_("On the roster"), ("active", "vetted_on", "client_id")),
    ),
}
OTHER_SECTION = N_("Other")


def sections(kind: str, shown: list[Field]) -> list[tuple[str | None, list[Field]]]:
    """The form's fields in their parts (one untitled part for a short kind)."""
    parts = SECTIONS.get(kind)
    if not parts:
        return [(None, shown)]
    by_name = {f.name: f for f in shown}
    placed = {name for _, names in parts for name in names}
    grouped: list[tuple[str | None, list[Field]]] = [
        (title, [by_name[n] for n in names if n in by_name]) for title, names in parts
    ]
    grouped.append((OTHER_SECTION, [f for f in shown if f.name not in placed]))
    return [(title, fields) for title, fields in grouped if fields]


KIND_LABELS = {
    "teams": {
        "name": N_("Team name"),
        "kind": N_("Kind of team"),
        "site_id": N_("Own pickup site"),
    },
    "volunteers": {"client_id": N_("Is also client")},
    "availability": {"kind": N_("Kind of slot")},
    "activities": {
        "kind": N_("Kind of activity"),
        "service_date": N_("Date"),
        "start_time": N_("Starts at"),
        "end_time": N_("Ends at"),
        "site_id": N_("Place"),
    },
    "contacts": {
        "address": N_("E-mail, mobile or chat address (Apprise URL)"),
        "notes": N_("Notes"),
    },
}

LABELS = {
    "name": N_("Name"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "home_address": N_("Home address"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "source_datum": N_("Coordinate system"),
    "external_id": N_("External id"),
    "birth_year": N_("Year of birth"),
    "gender": N_("Gender"),
    "floor": N_("Floor"),
    "has_lift": N_("Lift"),
    "key_box": N_("Key box"),
    "has_dog": N_("Dog"),
    "access_notes": N_("Access notes"),
    "diet": N_("Diet"),
    "allergies": N_("Allergies"),
    "mobility": N_("Mobility"),
    "disability": N_("Disability"),
    "lives_alone": N_("Lives alone"),
    "language": N_("Language"),
    "preferred_window_start": N_("Preferred from"),
    "preferred_window_end": N_("Preferred until"),
    "emergency_contact_name": N_("Emergency contact"),
    "emergency_contact_phone": N_("Emergency phone"),
    "emergency_contact_relation": N_("Relation"),
    "health_notes": N_("Health notes"),
    "preferred_volunteer_ids": N_("Preferred volunteers"),
    "excluded_volunteer_ids": N_("Excluded volunteers"),
    "status": N_("Status"),
    "status_from": N_("Status from"),
    "status_until": N_("Status until"),
    "status_reason": N_("Status reason"),
    "away_answered_on": N_("At home after all (the doors' word up to this day)"),
    "notes": N_("Notes"),
    "travel_mode": N_("Travel mode"),
    "capacity_meals": N_("Meals carried"),
    "skills": N_("Skills"),
    "max_hours_per_day": N_("Hours a day at most"),
    "max_stops_per_day": N_("Stops a day at most"),
    "vetted_on": N_("Vetted on"),
    "active": N_("Active"),
    "client_id": N_("Client"),
    "team_id": N_("Team"),
    "kind": N_("Service"),
    "site_id": N_("Site"),
    "quantity": N_("Quantity"),
    "recurrence": N_("Recurrence"),
    "weekdays": N_("Weekdays"),
    "interval_weeks": N_("Every n weeks"),
    "start_date": N_("Starts"),
    "end_date": N_("Ends"),
    "skip_dates": N_("Skip dates"),
    "holds": N_("Holds"),
    "window_start": N_("Window from"),
    "window_end": N_("Window until"),
    "service_minutes": N_("Minutes at the door"),
    "max_ride_minutes": N_("Longest ride (minutes)"),
    "required_skills": N_("Skills needed"),
    "priority": N_("Priority (5 = must not be missed)"),
    "volunteer_id": N_("Volunteer"),
    "weekday": N_("Weekday"),
    "date_from": N_("From date"),
    "date_to": N_("To date"),
    "start_time": N_("From"),
    "end_time": N_("Until"),
    "note": N_("Note"),
    "reason": N_("Reason"),
    "service_date": N_("Date"),
    "dish": N_("Dish"),
    "allergens": N_("Allergens"),
    "hot_meal_minutes": N_("Hot meal limit (minutes)"),
    "alert_ladder": N_("No-answer protocol"),
    "audience": N_("Who"),
    "person_id": N_("Their record (id: volunteer, user, client or station)"),
    "channel": N_("Channel"),
    "locale": N_("Language"),
    "quiet_start": N_("Quiet hours from"),
    "quiet_end": N_("Quiet hours until"),
    "consent_on": N_("Consent given on"),
    "opted_out_at": N_("Opted out at"),
    "on_duty": N_("On duty"),
    "title": N_("Title"),
    "activity_id": N_("Activity"),
    "needs_escort": N_("Needs someone to go with them"),
    "attended": N_("Came"),
    "attendance_noted_at": N_("Attendance taken at"),
}
# What a route broken by a hand edit breaks (the checker's violation kinds).
VIOLATIONS = {
    "not_allowed": N_("the volunteer may not do it (skills, exclusion or pin)"),
    "time_window": N_("a client is reached outside their time window"),
    "shift": N_("the volunteer is back after their shift"),
    "capacity": N_("more than the volunteer can carry"),
    "stop_limit": N_("more stops than the volunteer's limit"),
    "work_time": N_("longer than the volunteer's working time"),
    "ride_time": N_("a hot meal rides too long"),
    "split": N_("a pickup and its door are on different routes"),
    "precedence": N_("a delivery comes before its pickup"),
}
# Why a task of the day is no longer due (dispatch.days.rules), before any text of its own.
GONE_REASONS = {
    "client archived": N_("the client's file is archived"),
    "client paused": N_("service paused"),
    "client ended": N_("service ended"),
    "schedule not running": N_("the schedule is not running"),
    "schedule ended": N_("the schedule has ended"),
    "one-off order on another day": N_("the one-off order is on another day"),
    "not a scheduled weekday": N_("no longer on this weekday"),
    "skipped on this date": N_("skipped on this date"),
    "on hold": N_("on hold"),
    "invitation withdrawn": N_("the invitation was withdrawn"),
    "no escort needed any more": N_("no escort needed any more"),
    "activity moved or cancelled": N_("the activity moved or was cancelled"),
    "schedule removed": N_("the schedule was removed"),
    "schedule changed": N_("the schedule changed"),
}
# Why a stop is not planned (the planner's reason codes), in a few words.
UNPLANNED_REASONS = {
    "no_volunteers": N_("No volunteer works this day"),
    "pinned_volunteer_absent": N_("The pinned volunteer is not working"),
    "no_skilled_volunteer": N_("Nobody has the skill it needs"),
    "no_allowed_volunteer": N_("Every volunteer who could is excluded"),
    "demand_over_capacity": N_("More than anyone can carry"),
    "ride_time_impossible": N_("Too far to arrive hot"),
    "window_unreachable": N_("Its time window cannot be reached"),
    "pickup_too_early": N_("Its pickup closes too long before its time window"),
    "no_shift_in_window": N_("Nobody who may do it works during its time window"),
    "stop_limit": N_("Everyone is at their stop limit"),
    "capacity_full": N_("Every route is full"),
    "no_time_left": N_("No time left on any route"),
    "not_placed": N_("It fits somewhere: plan again with more time"),
    "out_of_time": N_("Not looked at in time: plan again with more time"),
    "no_position": N_("The address has no position on the map"),
}
# The same, with what the planner found (PlanStop.details), where it names something.
UNPLANNED_DETAILS = {
    "pinned_volunteer_absent": N_("Pinned to %(volunteer)s, who is not working this day"),
    "no_skilled_volunteer": N_("Nobody working this day has the skill it needs: %(skills)s"),
    "demand_over_capacity": N_(
        "It needs %(demand)s places; nobody who may do it carries more than %(capacity)s"
    ),
    "ride_time_impossible": N_(
        "Nobody who may do it gets from the pickup to the door within %(minutes)s minutes"
    ),
    "pickup_too_early": N_(
        "Its pickup closes at %(closes)s and its time window opens at %(opens)s: more than "
        "the %(minutes)s minutes it may ride"
    ),
    "no_shift_in_window": N_("Nobody who may do it works during its time window (%(window)s)"),
    "not_placed": N_(
        "It fits in %(volunteer)s's route: plan again with more time, or give it to them"
    ),
}
# The values of the choices forms and lists show (enums and literals), for people.
CHOICES = {
    "true": N_("yes"),  # a yes-or-no not yet known: a choice, not a box
    "false": N_("no"),
    "regular": N_("regular"),
    "diabetic": N_("diabetic"),
    "low_salt": N_("low salt"),
    "soft": N_("soft"),
    "halal": N_("halal"),
    "vegetarian": N_("vegetarian"),
    "meal": N_("meal"),
    "medicine": N_("medicine"),
    "visit": N_("visit"),
    "escort_there": N_("escort there"),
    "escort_back": N_("escort home"),
    "female": N_("female"),
    "male": N_("male"),
    "other": N_("other"),
    "independent": N_("walks unaided"),
    "walking_aid": N_("walking aid"),
    "wheelchair": N_("wheelchair"),
    "bedridden": N_("bedridden"),
    "none": N_("none"),
    "physical": N_("physical"),
    "visual": N_("visual"),
    "hearing": N_("hearing"),
    "speech": N_("speech"),
    "intellectual": N_("intellectual"),
    "mental": N_("mental"),
    "multiple": N_("multiple"),
    "active": N_("receiving services"),
    "paused": N_("paused"),
    "ended": N_("ended"),
    "wgs84": N_("WGS-84 (GPS)"),
    "gcj02": N_("GCJ-02 (Gaode, Tencent)"),
    "bd09": N_("BD-09 (Baidu)"),
    "walk": N_("on foot"),
    "bicycle": N_("bicycle"),
    "ebike": N_("e-bike"),
    "car": N_("car"),
    "once": N_("once"),
    "weekly": N_("weekly"),
    "leave": N_("leave"),
    "extra": N_("extra day"),
    "kitchen": N_("kitchen"),
    "pharmacy": N_("pharmacy"),
    "office": N_("office"),
    "venue": N_("activity venue"),
    "gathering": N_("gathering"),
    "health_talk": N_("health talk"),
    "outing": N_("outing"),
    "community": N_("community team"),
    "village_point": N_("village point"),
    "ok": N_("located"),
    "manual": N_("placed by hand"),
    "pending": N_("to be located"),
    "needs_location": N_("needs a location"),
    # what volunteers may do (their skills; "dialect:南京话" reads as the dialect's name)
    "first_aid": N_("first aid"),
    "sign_language": N_("sign language"),
    "nursing": N_("nursing"),
    # accounts
    "admin": N_("administrator"),
    "coordinator": N_("coordinator"),
    "manager": N_("manager"),
    "volunteer": N_("volunteer"),
    "session": N_("browser session"),
    "api": N_("API token"),
    # the day's work and its plans
    "open": N_("open"),
    "planned": N_("planned"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "queued": N_("queued"),
    "running": N_("planning"),
    "succeeded": N_("planned"),
    "failed": N_("failed"),
    "timed_out": N_("out of time"),
    "draft": N_("draft"),
    "published": N_("published"),
    "superseded": N_("replaced by a newer version"),
    "pickup": N_("pickup"),
    "door": N_("door"),
    # at the door, and after
    "delivered": N_("delivered"),
    "no_answer": N_("no answer"),
    "refused": N_("refused"),
    "not_home": N_("not home / in hospital"),
    "unreachable": N_("could not reach the address"),
    "started": N_("round started"),
    "finished": N_("round finished"),
    "confirmed": N_("card code confirmed"),
    "mismatch": N_("card code did not match"),
    "concern": N_("concern"),
    "resolved": N_("resolved"),
    "zh-CN": N_("Simplified Chinese"),
    "en": N_("English"),
    "staff": N_("staff"),
    "family": N_("family contact"),
    "station": N_("station chat"),
    "email": N_("e-mail"),
    "sms": N_("SMS"),
    "chat": N_("group chat or webhook"),
    "route_published": N_("route published"),
    "route_changed": N_("route changed"),
    "route_withdrawn": N_("route withdrawn"),
    "reminder": N_("evening reminder"),
    "alert_raised": N_("alert raised"),
    "alert_step_due": N_("alert step due"),
    "family_delivered": N_("family told: done"),
    "family_no_answer": N_("family told: no answer"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "skipped": N_("not sent (opted out)"),
    "on_duty": N_("coordinators on duty"),
    "coordinators": N_("coordinators"),
    "managers": N_("managers"),
    "station_chat": N_("station chat"),
    "call_client": N_("call the client"),
    "call_emergency_contact": N_("call the emergency contact"),
    "social_worker_visit": N_("social worker visits"),
    "emergency_services": N_("emergency services"),
    "client_safe": N_("client is safe"),
    "in_hospital": N_("client is in hospital"),
    "away": N_("client is away"),
    "offered": N_("offered"),
    "taken": N_("taken"),
    "replanned": N_("re-planned"),
}
# What the schemas' own checks say (pydantic's error types), with their limits filled in.
INPUT_ERRORS = {
    "missing": N_("this field is needed"),
    "string_too_long": N_("at most %(max_length)s characters"),
    "string_too_short": N_("at least %(min_length)s characters"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "greater_than": N_("must be more than %(gt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "less_than": N_("must be less than %(lt)s"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "bool_parsing": N_("must be yes or no"),
    "date_parsing": N_("must be a date such as 2026-11-24"),
    "date_from_datetime_parsing": N_("must be a date such as 2026-11-24"),
    "time_parsing": N_("must be a time of day such as 09:30"),
    "enum": N_("is not one of the choices"),
    "literal_error": N_("is not one of the choices"),
    "string_pattern_mismatch": N_("is not written the expected way"),
    "extra_forbidden": N_("is not a field of this record"),
}


def input_error(error: dict[str, Any], gettext: Callable[[str], str]) -> str:
    """One field's problem in the reader's language (as the API said it, when unknown)."""
    template = error.get("template")
    if template:
        params = {
            # Words the catalogue knows ("meal") are said in the reader's language; "" is the
            # catalogue's own header to gettext.
            k: gettext(v) if isinstance(v, str) and v else v
            for k, v in error.get("params", {}).items()
        }
        said: str = gettext(template)
        return said % params if params else said
    known = INPUT_ERRORS.get(error.get("type", ""))
    if known:
        words: str = gettext(known)
        try:
            return str(words % error.get("ctx", {}))
        except (KeyError, TypeError):  # a limit the error did not carry
            return words
    return str(error.get("msg", ""))


# Set by the application, not typed by people.
# Not typed on a form: set by the page that acts on them.
_HIDDEN = {"station_id", "away_answered_on"}
# Periods typed one a line, "2026-12-07 – 2026-12-13 reason" (a schedule's holds).
PERIOD_FIELDS = frozenset({"holds"})
_PERIOD = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:\s*(?:–|—|-|~|～|至|到|to)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?\s*(?P<reason>.*)$"
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    input: str  # text, number, date, time, checkbox, select, days, skills, periods
    value: str
    options: tuple[str, ...] = ()
    many: bool = False  # a list, written comma-separated
    # What an option reads as when it is not a word of `CHOICES`: a record's name by its id.
    names: Mapping[str, str] = dataclass_field(default_factory=dict)

    def chosen(self) -> list[str]:
        """The values it holds: one, or a list's each."""
        if not self.many:
            return [self.value] if self.value else []
        return [part.strip() for part in self.value.split(",") if part.strip()]


def fields(schema: type[BaseModel], values: dict[str, Any]) -> list[Field]:
    result = []
    for name, info in schema.model_fields.items():
        if name in _HIDDEN:
            continue
        kind, many, options = _shape(info.annotation)
        kind = (
            "days"
            if name in DAY_FIELDS
            else "skills"
            if name in SKILL_FIELDS
            else "periods"
            if name in PERIOD_FIELDS
            else kind
        )
        # A list's default comes from its factory (read as the default itself, it showed the
        # words "PydanticUndefined" in a new record's form, and saving kept them as a value).
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        value = values.get(name, "" if default is None else default)
        result.append(Field(name, LABELS.get(name, name), kind, _text(value), options, many))
    return result


def parse(schema: type[BaseModel], form: dict[str, str]) -> dict[str, Any]:
    """The posted text as values for `schema` (validation is the schema's job)."""
    data: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        if name in _HIDDEN:
            continue
        kind, many, _options = _shape(info.annotation)
        raw = form.get(name, "")
        if kind == "checkbox":
            data[name] = raw in ("on", "true", "1")
        elif name in PERIOD_FIELDS:
            data[name] = [_period(line) for line in raw.splitlines() if line.strip()]
        elif many:
            parts = [part.strip() for part in raw.replace("，", ",").split(",") if part.strip()]
            data[name] = [_skill(part) for part in parts] if name in SKILL_FIELDS else parts
        elif raw.strip() == "":
            data[name] = None if _optional(info.annotation) else info.default
        else:
            data[name] = raw.strip()
    return data


# Ticked by name on the forms, not typed: the days of the week (0 = Monday), and the skills
# the planner knows (any other typed beside them).
DAY_FIELDS = frozenset({"weekdays", "weekday"})
SKILL_FIELDS = frozenset({"skills", "required_skills"})
# A dialect is kept as "dialect:南京话" and shown as this; typed back in either language.
DIALECT = N_("dialect: %(name)s")
_DIALECT = re.compile(r"^(?:dialect|方言)\s*[:：]\s*(?P<name>.+)$", re.IGNORECASE)


def skill_name(skill: str, gettext: Callable[[str], str]) -> str:
    """A skill as people read it: a known one by its name, a dialect as 'dialect: 南京话'."""
    if skill.startswith("dialect:"):
        return gettext(DIALECT) % {"name": skill.removeprefix("dialect:")}
    return gettext(CHOICES[skill]) if skill in CHOICES else skill


def period_text(period: Mapping[str, Any]) -> str:
    """A period as it is read and typed: "2026-12-07 – 2026-12-13 reason"."""
    start, end, reason = period.get("start"), period.get("end"), period.get("reason") or ""
    dates = f"{start}" if end in (None, "", start) else f"{start} – {end}"
    return f"{dates} {reason}".strip()


def _period(typed: str) -> dict[str, str]:
    """A typed line as a period; one day alone is a period of one day. A line that is not
    a period goes on as it is, for the schema to refuse with the field named."""
    found = _PERIOD.match(typed.strip())
    if found is None:
        return {"start": typed.strip(), "end": typed.strip()}
    return {
        "start": found["start"],
        "end": found["end"] or found["start"],
        "reason": found["reason"].strip(),
    }


def _skill(typed: str) -> str:
    """A skill as typed on a form, as it is kept (the inverse of `skill_name`)."""
    found = _DIALECT.match(typed)
    return f"dialect:{found['name']}" if found else typed


def _shape(annotation: Any) -> tuple[str, bool, tuple[str, ...]]:
    inner = _without_none(annotation)
    if typing.get_origin(inner) is list:
        return "text", True, ()
    if isinstance(inner, type) and issubclass(inner, Enum):
        return "select", False, tuple(str(m.value) for m in inner)
    if typing.get_origin(inner) is typing.Literal:
        return "select", False, tuple(str(v) for v in typing.get_args(inner))
    if inner is bool:
        # Not yet known is an answer too (whether a guest came, before the day): a choice
        # of yes, no or nothing, where a box left unticked would say no.
        return (
            ("select", False, ("true", "false"))
            if _optional(annotation)
            else (
                "checkbox",
                False,
                (),
            )
        )
    if inner in (int, float):
        return "number", False, ()
    if inner is date:
        return "date", False, ()
    if inner is time:
        return "time", False, ()
    return "text", False, ()


def _mapping(value: BaseModel | Mapping[str, Any]) -> Mapping[str, Any]:
    return value.model_dump() if isinstance(value, BaseModel) else value


def _without_none(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _without_none(args[0])
    if typing.get_origin(annotation) is typing.Annotated:
        return _without_none(args[0])
    return annotation


def _optional(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel | Mapping):
        return "\n".join(period_text(_mapping(v)) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if value is None:
        return ""
    return str(value)
