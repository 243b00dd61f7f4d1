"""Schemathesis against the OpenAPI schema, authenticated as each role: no server error and no
response that violates the schema.

Cases are drawn with Hypothesis from each operation's strategy here rather than through
schemathesis' pytest plugin, which does not run under this pytest. Revoking the token in use is
left out (it would sign the role out for the rest of the run); the sign-in tests cover it.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.security._web_world import USERS, World

SKIPPED = {("DELETE", "/api/v1/auth/token")}


def _operations(world: World) -> list[Any]:
    # The schema itself needs a login, like every route but /login and /healthz.
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", world.app, headers=world.headers("officer")
    )
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"the OpenAPI schema has an invalid operation: {result.err()}")
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            operations.append(operation)
    return operations


def test_the_schema_lists_the_api(world: World) -> None:
    paths = {(op.method.upper(), op.path) for op in _operations(world)}
    assert ("POST", "/api/v1/auth/token") in paths
    assert ("GET", "/api/v1/cables/{cable_id}") in paths


@pytest.mark.parametrize("who", list(USERS))
def test_api_as_every_role(world: World, who: str) -> None:
    operations = _operations(world)
    headers = world.headers(who)
    failures: list[str] = []

    @given(case=st.one_of([operation.as_strategy() for operation in operations]))
    @settings(
        max_examples=60,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )
    def run(case: Any) -> None:
        try:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
        except AssertionError as failure:  # schemathesis' failures are AssertionErrors
            failures.append(f"{case.method} {case.formatted_path}: {failure}")
            raise

    run()
    assert failures == []
