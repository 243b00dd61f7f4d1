"""The partner-rendering desk of `tests.cases._partner_world` and its web app."""

from tests.cases._partner_world import (  # noqa: F401 (fixtures)
    client,
    two_person_client,
    two_person_desk,
    world,
)
