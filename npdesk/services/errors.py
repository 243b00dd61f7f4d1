"""The one error vocabulary of every use case.

Services raise only these five kinds (or subclasses named for the feature, e.g.
`cases.CaseNotFound`); the web maps them once to HTTP (HTML and JSON) and the CLI once to exit
codes and a one-line message, so no handler needs to know which feature raised.

| kind           | meaning                                                 | HTTP | CLI exit |
|----------------|---------------------------------------------------------|------|----------|
| `NotFound`     | no such record, or the reader may not see it (the same) | 404  | 4        |
| `NotPermitted` | the reader may see it but may not do this               | 403  | 3        |
| `Conflict`     | the record changed or is in a state that forbids this   | 409  | 6        |
| `Invalid`      | the input is incomplete, malformed or out of range      | 422  | 2        |
| `Unavailable`  | busy, timed out or a dependency is missing: try later   | 503  | 75       |

Each derives from the builtin exception it refines (`LookupError`, `PermissionError`,
`ValueError`, ...), so code that caught those keeps working. Messages are safe to show to the
reader: they name the action or the reference the reader typed, never a hidden record's content.
"""

from __future__ import annotations


class DeskError(Exception):
    """Base of every use-case error."""


class NotFound(DeskError, LookupError):
    """No such record, or the reader may not see it: the two are indistinguishable on purpose."""


class NotPermitted(DeskError, PermissionError):
    """The reader may not perform this action."""


class Conflict(DeskError):
    """The request conflicts with the record's current state (already decided, stale, ...)."""


class Invalid(DeskError, ValueError):
    """The submitted data is incomplete, malformed or out of range."""


class Unavailable(DeskError, RuntimeError):
    """The desk cannot answer now (busy database, time budget spent, missing dependency)."""


HTTP_STATUS: dict[type[DeskError], int] = {
    NotFound: 404,
    NotPermitted: 403,
    Conflict: 409,
    Invalid: 422,
    Unavailable: 503,
}

EXIT_CODE: dict[type[DeskError], int] = {
    NotFound: 4,
    NotPermitted: 3,
    Conflict: 6,
    Invalid: 2,
    Unavailable: 75,
}


def kind_of(error: DeskError) -> type[DeskError]:
    """The vocabulary kind an error belongs to (the first of the five in its MRO)."""
    for klass in type(error).__mro__:
        if klass in HTTP_STATUS:
            return klass
    return Invalid
