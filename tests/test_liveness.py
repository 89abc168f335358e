"""`/livez` answers while every worker thread is taken: a supervisor's liveness probe must
not restart a server that is busy, only one that is stuck."""

import asyncio

import anyio.to_thread
import httpx
import pytest

from tests.conftest import RunningServer


def test_livez_answers_while_every_worker_thread_is_busy(server: RunningServer) -> None:
    async def main() -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()
        holders = [object() for _ in range(int(limiter.total_tokens))]
        for holder in holders:
            await limiter.acquire_on_behalf_of(holder)
        transport = httpx.ASGITransport(app=server.app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                # What needs a thread (the database's check) waits: the threads are all taken.
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(client.get("/healthz"), 0.5)
                answer = await asyncio.wait_for(client.get("/livez"), 5)
                assert answer.status_code == 200
                assert answer.json() == {"status": "ok"}
        finally:
            for holder in holders:
                limiter.release_on_behalf_of(holder)

    asyncio.run(main())
