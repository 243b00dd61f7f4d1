"""A firm entered on the desk joins the registry that re-screening covers, under every name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services.firms import FirmInput, create_firm
from npdesk.store.db import session_factory
from npdesk.store.models.screening import ScreenedSubject

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.S)


def test_new_firm_and_its_aliases_are_registered_for_screening(engine: Engine) -> None:
    key = create_firm(
        engine,
        OFFICER,
        FirmInput(name="Example Machinery Import Export Corporation", aliases=("EMIEC", "EMIEC")),
    )
    with session_factory(engine)() as session:
        rows = session.execute(
            select(ScreenedSubject.name, ScreenedSubject.source, ScreenedSubject.reference)
        ).all()
    assert sorted(rows) == [
        ("EMIEC", "firm", key),
        ("Example Machinery Import Export Corporation", "firm", key),
    ]
