"""Field rules shared by several schemas; each raises a one-sentence ValueError."""

import re
from datetime import time
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema


class Refusal(ValueError):
    """A rule's refusal: an English sentence with %(name)s fields and their values. The API
    says the sentence; a page says it in the reader's language (the sentence is the msgid of
    the translation catalogue, its values filled in afterwards)."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def check_coordinates(lat: float | None, lon: float | None) -> None:
    """Coordinates come in pairs, within range, and never the null island (0, 0)."""
    if (lat is None) != (lon is None):
        raise Refusal("latitude and longitude must be given together")
    if lat is None or lon is None:
        return
    if not -90 <= lat <= 90:
        raise Refusal("latitude %(lat)s is outside -90..90", lat=lat)
    if not -180 <= lon <= 180:
        raise Refusal("longitude %(lon)s is outside -180..180", lon=lon)
    if lat == 0 and lon == 0:
        raise Refusal("coordinates 0, 0 are a missing location, not a place")


def check_window(start: time | None, end: time | None, what: str = "time window") -> None:
    """A window has both ends or neither, and ends after it starts."""
    if (start is None) != (end is None):
        raise Refusal("the %(what)s needs both a start and an end", what=what)
    if start is not None and end is not None and end <= start:
        raise Refusal(
            "the %(what)s ends at %(end)s, not after its start %(start)s",
            what=what,
            end=f"{end:%H:%M}",
            start=f"{start:%H:%M}",
        )


def _strip_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise Refusal("must not be blank")
    return value


Name = Annotated[str, AfterValidator(_strip_name)]


_PHONE_SEPARATORS = str.maketrans("", "", " -()（）")


def _normalise_phone(value: str) -> str:
    """Mainland mobile (11 digits) and landline numbers, or any +country number.

    Stored as digits only (a leading + kept for foreign numbers) so that search and
    the name+phone match of re-imports see one spelling.
    """
    digits = value.strip().translate(_PHONE_SEPARATORS)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if digits.startswith("+"):
        if digits[1:].isdigit() and 7 <= len(digits) - 1 <= 15:
            return digits
    elif digits.isdigit():
        if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
            return digits  # mobile
        if digits[0] == "0" and 10 <= len(digits) <= 12:
            return digits  # landline with area code, e.g. 025 8456 1234
        if len(digits) in (7, 8) and digits[0] != "0":
            return digits  # local landline without area code
    raise Refusal(
        "“%(value)s” is not a phone number (mobile 1xxxxxxxxxx or landline 025-xxxxxxxx)",
        value=value,
    )


Phone = Annotated[str, AfterValidator(_normalise_phone)]


# A station's short code, used in URLs and imports: lower-case letters, digits and dashes.
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]+$")]


# A time of day is the station's wall-clock time: "09:30" or "09:30:00", never with an offset
# ("09:30Z", "09:30+08:00" are refused: the station's time zone says what they mean). The
# answers send "HH:MM:SS", and the description says so instead of JSON Schema's `time`
# format, which requires an offset.
_OFFSET = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$", re.IGNORECASE)


def _without_offset(value: object) -> object:
    if isinstance(value, str) and _OFFSET.search(value.strip()):
        raise Refusal(
            "“%(value)s” has a time zone: give the station's local time without one, as 09:30",
            value=value,
        )
    return value


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise Refusal("give the station's local time without a time zone, as 09:30")
    return value.replace(microsecond=0)


LocalTime = Annotated[
    time,
    BeforeValidator(_without_offset),
    AfterValidator(_local),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
            "description": "the station's local time of day, HH:MM or HH:MM:SS, no offset",
            "examples": ["09:30"],
        }
    ),
]
