"""The banner of a page, for the web's pages and the CLI's listings: the strictest marking
among the items it shows, as the one visibility rule (`npdesk.store.visibility`) reads their
banners, `REL TO` the reader's country for a partner reader."""

from __future__ import annotations

from npdesk.store.visibility import page_banner

__all__ = ["page_banner"]
