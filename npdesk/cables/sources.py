"""Detect which of the three input forms a text is, and turn it into plain telegram lines.

The forms:
- ``telegram``: raw telegram text, used as is;
- ``html``: a cable page of the 2010 WikiLeaks release (a metadata table, then the routing header
  and the body in two ``<pre>`` blocks with ``&#x000A;`` line breaks, ``¶`` paragraph anchors and
  TAGS as links);
- ``web``: text copied from a web page showing a cable (Markdown-ish link residue such as
  ``[PARM](#)`` and ``[1](#)``, and ``¶`` signs).

Paragraph anchors (``¶`` in both page forms, ``[1](#)`` in copied text) are kept as a single
``¶`` at the start of the line: the body reader trusts a numbered line that carries one.

The pages are read with targeted string searches rather than an HTML parser: the page layout is
fixed, and the searches are both exact on it and several times faster (see docs/benchmarks.md).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from npdesk.cables.model import CableParseError, SourceFormat

PARAGRAPH_SIGN = "¶"

# The whitespace str.split() knows, except the newline and the plain space.
_OTHER_BLANKS = (
    "\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_OTHER_BLANK = re.compile(f"[{_OTHER_BLANKS}]")
_CABLE_TABLE = "<table class='cable'>"  # the metadata table of a release page
_CELL = re.compile(r"<td>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^<>]{0,500}>")
_PAR_ANCHOR = re.compile(r"<a id='par[^']{0,20}' href='#par[^']{0,20}'>¶</a>")
_WEB_NUMBER_LINK = re.compile(r"\[\d{1,4}\]\(#\)")
_WEB_LINK = re.compile(r"\[([^\[\]\n]{0,200})\]\(#\)")


@dataclass(frozen=True)
class PageMeta:
    """The metadata table of a WikiLeaks cable page, cell texts as shown."""

    reference_id: str
    created: str
    released: str
    classification: str
    origin: str


@dataclass(frozen=True)
class SourceText:
    """Normalized input: telegram lines, the detected form, and the page table when there is one."""

    lines: list[str]  # whitespace-collapsed, stripped
    source_format: SourceFormat
    page: PageMeta | None = None


def detect_format(text: str) -> SourceFormat:
    """Name the input form of `text` (see the module docstring)."""
    if "<pre" in text or _CABLE_TABLE in text or "&#x000A;" in text:
        return "html"
    head = text[:4000].lower()
    if "<html" in head or "<body" in head:
        return "html"
    if "](#)" in text or "¶" in text:
        return "web"
    return "telegram"


def normalize_source(text: str) -> SourceText:
    """Detect the form of `text` and return its telegram lines.

    Raises CableParseError for binary data and for HTML pages that hold no cable body.
    """
    if "\x00" in text:
        raise CableParseError("binary data, not cable text", 1)
    table_at = text.find(_CABLE_TABLE)
    if table_at >= 0:  # a release page: found once, and its table and body read from there
        return _from_html(text, table_at)
    source_format = detect_format(text)
    if source_format == "html":
        return _from_html(text, table_at)
    if source_format == "web":
        return SourceText(_web_lines(text), "web")
    return SourceText(_split_lines(text), "telegram")


def _split_lines(text: str) -> list[str]:
    """Lines with whitespace runs collapsed to one space and no leading or trailing space.

    Unusual blanks (tabs, no-break spaces...) become spaces in one regex pass over the text;
    then only the lines holding a double space need splitting and joining."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(char in text for char in _OTHER_BLANKS):
        text = _OTHER_BLANK.sub(" ", text)
    return [
        " ".join(line.split()) if "  " in line else line.strip(" ") for line in text.split("\n")
    ]


def _web_lines(text: str) -> list[str]:
    lines = []
    for line in _split_lines(text):
        if "](#)" in line:
            line = _WEB_NUMBER_LINK.sub(PARAGRAPH_SIGN, line)
            line = _WEB_LINK.sub(r"\1", line)
        lines.append(line)
    return lines


def _cell_text(cell: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", cell)).split())


def _from_html(text: str, table_at: int) -> SourceText:
    """The page at `table_at`, where its metadata table opens (-1: a page without one)."""
    page = _page_meta(text, table_at)
    blocks: list[str] = []
    start = max(table_at, 0)  # the body follows the table
    while True:
        open_at = text.find("<pre", start)
        if open_at < 0:
            break
        body_at = text.find(">", open_at)
        close_at = text.find("</pre>", body_at)
        if body_at < 0 or close_at < 0:
            break
        blocks.append(text[body_at + 1 : close_at])
        start = close_at + 6
    if not blocks:
        line = text.count("\n", 0, text.find("<table")) + 1 if "<table" in text else None
        raise CableParseError("HTML page holds no cable body (no <pre> block)", line)
    lines: list[str] = []
    for block in blocks:
        block = _PAR_ANCHOR.sub(PARAGRAPH_SIGN, block).replace("&#x000A;", "\n")
        if "<" in block:
            block = _TAG.sub("", block)
        if "&" in block:
            block = html.unescape(block)
        lines.extend(_split_lines(block))
        lines.append("")
    return SourceText(lines, "html", page)


def _page_meta(text: str, table_at: int) -> PageMeta | None:
    if table_at < 0:
        return None
    end = text.find("</table>", table_at)
    cells = [_cell_text(c) for c in _CELL.findall(text, table_at, end if end > 0 else len(text))]
    if len(cells) < 5:
        return None
    return PageMeta(*cells[:5])
