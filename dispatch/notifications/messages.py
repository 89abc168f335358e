"""The words of each message, in the recipient's language.

A message is written when its event happens; the links in it are put in when it is sent
(the sender signs them), so the stored text holds `{link}` where the link goes. An SMS is
sent as the station's approved template for its event, filled with `params` in order
(README: the templates to register).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dispatch.i18n import N_, translations
from models.enums import NoticeEvent

LINK = "{link}"


@dataclass(frozen=True)
class Text:
    subject: str
    body: str
    params: list[str] = field(default_factory=list)


_SUBJECTS: dict[NoticeEvent, str] = {
    NoticeEvent.ROUTE_PUBLISHED: N_("Your route for %(day)s"),
    NoticeEvent.ROUTE_CHANGED: N_("Your route for %(day)s has changed"),
    NoticeEvent.ROUTE_WITHDRAWN: N_("No route for you on %(day)s"),
    NoticeEvent.REMINDER: N_("Tomorrow's route, %(day)s"),
    NoticeEvent.ALERT_RAISED: N_("Alert: %(reason)s at %(client)s's door"),
    NoticeEvent.ALERT_STEP_DUE: N_("Alert for %(client)s: “%(step)s” is due"),
    NoticeEvent.FAMILY_DELIVERED: N_("%(client)s: delivered"),
    NoticeEvent.FAMILY_NO_ANSWER: N_("%(client)s: no answer at the door"),
}

_BODIES: dict[NoticeEvent, str] = {
    NoticeEvent.ROUTE_PUBLISHED: N_(
        "Your route for %(day)s is ready: %(stops)s stops, the first at %(start)s. "
        "Open it here: %(link)s"
    ),
    NoticeEvent.ROUTE_CHANGED: N_(
        "The coordinator changed your route for %(day)s: now %(stops)s stops, the first at "
        "%(start)s. Open it again here: %(link)s"
    ),
    NoticeEvent.ROUTE_WITHDRAWN: N_(
        "The coordinator changed the plan of %(day)s: you have no route that day any more. "
        "Thank you!"
    ),
    NoticeEvent.REMINDER: N_(
        "A reminder: tomorrow, %(day)s, you have %(stops)s stops, the first at %(start)s. "
        "Your route: %(link)s"
    ),
    NoticeEvent.ALERT_RAISED: N_(
        "%(volunteer)s reports %(reason)s at %(client)s's door at %(time)s. "
        "Open the day's alerts: %(link)s"
    ),
    NoticeEvent.ALERT_STEP_DUE: N_(
        "The alert for %(client)s (raised at %(time)s) is still open: “%(step)s” was due at "
        "%(due)s and is not recorded. Open the day's alerts: %(link)s"
    ),
    NoticeEvent.FAMILY_DELIVERED: N_("%(station)s: %(client)s's visit was done at %(time)s today."),
    NoticeEvent.FAMILY_NO_ANSWER: N_(
        "%(station)s: nobody answered at %(client)s's door at %(time)s today. The station is "
        "checking on them; you can call %(phone)s."
    ),
}

# The values an SMS template of each event takes, in order.
SMS_PARAMS: dict[NoticeEvent, tuple[str, ...]] = {
    NoticeEvent.ROUTE_PUBLISHED: ("day", "stops", "start", "link"),
    NoticeEvent.ROUTE_CHANGED: ("day", "stops", "start", "link"),
    NoticeEvent.ROUTE_WITHDRAWN: ("day",),
    NoticeEvent.REMINDER: ("day", "stops", "start", "link"),
    NoticeEvent.ALERT_RAISED: ("volunteer", "reason", "client", "time", "link"),
    NoticeEvent.ALERT_STEP_DUE: ("client", "time", "step", "due", "link"),
    NoticeEvent.FAMILY_DELIVERED: ("station", "client", "time"),
    NoticeEvent.FAMILY_NO_ANSWER: ("station", "client", "time", "phone"),
}

# Values that are words (an alert's reason, a ladder step), translated with the message
# (the same words as the pages', dispatch.web.forms.CHOICES, which services do not import).
_WORDS = {
    "no_answer": N_("no answer"),
    "concern": N_("concern"),
    "call_client": N_("call the client"),
    "call_emergency_contact": N_("call the emergency contact"),
    "social_worker_visit": N_("social worker visits"),
    "emergency_services": N_("emergency services"),
}

OPT_OUT = N_("Stop these messages: %(link)s")


def text(event: NoticeEvent, locale: str, values: dict[str, str]) -> Text:
    """The message of an event in the locale, with `{link}` where the sender puts the link."""
    gettext = translations(locale).gettext
    filled = {
        key: gettext(_WORDS[value]) if key in ("reason", "step") else value
        for key, value in values.items()
    } | {"link": LINK}
    return Text(
        subject=gettext(_SUBJECTS[event]) % filled,
        body=gettext(_BODIES[event]) % filled,
        params=[filled[key] for key in SMS_PARAMS[event]],
    )


def opt_out_line(locale: str, link: str) -> str:
    return translations(locale).gettext(OPT_OUT) % {"link": link}
