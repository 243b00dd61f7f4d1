"""Placeholder: replaced by the telegram writer."""

from npdesk.cables.model import Cable


def render_telegram(cable: Cable) -> str:
    return ""
