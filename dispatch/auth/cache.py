"""Who a token is, kept in each server process.

Every authenticated request asks who its token belongs to. Kept here, a request needs no
query (and no thread) to know: the cost of authentication becomes a dictionary look-up. What
makes the answer wrong (a logout, an account disabled or changed, a volunteer moved to
another station) empties this process's cache when its transaction commits, and moves the
auth epoch (a number in the database) in the same transaction: every other server process
reads the epoch each second and empties its own cache when it moved. Entries also expire
after `CAREROUTE_AUTH_CACHE_SECONDS` (0 to keep nothing). A token's own expiry is checked on
every request, cached or not.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import TTLCache
from sqlalchemy import Engine, event, inspect
from sqlmodel import Session, col, select

from dispatch.access import Principal
from dispatch.db import insert_with_conflicts, reading
from dispatch.users.schemas import UserPublic
from models import AuthEpoch, AuthToken, Station, User, UserStation, Volunteer
from models.common import utcnow

# Set on a session whose flush changed what a token stands for: the request empties the cache
# once the change is committed.
AUTH_CHANGED = "careroute.auth_changed"
_WHO = (AuthToken, User, UserStation, Volunteer, Station)
# What a login writes to the account: it changes nothing a token stands for.
_LOGIN_TRACES = frozenset({"last_login_at", "updated_at"})
EPOCH_SECONDS = 1.0  # how often a server process reads the auth epoch
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedIn:
    """What a valid token stands for: the principal, the account as `/api/auth/me` shows
    it, when the token expires, and the language of its station's pages (the reader's
    first station: a page of no station is read in it unless the reader chose another)."""

    principal: Principal
    user: UserPublic
    expires_at: datetime
    locale: str = "zh-CN"


class SignedInCache:
    """Tokens (by digest and interface) and whom they stand for, for `seconds`."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self._kept: TTLCache[tuple[str, str], SignedIn] | None = (
            TTLCache(maxsize=size, ttl=seconds) if seconds > 0 else None
        )
        self._lock = threading.Lock()  # cleared from the request threads, read from the loop
        self.epoch: int | None = None  # the auth epoch as this process last read it

    def get(self, key: tuple[str, str]) -> SignedIn | None:
        if self._kept is None:
            return None
        with self._lock:
            found = self._kept.get(key)
        return found if found is not None and found.expires_at > utcnow() else None

    def put(self, key: tuple[str, str], signed_in: SignedIn, epoch: int | None) -> None:
        """Keep what was read while the epoch was `epoch`; nothing if it has moved since (the
        answer may predate the change)."""
        if self._kept is not None:
            with self._lock:
                if epoch == self.epoch:
                    self._kept[key] = signed_in

    def observe(self, epoch: int | None) -> None:
        """The auth epoch as just read: everything kept is forgotten if it moved."""
        with self._lock:
            if epoch != self.epoch:
                self.epoch = epoch
                if self._kept is not None:
                    self._kept.clear()

    def clear(self) -> None:
        if self._kept is not None:
            with self._lock:
                self._kept.clear()


@event.listens_for(Session, "after_flush")
def _note_auth_changes(session: Session, _context: Any) -> None:
    # A new token, account or volunteer makes no kept answer wrong; a station given is one.
    changed = [row for row in (*session.dirty, *session.deleted) if _changes_who(row)]
    if changed or any(isinstance(row, UserStation) for row in session.new):
        session.info[AUTH_CHANGED] = True
        # Here, before the audit trail locks its chains at commit: always in that order.
        connection = session.connection()
        moved = insert_with_conflicts(connection.dialect.name)(AuthEpoch).values(id=1, value=1)
        connection.execute(
            moved.on_conflict_do_update(
                index_elements=["id"], set_={"value": col(AuthEpoch.value) + 1}
            )
        )


def _changes_who(row: object) -> bool:
    if not isinstance(row, _WHO):
        return False
    if isinstance(row, User):
        state = inspect(row)
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        return bool(changed - _LOGIN_TRACES)
    if isinstance(row, Station):  # only its language is kept with who is signed in
        return bool(inspect(row).attrs.locale.history.has_changes())
    return True


def read_epoch(engine: Engine) -> int | None:
    with reading(engine) as session:
        return session.execute(select(AuthEpoch.value).where(AuthEpoch.id == 1)).scalar()


async def watch_epoch(cache: SignedInCache, engine: Engine) -> None:
    """Read the auth epoch each second for as long as the server runs."""
    while True:
        try:
            cache.observe(await asyncio.to_thread(read_epoch, engine))
        except Exception:  # the database away for a moment: kept answers expire on their own
            _log.warning("could not read the auth epoch", exc_info=True)
        await asyncio.sleep(EPOCH_SECONDS)
