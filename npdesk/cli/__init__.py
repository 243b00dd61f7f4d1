"""The `npdesk` command line. Each concern registers its own Typer sub-app in its own module."""

from npdesk.cli.main import app

__all__ = ["app"]
