"""The audit trail for people: each event as a sentence in the reader's language ("14:58 陈浩然
为 于玉珍 记录：已送达"), with names instead of ids, the station's local time, and the fields
people care about, before and after, under their labels. The raw event stays beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dispatch.audit.schemas import AuditEventPublic
from dispatch.i18n import N_
from dispatch.web.forms import CHOICES, LABELS, period_text

Gettext = Callable[[str], str]

# What happened, as a sentence: who, what (a kind of record and whose), whom, and a detail.
SENTENCES = {
    "create": N_("%(who)s created %(what)s"),
    "update": N_("%(who)s changed %(what)s"),
    "archive": N_("%(who)s archived %(what)s"),
    "restore": N_("%(who)s restored %(what)s"),
    "delete": N_("%(who)s deleted %(what)s"),
    "generate": N_("%(who)s generated %(what)s"),
    "cancel": N_("%(who)s cancelled %(what)s"),
    "flag": N_("%(who)s flagged %(what)s"),
    "record_outcome": N_("%(who)s recorded for %(whom)s: %(detail)s"),
    "login": N_("%(who)s logged in"),
    "issue_card": N_("%(who)s issued a new service card for %(whom)s"),
    "geocode": N_("%(who)s placed %(what)s on the map"),
    "move_stop": N_("%(who)s moved %(what)s by hand"),
    "lock_route": N_("%(who)s locked or unlocked %(what)s"),
    "pin_stop": N_("%(who)s pinned %(what)s to a volunteer"),
    "volunteer_off": N_("%(who)s took %(whom)s off the day"),
    "publish": N_("%(who)s published %(what)s"),
    "raise_alert": N_("%(who)s raised an alert about %(whom)s: %(detail)s"),
    "take_alert_step": N_("%(who)s took a step of the alert about %(whom)s"),
    "resolve_alert": N_("%(who)s closed the alert about %(whom)s"),
    "release_day": N_("%(who)s gave back a day's route"),
    "offer_route": N_("%(who)s offered a released route to %(whom)s"),
    "accept_offer": N_("%(who)s took over a released route"),
    "decline_offer": N_("%(who)s declined a released route"),
    "replan_released_day": N_("%(who)s re-planned a released day"),
    "issue_route_link": N_("%(who)s made a route link for %(whom)s"),
    "revoke_route_link": N_("%(who)s withdrew a route link of %(whom)s"),
    "succeeded": N_("%(who)s finished planning the day"),
    "escort_attended": N_("%(who)s took %(whom)s to the activity: attendance noted"),
    "opt_out": N_("%(who)s stopped the messages to a person"),
    "failed": N_("%(who)s could not plan the day"),
    "cancelled": N_("%(who)s stopped planning the day"),
    "timed_out": N_("%(who)s ran out of time planning the day"),
}
OTHERWISE = N_("%(who)s changed %(what)s")
# The kinds of record, as the sentences name them.
ENTITIES = {
    "client": N_("the client file"),
    "volunteer": N_("the volunteer record"),
    "schedule": N_("a service schedule"),
    "availability": N_("an availability"),
    "task": N_("the day's tasks"),
    "plan": N_("the day's plan"),
    "plan_route": N_("a route"),
    "plan_stop": N_("a stop"),
    "outcome": N_("an outcome"),
    "alert": N_("an alert"),
    "route_link": N_("a route link"),
    "route_release": N_("a released day"),
    "user": N_("an account"),
    "station": N_("the station's settings"),
    "closure": N_("a closure"),
    "menu": N_("a menu"),
    "planning_job": N_("a planning job"),
    "site": N_("a site"),
    "team": N_("a team"),
    "notification": N_("a contact preference"),
    "contact_preference": N_("a contact preference"),
    "activity": N_("a group activity"),
    "invitation": N_("an invitation"),
}
# Who acted when no person did: the interface the change came through.
INTERFACES = {
    "simulation": N_("The simulation"),
    "import": N_("An import"),
    "demo": N_("The demo loader"),
    "planning": N_("The planner"),
    "benchmark": N_("A benchmark"),
    "cli": N_("The command line"),
}
SOMEONE = N_("The system")
# Fields of a change people read; the rest (ids, revisions, hashes) stay in the raw entry.
PEOPLE_FIELDS = {
    "client_id": N_("Client"),
    "volunteer_id": N_("Volunteer"),
    "kind": N_("What"),
    "note": N_("Note"),
    "resolution": N_("How it ended"),
    "result": N_("Result"),
}
_HIDDEN = {"station_id", "site_id", "client_event_id", "revision", "plan_revision"}
# Kinds of record whose sentence names the person they are about.
_NAMED = ("client", "volunteer", "plan_stop", "availability", "schedule", "task")


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    when: str  # in the station's time: "11-24 14:58"
    sentence: str
    changes: list[Change]
    raw: AuditEventPublic
    # The sentence without whom it is about: what entries of one run have in common.
    headline: str


@dataclass(frozen=True)
class Run:
    """Entries in a row that say the same thing of different people in the same minute (a
    day's 118 tasks generated, a file's rows imported): read as one line, opened to see each."""

    entries: list[Entry]

    @property
    def first(self) -> Entry:
        return self.entries[0]


SHORTEST_RUN = 3  # fewer entries are read one by one


def runs(entries: list[Entry]) -> list[Run]:
    """The entries, in the order given, with each run of like entries gathered."""
    gathered: list[list[Entry]] = []
    for entry in entries:
        if gathered and entry.headline and _alike(gathered[-1][-1], entry):
            gathered[-1].append(entry)
        else:
            gathered.append([entry])
    found: list[Run] = []
    for run in gathered:
        found += [Run(run)] if len(run) >= SHORTEST_RUN else [Run([entry]) for entry in run]
    return found


def _alike(one: Entry, other: Entry) -> bool:
    return (one.when, one.headline, one.raw.actor_user_id, one.raw.interface) == (
        other.when,
        other.headline,
        other.raw.actor_user_id,
        other.raw.interface,
    )


def readable(event: AuditEventPublic, gettext: Gettext, timezone: str) -> Entry:
    _ = gettext
    who = event.actor_name or _(INTERFACES.get(_interface(event.interface), SOMEONE))
    whom = event.client_name or event.volunteer_name or ""
    kind = _(ENTITIES[event.entity]) if event.entity in ENTITIES else ""
    what = f"{kind} · {whom}" if whom and event.entity in _NAMED else kind
    values = {
        "who": who,
        "whom": whom or _("someone"),
        "what": what,
        "detail": _detail(event, gettext),
    }
    template = _(SENTENCES.get(event.action, OTHERWISE))
    sentence = template % values
    # Only a sentence that names the person in its `what` has a headline without them.
    headline = template % (values | {"what": kind}) if what != kind else ""
    names = {
        "client_id": event.client_name,
        "volunteer_id": event.volunteer_name,
    }
    changes = [
        change
        for field, values_ in sorted(event.changes.items())
        if (change := _change(field, values_, gettext, timezone, names)) is not None
    ]
    when = event.at.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")
    return Entry(when=when, sentence=sentence, changes=changes, raw=event, headline=headline)


def _interface(interface: str) -> str:
    """ "route link 12" and "import" alike: the interface's first word."""
    return interface.split(" ", 1)[0]


