"""Failed logins are limited (moving windows, `limits`) so that guessing is slow, without
letting someone else's failures lock an account's owner out.

- per account and address: the bar a guesser at one address meets first, with delays that
  grow: a minute's wait after a few failures, up to an hour's after four times as many;
- per address: several people may share one (an office behind one NAT address), so four
  times as lenient;
- per account from anywhere: against guessing from many addresses, ten times the bar per
  hour, so that a few failures elsewhere never lock out the owner's own phone.
"""

from limits import RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginLimiter:
    def __init__(self, failures_per_minute: int, shared_url: str | None = None) -> None:
        """`shared_url`: a Redis that several server processes count failures in (else
        each process counts its own, in memory)."""
        storage = storage_from_string(shared_url) if shared_url else MemoryStorage()
        assert isinstance(storage, Storage)  # a synchronous one
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._per_pair = RateLimitItemPerMinute(failures_per_minute)
        self._per_pair_hour = RateLimitItemPerHour(failures_per_minute * 4)
        self._per_address = RateLimitItemPerMinute(failures_per_minute * 4)
        self._per_account = RateLimitItemPerHour(failures_per_minute * 10)

    def blocked(self, username: str, address: str) -> bool:
        account = username.lower()
        return not (
            self._limiter.test(self._per_pair, "pair", account, address)
            and self._limiter.test(self._per_pair_hour, "pair-hour", account, address)
            and self._limiter.test(self._per_address, "address", address)
            and self._limiter.test(self._per_account, "account", account)
        )

    def failed(self, username: str, address: str) -> None:
        account = username.lower()
        self._limiter.hit(self._per_pair, "pair", account, address)
        self._limiter.hit(self._per_pair_hour, "pair-hour", account, address)
        self._limiter.hit(self._per_address, "address", address)
        self._limiter.hit(self._per_account, "account", account)

    def reset(self) -> None:
        self._storage.reset()
