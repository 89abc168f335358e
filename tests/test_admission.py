"""Admission: on SQLite writing requests go one at a time, reads beside them, and never more
than IN_FLIGHT requests at once (they wait in the event loop, not in worker threads)."""

import asyncio
from typing import Any

from dispatch.admission import IN_FLIGHT, Admission, WriteTurns


class Recorder:
    """An ASGI app that takes a while and notes how many requests it runs at once."""

    def __init__(self) -> None:
        self.running = {"all": 0, "writes": 0}
        self.most = {"all": 0, "writes": 0}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kinds = ["all"] + (["writes"] if scope["method"] == "POST" else [])
        for kind in kinds:
            self.running[kind] += 1
            self.most[kind] = max(self.most[kind], self.running[kind])
        await asyncio.sleep(0.01)
        for kind in kinds:
            self.running[kind] -= 1


def hammer(serial_writes: bool, methods: list[str]) -> dict[str, int]:
    inner = Recorder()
    turns = WriteTurns(serial_writes=serial_writes)
    app = Admission(inner, turns=turns, own_turns=lambda _path: False)  # type: ignore[arg-type]

    async def main() -> None:
        await asyncio.gather(
            *(app({"type": "http", "method": m, "path": "/"}, None, None) for m in methods)  # type: ignore[arg-type]
        )

    asyncio.run(main())
    return inner.most


def test_on_sqlite_writes_go_one_at_a_time_and_reads_run_beside_them() -> None:
    most = hammer(True, ["POST", "GET"] * 30)
    assert most["writes"] == 1
    assert most["all"] > 1


def test_on_postgresql_writes_run_together_up_to_the_limit() -> None:
    most = hammer(False, ["POST"] * (3 * IN_FLIGHT))
    assert most["writes"] == IN_FLIGHT
    assert most["all"] == IN_FLIGHT


def test_a_liveness_probe_passes_a_full_house() -> None:
    """Every place taken and one more request waiting: the ungated probe is answered at once,
    not after them."""
    release = asyncio.Event()
    inside: list[str] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        inside.append(scope["path"])
        if scope["path"] == "/slow":
            await release.wait()

    app = Admission(
        inner,  # type: ignore[arg-type]
        turns=WriteTurns(serial_writes=True),
        own_turns=lambda _path: False,
        ungated={"/livez"},
    )

    def request(path: str) -> Any:
        return app({"type": "http", "method": "GET", "path": path}, None, None)  # type: ignore[arg-type]

    async def main() -> None:
        slow = [asyncio.create_task(request("/slow")) for _ in range(IN_FLIGHT + 1)]
        await asyncio.sleep(0.01)
        assert inside == ["/slow"] * IN_FLIGHT  # the house is full, one waits
        await asyncio.wait_for(request("/livez"), 1)
        assert inside[-1] == "/livez"
        assert all(not task.done() for task in slow)
        release.set()
        await asyncio.gather(*slow)

    asyncio.run(main())