def _detail(event: AuditEventPublic, gettext: Gettext) -> str:
    for field in ("kind", "reason"):
        pair = event.changes.get(field)
        if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], str):
            return gettext(CHOICES.get(pair[1], pair[1]))
    return ""


def _change(
    field: str,
    pair: object,
    gettext: Gettext,
    timezone: str,
    names: dict[str, str | None],
) -> Change | None:
    label = PEOPLE_FIELDS.get(field) or LABELS.get(field)
    if label is None or field in _HIDDEN:
        return None
    if not (isinstance(pair, list) and len(pair) == 2):
        return None
    before, after = (_value(field, v, gettext, timezone, names) for v in pair)
    if before == after:  # nothing a person reads changed ("–" to "–": None to an empty list)
        return None
    return Change(label=gettext(label), before=before, after=after)


def _value(
    field: str, value: object, gettext: Gettext, timezone: str, names: dict[str, str | None]
) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if names.get(field):
        return str(names[field])
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return gettext(", ").join(_value(field, item, gettext, timezone, names) for item in value)
    if isinstance(value, dict) and "start" in value:  # a schedule's hold
        return period_text(value)
    if isinstance(value, str):
        if value in CHOICES:
            return gettext(CHOICES[value])
        if len(value) == 8 and value[2] == ":" and value[5] == ":":
            return value[:5]  # a time of day: 11:30:00 reads 11:30
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return moment.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")
        return value
    return str(value)
