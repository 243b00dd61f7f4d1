"""Small text facts shared by the body and signature readers."""

TERMINAL = frozenset(".!?:;\"')”’]")  # characters that end a sentence or a clause
