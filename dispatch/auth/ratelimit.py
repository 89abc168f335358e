"""Failed logins are limited per account and per address (moving window, `limits`)."""

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginLimiter:
    def __init__(self, failures_per_minute: int) -> None:
        self._storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._per_account = RateLimitItemPerMinute(failures_per_minute)
        # One address may front several people (a station's office, a NAT): be more lenient.
        self._per_address = RateLimitItemPerMinute(failures_per_minute * 4)

    def blocked(self, username: str, address: str) -> bool:
        return not (
            self._limiter.test(self._per_account, "account", username.lower())
            and self._limiter.test(self._per_address, "address", address)
        )

    def failed(self, username: str, address: str) -> None:
        self._limiter.hit(self._per_account, "account", username.lower())
        self._limiter.hit(self._per_address, "address", address)

    def reset(self) -> None:
        self._storage.reset()
