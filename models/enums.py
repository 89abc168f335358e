"""Closed vocabularies shared by the tables, the API and the importers."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    VOLUNTEER = "volunteer"


class SiteKind(StrEnum):
    KITCHEN = "kitchen"
    PHARMACY = "pharmacy"
    OFFICE = "office"
    VENUE = "venue"  # a hall or activity room: where gatherings are held


class TeamKind(StrEnum):
    COMMUNITY = "community"  # a community team of the station
    VILLAGE_POINT = "village_point"  # a village service point, often with its own pickup site


class Diet(StrEnum):
    REGULAR = "regular"
    DIABETIC = "diabetic"
    LOW_SALT = "low_salt"
    SOFT = "soft"  # soft or minced, for clients who cannot chew
    HALAL = "halal"
    VEGETARIAN = "vegetarian"


class Mobility(StrEnum):
    INDEPENDENT = "independent"
    WALKING_AID = "walking_aid"
    WHEELCHAIR = "wheelchair"
    BEDRIDDEN = "bedridden"


class Disability(StrEnum):
    """The categories of China's disability certificate (残疾人证), plus none."""

    NONE = "none"
    PHYSICAL = "physical"
    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # e.g. in hospital, visiting family
    ENDED = "ended"


class GeocodeStatus(StrEnum):
    OK = "ok"  # coordinates from a geocoder
    MANUAL = "manual"  # coordinates given by a person or a file
    PENDING = "pending"  # address not yet geocoded
    NEEDS_LOCATION = "needs_location"  # geocoding failed; a coordinator must place it


class Datum(StrEnum):
    """Coordinate systems met in China; everything stored is WGS-84."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


class TravelMode(StrEnum):
    WALK = "walk"
    BICYCLE = "bicycle"
    EBIKE = "ebike"
    CAR = "car"


class AvailabilityKind(StrEnum):
    WEEKLY = "weekly"  # a recurring slot on a weekday
    LEAVE = "leave"  # dated absence (whole days, or part of a day)
    EXTRA = "extra"  # dated extra slot outside the weekly pattern


class ServiceKind(StrEnum):
    MEAL = "meal"
    MEDICINE = "medicine"
    VISIT = "visit"
    # Going with a client who cannot go alone to a group activity, and back home after it.
    ESCORT_THERE = "escort_there"
    ESCORT_BACK = "escort_back"


ESCORTS = frozenset({ServiceKind.ESCORT_THERE, ServiceKind.ESCORT_BACK})


class Recurrence(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"  # on given weekdays, every `interval_weeks` weeks


class TokenKind(StrEnum):
    SESSION = "session"  # browser cookie
    API = "api"  # bearer token for API clients


class TaskStatus(StrEnum):
    OPEN = "open"  # due, not yet on a route
    PLANNED = "planned"  # on a route of a draft or published plan
    DONE = "done"  # an outcome was recorded
    CANCELLED = "cancelled"  # no longer due (hold, skip, client paused...) before planning


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the planner crashed or refused the day: the previous plan stands
    TIMED_OUT = "timed_out"  # no answer well past its time limit: the process was stopped
    CANCELLED = "cancelled"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # an earlier draft or version


class StopKind(StrEnum):
    PICKUP = "pickup"  # at the kitchen or pharmacy, or the venue of an escort's activity
    DOOR = "door"  # at the client's


class OutcomeKind(StrEnum):
    DELIVERED = "delivered"
    NO_ANSWER = "no_answer"  # a safety event: nobody opened at an elderly person's door
    REFUSED = "refused"
    NOT_HOME = "not_home"  # away, or in hospital
    UNREACHABLE = "unreachable"  # could not reach the address


class RoundEvent(StrEnum):
    STARTED = "started"
    FINISHED = "finished"


class ProofStatus(StrEnum):
    """Whether the client's card code was given at the door (proof of delivery)."""

    NONE = "none"  # not asked, or not entered
    CONFIRMED = "confirmed"  # the code of the client's current card
    MISMATCH = "mismatch"  # a code was entered but it is not the client's: look into it


class AlertReason(StrEnum):
    NO_ANSWER = "no_answer"
    CONCERN = "concern"  # the volunteer is worried about the client


class AlertStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class LadderStep(StrEnum):
    """The steps of the no-answer protocol, in the order a station usually walks them."""

    CALL_CLIENT = "call_client"
    CALL_EMERGENCY_CONTACT = "call_emergency_contact"
    SOCIAL_WORKER_VISIT = "social_worker_visit"
    EMERGENCY_SERVICES = "emergency_services"  # 110 / 120


class Resolution(StrEnum):
    CLIENT_SAFE = "client_safe"
    IN_HOSPITAL = "in_hospital"
    AWAY = "away"  # with family, travelling
    EMERGENCY_SERVICES = "emergency_services"  # handed over to 110/120
    OTHER = "other"


class ReleaseStatus(StrEnum):
    """A day a volunteer can no longer do, until someone else has their route."""

    OPEN = "open"  # released: the coordinator finds someone
    OFFERED = "offered"  # offered to another volunteer, awaiting their answer
    TAKEN = "taken"  # accepted: the next re-plan hands the route over
    REPLANNED = "replanned"  # re-planned: the route went to others (or to the taker)


class Channel(StrEnum):
    """How a person is told."""

    EMAIL = "email"  # SMTP
    SMS = "sms"  # Tencent Cloud SMS, with the station's approved templates
    CHAT = "chat"  # a group chat bot or webhook through Apprise (WeCom, DingTalk, JSON)


class Audience(StrEnum):
    """Who a contact preference is for; its person_id names them in the matching table."""

    VOLUNTEER = "volunteer"  # volunteer.id
    STAFF = "staff"  # user.id: a coordinator or manager
    FAMILY = "family"  # client.id: the client's family (emergency) contact, with consent
    STATION = "station"  # station.id: the station's staff group chat


class NoticeEvent(StrEnum):
    ROUTE_PUBLISHED = "route_published"  # a volunteer's route of a day, first published
    ROUTE_CHANGED = "route_changed"  # re-published with other stops, order or times
    ROUTE_WITHDRAWN = "route_withdrawn"  # re-published without a route for them
    REMINDER = "reminder"  # the evening before: tomorrow's route
    ALERT_RAISED = "alert_raised"  # a no-answer or a concern at a client's door
    ALERT_STEP_DUE = "alert_step_due"  # a step of the no-answer ladder due and not taken
    FAMILY_DELIVERED = "family_delivered"
    FAMILY_NO_ANSWER = "family_no_answer"


class NoticeStatus(StrEnum):
    PENDING = "pending"  # waiting its time (new, quiet hours, or a retry after a failure)
    SENDING = "sending"  # taken by a sender
    SENT = "sent"
    FAILED = "failed"  # given up after the last retry, or refused by the channel for good
    SKIPPED = "skipped"  # not sent: the person opted out or withdrew consent


class Notify(StrEnum):
    """Whom a step of the no-answer ladder tells when it falls due and is not taken."""

    ON_DUTY = "on_duty"  # the coordinators on duty (all of the station's, if none is)
    COORDINATORS = "coordinators"
    MANAGERS = "managers"
    STATION_CHAT = "station_chat"


class ActivityKind(StrEnum):
    GATHERING = "gathering"  # a monthly gathering, a birthday party
    HEALTH_TALK = "health_talk"
    OUTING = "outing"
    OTHER = "other"
