"""Who a token is, kept for a few seconds in each server process.

Every authenticated request asks who its token belongs to. Kept here, a request needs no
query (and no thread) to know: the cost of authentication becomes a dictionary look-up. What
makes the answer wrong (a logout, an account disabled or changed, a volunteer moved to
another station) empties this process's cache when its transaction commits; another server
process notices within the cache's lifetime (`CAREROUTE_AUTH_CACHE_SECONDS`, 0 to keep
nothing). A token's own expiry is checked on every request, cached or not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import TTLCache
from sqlalchemy import event
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.users.schemas import UserPublic
from models import AuthToken, User, UserStation, Volunteer
from models.common import utcnow

# Set on a session whose flush changed what a token stands for: the request empties the cache
# once the change is committed.
AUTH_CHANGED = "careroute.auth_changed"
_WHO = (AuthToken, User, UserStation, Volunteer)


@dataclass(frozen=True)
class SignedIn:
    """What a valid token stands for: the principal, the account as `/api/auth/me` shows
    it, and when the token expires."""

    principal: Principal
    user: UserPublic
    expires_at: datetime


class SignedInCache:
    """Tokens (by digest and interface) and whom they stand for, for `seconds`."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self._kept: TTLCache[tuple[str, str], SignedIn] | None = (
            TTLCache(maxsize=size, ttl=seconds) if seconds > 0 else None
        )
        self._lock = threading.Lock()  # cleared from the request threads, read from the loop

    def get(self, key: tuple[str, str]) -> SignedIn | None:
        if self._kept is None:
            return None
        with self._lock:
            found = self._kept.get(key)
        return found if found is not None and found.expires_at > utcnow() else None

    def put(self, key: tuple[str, str], signed_in: SignedIn) -> None:
        if self._kept is not None:
            with self._lock:
                self._kept[key] = signed_in

    def clear(self) -> None:
        if self._kept is not None:
            with self._lock:
                self._kept.clear()


@event.listens_for(Session, "after_flush")
def _note_auth_changes(session: Session, _context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, _WHO) for row in changed):
        session.info[AUTH_CHANGED] = True
