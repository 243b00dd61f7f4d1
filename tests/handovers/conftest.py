"""The partner-rendering desk of `tests.cases._partner_world` and its web app."""

from tests.cases._partner_world import client, world  # noqa: F401 (fixtures)
