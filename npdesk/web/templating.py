"""Jinja2 set-up for server-rendered pages. Autoescaping is on for every template: cable text
is untrusted input and must render as text, never as markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from npdesk.settings import two_person_release
from npdesk.store.search import MARK_END, MARK_START

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _auth_context(request: Request) -> dict[str, Any]:
    from npdesk.web.auth import template_context

    return template_context(request)


templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_auth_context])


def highlight(snippet: str | None) -> Markup:
    """Escape a search snippet, then turn the highlight delimiters into <mark> tags."""
    escaped = str(escape(snippet or ""))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def banner_class(marking: str | None) -> str:
    """CSS class for a marking banner, by level (the colours US banners use)."""
    level = (marking or "").split("//", 1)[0].upper()
    return {
        "UNCLASSIFIED": "banner-u",
        "CONFIDENTIAL": "banner-c",
        "SECRET": "banner-s",
        "TOP SECRET": "banner-ts",
    }.get(level, "banner-s")


templates.env.filters["highlight"] = highlight
templates.env.filters["banner_class"] = banner_class
templates.env.globals["two_person_release"] = two_person_release
templates.env.autoescape = True
