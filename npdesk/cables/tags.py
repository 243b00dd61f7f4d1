"""Placeholder: replaced by the tag dictionary."""


def unknown_tags(tags: list[str]) -> list[str]:
    return []
