"""A small server-side SVG of a cable's reference neighbourhood: what it cites on the left,
the cable in the middle, what cites it on the right. No JavaScript, no external assets."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH, ROW, TOP = 640, 26, 20


def reference_svg(graph: dict[str, Any], link: str = "/cables/{}") -> Markup:
    """SVG markup for `graph` (from `services.cables.reference_graph`); every id is escaped."""
    nodes = graph["nodes"]
    if not nodes:
        return Markup("")
    center = next(n for n in nodes if n["kind"] == "self")
    cites = [n for n in nodes if n["kind"] == "cites"]
    cited = [n for n in nodes if n["kind"] == "cited_by"]
    rows = max(len(cites), len(cited), 1)
    height = TOP * 2 + rows * ROW
    cy = height / 2
    parts = [
        f'<svg class="refgraph" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Reference graph of {escape(center["id"])}">'
    ]

    def node(n: dict[str, Any], x: float, y: float, anchor: str) -> None:
        ident = escape(n["id"])
        css = "node" + ("" if n.get("resolved", True) else " unresolved")
        label = f'<text x="{x}" y="{y + 4}" text-anchor="{anchor}" class="{css}">{ident}</text>'
        if n.get("resolved", True) and n["kind"] != "self":
            label = f'<a href="{escape(link.format(n["id"]))}">{label}</a>'
        parts.append(label)

    for i, n in enumerate(cites):
        y = TOP + ROW * i + ROW / 2
        parts.append(f'<line x1="250" y1="{cy}" x2="150" y2="{y}" class="edge"/>')
        node(n, 145, y, "end")
    for i, n in enumerate(cited):
        y = TOP + ROW * i + ROW / 2
        parts.append(f'<line x1="390" y1="{cy}" x2="490" y2="{y}" class="edge"/>')
        node(n, 495, y, "start")
    parts.append(f'<rect x="250" y="{cy - 14}" width="140" height="28" rx="6" class="self"/>')
    node(center, 320, cy, "middle")
    parts.append("</svg>")
    return Markup("".join(parts))
