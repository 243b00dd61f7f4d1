"""Handover lists on the web: the numbered lists of cases handed to the partner, their
comparison and their exports (pdf, csv, json, html), as pages and as the JSON API under
/api/v1/handover-lists. Thin: `npdesk.services.handovers` applies the policy and does the
work; refusals are answered by the one mapping in `npdesk.web.deps`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from npdesk.domain.handover import HandoverDiff, HandoverList
from npdesk.security.model import User
from npdesk.services import handovers as handover_service
from npdesk.services.banners import page_banner
from npdesk.settings import partner_country
from npdesk.web import deps
from npdesk.web.auth import client_source, require_action
from npdesk.web.deps import RecordNumber, back, engine_of
from npdesk.web.routes.cases import page
from npdesk.web.schemas import HandoverIn

router, api = deps.feature_routers("handover lists")

ListHandovers = Annotated[User, Depends(require_action("handovers.list"))]
ReadHandover = Annotated[User, Depends(require_action("handovers.read"))]
CreateHandover = Annotated[User, Depends(require_action("handovers.create"))]
ExportHandover = Annotated[User, Depends(require_action("handovers.export"))]


class HandoverEntryOut(BaseModel):
    reference: str
    title: str
    status: str
    releasable_summary: str
    subjects: list[str]
    items: list[str]
    regimes: list[str]
    origin_countries: list[str]
    destination_countries: list[str]


class HandoverListOut(BaseModel):
    number: int
    title: str
    handed_over_on: date
    handed_over_by: str
    handed_over_to: str
    banner: str
    fictional: bool
    entries: list[HandoverEntryOut]


class FieldChangeOut(BaseModel):
    field: str
    old: str
    new: str


class EntryChangeOut(BaseModel):
    reference: str
    title: str
    changes: list[FieldChangeOut]


class HandoverDiffOut(BaseModel):
    old_number: int
    new_number: int
    added: list[HandoverEntryOut]
    removed: list[HandoverEntryOut]
    changed: list[EntryChangeOut]
    unchanged: list[str]


def handover_out(listing: HandoverList) -> HandoverListOut:
    return HandoverListOut(
        number=listing.number,
        title=listing.title,
        handed_over_on=listing.handed_over_on,
        handed_over_by=listing.handed_over_by,
        handed_over_to=listing.handed_over_to,
        banner=listing.banner,
        fictional=listing.fictional,
        entries=[HandoverEntryOut(**e.__dict__) for e in listing.entries],
    )


def diff_out(result: HandoverDiff) -> HandoverDiffOut:
    return HandoverDiffOut(
        old_number=result.old_number,
        new_number=result.new_number,
        added=[HandoverEntryOut(**e.__dict__) for e in result.added],
        removed=[HandoverEntryOut(**e.__dict__) for e in result.removed],
        changed=[
            EntryChangeOut(
                reference=c.reference,
                title=c.title,
                changes=[FieldChangeOut(**f.__dict__) for f in c.changes],
            )
            for c in result.changed
        ],
        unchanged=list(result.unchanged),
    )


def create_list(request: Request, user: User, data: HandoverIn) -> HandoverList:
    """Record a list handed over (shared by the JSON handler and the form)."""
    return handover_service.create_handover_list(
        engine_of(request),
        user,
        title=data.title,
        handed_over_on=data.handed_over_on,
        handed_over_by=data.handed_over_by,
        handed_over_to=data.handed_over_to,
        partner_country=partner_country(),
        references=data.references,
        raise_open_cases=data.raise_open_cases,
        release=data.release,
        fictional=data.fictional,
        source=client_source(request),
    )


# --- API: handover lists -------------------------------------------------------------------


@api.get("/handover-lists", response_model=list[HandoverListOut])
def api_list_handovers(request: Request, user: ListHandovers) -> list[HandoverListOut]:
    """Every list handed to the partner, newest first."""
    return [handover_out(x) for x in handover_service.list_handover_lists(engine_of(request), user)]


@api.post("/handover-lists", response_model=HandoverListOut, status_code=201)
def api_create_handover(
    request: Request, user: CreateHandover, data: HandoverIn
) -> HandoverListOut:
    """Record a new numbered list handed to the partner (releases and raises its cases)."""
    listing = create_list(request, user, data)
    return handover_out(listing)


@api.get("/handover-lists/{number}", response_model=HandoverListOut)
def api_get_handover(request: Request, user: ReadHandover, number: RecordNumber) -> HandoverListOut:
    """One list as handed over."""
    return handover_out(handover_service.get_handover_list(engine_of(request), user, number))


@api.get("/handover-lists/{old}/diff/{new}", response_model=HandoverDiffOut)
def api_diff_handovers(
    request: Request, user: ReadHandover, old: RecordNumber, new: RecordNumber
) -> HandoverDiffOut:
    """Cases added, removed (closed) and changed between two lists."""
    return diff_out(handover_service.diff_handover_lists(engine_of(request), user, old, new))


@api.get(
    "/handover-lists/{number}/export.{fmt}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in handover_service.MEDIA_TYPES.values()}}},
)
def api_export_handover(
    request: Request, user: ExportHandover, number: RecordNumber, fmt: handover_service.ExportFormat
) -> Response:
    """The list as the partner receives it (pdf, csv, json or html), with its banner."""
    data = handover_service.export_handover_list(engine_of(request), user, number, fmt)
    return deps.download(
        data, handover_service.MEDIA_TYPES[fmt], f"handover-list-{number}.{fmt.value}"
    )


# --- pages ---------------------------------------------------------------------------------


@router.get("/handovers", response_class=HTMLResponse)
def handovers_page(request: Request, user: ListHandovers) -> HTMLResponse:
    lists = handover_service.list_handover_lists(engine_of(request), user)
    return page(
        request,
        "handovers.html",
        user,
        lists=lists,
        banner=page_banner([x.banner for x in lists], user),
        today=date.today(),
    )


@router.post("/handovers")
def create_handover_form(
    request: Request,
    user: CreateHandover,
    title: Annotated[str, Form()],
    handed_over_on: Annotated[str, Form()],
    handed_over_by: Annotated[str, Form()],
    handed_over_to: Annotated[str, Form()],
    references: Annotated[str, Form()] = "",
    release: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    data = HandoverIn.model_validate(
        {
            "title": title,
            "handed_over_on": handed_over_on,
            "handed_over_by": handed_over_by,
            "handed_over_to": handed_over_to,
            "references": references.replace(",", " ").split() or None,
            "release": release,
        }
    )
    listing = create_list(request, user, data)
    return back(f"/handovers/{listing.number}")


@router.get("/handovers/{number}", response_class=HTMLResponse)
def handover_page(request: Request, user: ReadHandover, number: RecordNumber) -> HTMLResponse:
    engine = engine_of(request)
    listing = handover_service.get_handover_list(engine, user, number)
    numbers = [x.number for x in handover_service.list_handover_lists(engine, user)]
    return page(
        request,
        "handover.html",
        user,
        listing=listing,
        numbers=numbers,
        formats=list(handover_service.ExportFormat),
    )


@router.get("/handovers/{old}/diff/{new}", response_class=HTMLResponse)
def handover_diff_page(
    request: Request, user: ReadHandover, old: RecordNumber, new: RecordNumber
) -> HTMLResponse:
    result = handover_service.diff_handover_lists(engine_of(request), user, old, new)
    return page(request, "diff.html", user, diff=result)
