"""`npdesk serve`: the web desk and the JSON API, with the proposal reader beside it, and
`npdesk db upgrade`: the schema they need."""

from __future__ import annotations

from types import FrameType
from typing import Annotated

import typer

from npdesk.cli.common import commands, one_line_errors, open_db, out
from npdesk.cli.options import DbOption
from npdesk.services.database import cancel_all

db_app = commands("Database schema.")

SHUTDOWN_GRACE_SECONDS = 5
"""After SIGTERM, how long answers still being written may take before connections close."""


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply every pending migration (safe to run again)."""
    engine = open_db(db)
    out.print(f"database at newest schema: {engine.url.render_as_string(hide_password=True)}")


@one_line_errors
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web desk and the JSON API (SIGTERM or Ctrl-C stops it within seconds)."""
    import uvicorn

    from npdesk.services.proposals import ProposalReader
    from npdesk.web.app import create_app

    engine = open_db(db)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # Searches still running are stopped in the database at once; their requests
            # answer 503 and the graceful shutdown has nothing left to wait for.
            cancel_all()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        create_app(engine),
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    out.print(f"npdesk serving on http://{host}:{port}/")
    reader = ProposalReader(engine)  # cables are read for proposals here, never on a view
    reader.start()
    try:
        Server(config).run()
    finally:
        reader.stop()
        engine.dispose()
