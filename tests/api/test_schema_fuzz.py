"""Every operation of the API, fuzzed from its OpenAPI description with Schemathesis, as a
coordinator, a volunteer and a manager of a station with a planned day: no input reaches a
server error, and every answer is what the description says it is.

Derandomized (the same cases on every run) and capped per operation so that one run takes a
few minutes on each database; planning jobs are capped at one second.
"""

from contextlib import suppress
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.errors import InvalidSchema
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from models.enums import Role
from tests.builders.accounts import create_account
from tests.builders.days import plan_day
from tests.conftest import RunningServer

EXAMPLES_PER_OPERATION = 12
# Last, so that the token it revokes is not needed afterwards.
LAST = ("/api/auth/logout",)
Operation = APIOperation[Any, Any, Any, Any]
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.VOLUNTEER, Role.MANAGER])
def test_no_input_reaches_a_server_error_and_answers_match_their_schema(
    api: httpx.Client, session: Session, server: RunningServer, role: Role
) -> None:
    day = plan_day(api, session, clients=6, volunteers=2)
    if role is Role.COORDINATOR:
        headers = day.coordinator.headers
    elif role is Role.VOLUNTEER:
        headers = next(iter(day.volunteers.values())).headers
    else:
        headers = create_account(session, role=role, stations=(day.station,)).headers
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = sorted(
        (_described(result) for result in schema.get_all_operations()),
        key=lambda op: (op.path in LAST, op.path, op.method),
    )
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation.as_strategy(generation_mode=mode), server.url, headers, failures)
    if failures:
        pytest.fail(f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures))


def _described(result: Ok[Operation] | Err[InvalidSchema]) -> Operation:
    """The operation, or the test fails on a description Schemathesis cannot read."""
    if isinstance(result, Err):
        pytest.fail(f"the API's description is invalid: {result.err()}")
    return result.ok()


def _fuzz(
    cases: st.SearchStrategy[Any], base_url: str, headers: dict[str, str], failures: list[str]
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # a failure is kept, not shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        _cap_planning(case)
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as error:  # a check failed
            failures.append(f"{case.method} {case.formatted_path}: {error}")

    with suppress(Unsatisfiable):  # an operation without input has no invalid case
        run()


def _cap_planning(case: Any) -> None:
    """A planning job asked for by the fuzzer runs for one second, not ten minutes."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("time_limit_seconds"), int | float):
        body["time_limit_seconds"] = min(body["time_limit_seconds"], 1)
