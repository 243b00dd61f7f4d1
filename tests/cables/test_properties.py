"""Robustness: the reader never raises anything but CableParseError, and stays fast.

Arbitrary text, the seed cut at any point, its header lines shuffled or dropped, cable-like
fragments in any order, and long pathological inputs (the kind that make backtracking regular
expressions explode) all either parse to a Cable or raise CableParseError.
"""

from __future__ import annotations

import signal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npdesk.cables import Cable, CableParseError, parse_cable

# A small telegram written for these tests, so that they run without ../shared too.
TELEGRAM = """O 201106Z MAR 08
FM AMEMBASSY BEIJING
TO RUEHC/SECSTATE WASHDC IMMEDIATE 5948
INFO AMEMBASSY TOKYO PRIORITY

S E C R E T SECTION 01 OF 02 BEIJING 001050

NOFORN
SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM, PREL, ETTC, OVIP (SMITH, JOHN), CH
SUBJECT: EXPORT CONTROL WORKSHOP
FOLLOW-UP

REF: A. 07 BEIJING 5361
     B. STATE 1234 AND PREVIOUS
     C. EMAIL OF 03/01/2008

Classified By: Political Counselor Jane Doe.
Reasons 1.4 (b/d).

Summary

1. (S/NF) The workshop went well. End Summary.

BEIJING 00001050 002 OF 002

2. (C) Officials asked for more
cooperation.

RANDT
NNNN
"""
HEADER_PREFIXES = ("O ", "FM", "TO", "INFO", "S E C", "NOFORN", "SIPDIS", "E.O.", "TAGS", "SUBJ")
FRAGMENTS = [
    "",
    "¶",
    "[1](#)",
    "1. (S)",
    "2. (C/NF) text.",
    "(SBU)",
    "REF: A. 07 BEIJING 5361",
    "B. STATE 1234",
    "TAGS: PREL, ",
    "SUBJECT:",
    "E.O. 12958: DECL: 13/45/2033",
    "EO 12958 DECL: 2033/02/30",
    "Classified By: X for reasons 1.4 (b",
    "S E C R E T SECTION 01 OF 99 BEIJING 0",
    "UNCLAS",
    "C O N F I D E N T I A L",
    "O 991199Z ZZZ 08",
    "P 201106Z FEB 08",
    "FM",
    "TO ",
    "INFO RUEHC/",
    "MADRID 00000869 002.2 OF 004",
    "PAGE 02 CAPE T 00097 01 OF 03 182017Z",
    "Summary",
    "End Summary.",
    "RANDT",
    "NNNN",
    "End Cable Text",
    "<pre>",
    "</pre>",
    "&#x000A;",
    "<table class='cable'><tr><td>x</td></tr></table>",
    "<a id='par1' href='#par1'>¶</a>",
    "-- bullet",
    "XXXXXXXXXXXX",
]


def parse_or_error(text: str) -> Cable | None:
    """The contract under test: a Cable, or CableParseError; anything else fails the test."""
    try:
        cable = parse_cable(text)
    except CableParseError as error:
        assert error.reason
        return None
    cable.to_dict()  # every field must serialize
    return cable


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text(text: str) -> None:
    parse_or_error(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_decoded_leniently(data: bytes) -> None:
    parse_or_error(data.decode("utf-8", errors="replace"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=40), max_size=60))
def test_cable_like_fragments_in_any_order(lines: list[str]) -> None:
    parse_or_error("\n".join(lines))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(TELEGRAM)))
def test_truncated_telegram(cut: int) -> None:
    cable = parse_or_error(TELEGRAM[:cut])
    if cut == len(TELEGRAM):
        assert cable is not None and cable.id == "08BEIJING1050"


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_truncated_seed(seed_text: str, data: st.DataObject) -> None:
    parse_or_error(seed_text[: data.draw(st.integers(min_value=0, max_value=len(seed_text)))])


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_shuffled_and_missing_header_lines(data: st.DataObject) -> None:
    lines = TELEGRAM.split("\n")
    header = [i for i, line in enumerate(lines[:25]) if line.startswith(HEADER_PREFIXES)]
    kept = data.draw(st.lists(st.sampled_from(header), unique=True))
    order = data.draw(st.permutations(kept))
    body = [line for i, line in enumerate(lines) if i not in header]
    cable = parse_or_error("\n".join([lines[i] for i in order] + body))
    if cable is not None:
        assert cable.signers == ["RANDT"]
        assert [p.number for p in cable.paragraphs if p.number is not None] == [1, 2]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_lines_dropped_anywhere(data: st.DataObject) -> None:
    lines = TELEGRAM.split("\n")
    dropped = data.draw(st.sets(st.integers(min_value=0, max_value=len(lines) - 1)))
    parse_or_error("\n".join(line for i, line in enumerate(lines) if i not in dropped))


PATHOLOGICAL = [
    " " * 200_000,
    "(" * 100_000,
    "1.4 " * 50_000,
    "Classified By: " + "a " * 50_000,
    "REF: " + "A. " * 30_000,
    "REF: " + "STATE 1, " * 20_000,
    "TAGS: " + "PREL, " * 30_000,
    "SUBJECT: " + "X" * 200_000,
    "S E C R E T " + "SECTION 1 OF 2 " * 10_000,
    "1. (S) " + "word " * 50_000 + "\n" * 50_000,
    "\n".join(["1. (S) x."] * 20_000),
    "\n".join(["Summary"] * 20_000),
    "<pre>" * 50_000,
    "[1](#)" * 50_000,
    "¶" * 100_000,
    "O 201106Z MAR 08\nFM X\n" + "TO Y\n" * 20_000,
    "-" * 200_000 + " RANDT",
    "http://" + "a" * 100_000 + " Smith",
    "SUBJECT: X\nREF: " + "\n".join(f"STATE {n}; MOSCOW {n}" for n in range(20_000)),
    "SUBJECT: X\nTAGS: A,\n" + "\n".join(f"T{n:05d}, U{n:05d}," for n in range(20_000)),
    "O 201106Z MAR 08\nFM X\nTO Y\n" + "\n".join(f"R{n} IMMEDIATE {n}" for n in range(20_000)),
    "SUBJECT: X\n\n" + "\n".join(f"{n}. (S) text {n}." for n in range(1, 20_000)),
]


def _hung(_signum: int, _frame: object) -> None:
    raise TimeoutError("the reader did not finish")


def test_pathological_inputs_finish() -> None:
    # Each input parses in under 0.1 s on a quiet machine (`make bench` measures speed); the
    # alarm only turns a catastrophic backtrack into a failure instead of a hung suite, far
    # above any honest timing so a loaded CI machine cannot fail it.
    previous = signal.signal(signal.SIGALRM, _hung)
    try:
        for text in PATHOLOGICAL:
            signal.alarm(60)
            parse_or_error(text)
            signal.alarm(0)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
