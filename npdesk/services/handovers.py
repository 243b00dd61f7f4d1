"""Handover list use cases: hand a numbered list to the partner, read lists, diff, export.

Handing a case over releases it: the case is marked shared and REL TO the partner, which the
policy allows only for cases a home officer may release at or below the partner's agreed level
and never for NOFORN ones. Open cases on the list move to `raised`. Each entry snapshots the
releasable text, and exports are built from the snapshot alone, so no home-only field can
reach an export.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk.domain.cases import ACTIVE_STATUSES, CaseStatus
from npdesk.domain.handover import (
    HandoverDiff,
    HandoverEntry,
    HandoverList,
    diff,
    entry_from_case,
    select_for_handover,
)
from npdesk.security import csvsafe, policy
from npdesk.security.audit import Outcome
from npdesk.security.model import Level, Marking, Party, User
from npdesk.security.partners import agreed_level
from npdesk.services import audit, errors
from npdesk.services.case_records import (
    InvalidCaseData,
    NotPermitted,
    case_from_record,
    load_record,
    move_record,
    release_case_in,
    require_writer,
    with_children,
)
from npdesk.services.case_references import ShownReferences, country_of
from npdesk.services.two_person import refuse_one_step_release
from npdesk.store.db import session_factory, transaction
from npdesk.store.models.cases import (
    CaseRecord,
    HandoverEntryRecord,
    HandoverListRecord,
    PartnerCaseReference,
)
from npdesk.store.visibility import (
    fetch_visible,
    marking_of,
    set_marking,
    visible_columns,
    visible_select,
)

CREATE_ACTION = "handovers.create"
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
CHROMIUM = "/usr/bin/chromium"


class HandoverNotFound(errors.NotFound):
    def __init__(self, number: int) -> None:
        super().__init__(f"no handover list number {number}")
        self.number = number


class ExportFailed(errors.Unavailable):
    """The PDF renderer failed or is missing."""


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"


MEDIA_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.HTML: "text/html; charset=utf-8",
    ExportFormat.PDF: "application/pdf",
}


def documents() -> Environment:
    """The Jinja environment for exported documents (standalone pages, autoescaped)."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html_to_pdf(html: str, timeout: float = 90.0) -> bytes:
    """Render an HTML document to PDF with headless Debian chromium (no network needed).

    Raises `ExportFailed` when chromium is missing, fails, or produces no PDF.
    """
    if not Path(CHROMIUM).exists():
        raise ExportFailed(f"{CHROMIUM} is not installed; PDF export needs it")
    with tempfile.TemporaryDirectory(prefix="npdesk-pdf-") as tmp:
        source = Path(tmp) / "document.html"
        target = Path(tmp) / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=True)
        except (subprocess.SubprocessError, OSError) as error:
            raise ExportFailed(f"chromium could not render the PDF: {error}") from error
        if not target.exists() or target.stat().st_size == 0:
            raise ExportFailed("chromium produced no PDF")
        return target.read_bytes()


def list_banner(levels: Sequence[Level], partner_country: str) -> Marking:
    """The marking of a list: its highest entry level, shared and REL TO the partner."""
    return Marking(
        level=max(levels, default=Level.U),
        rel_to=frozenset({partner_country.upper()}),
        shared=True,
    )


class ShownLists:
    """The list numbers a reader is shown: 1..n over the lists they may see, in the order
    they were handed over, so no gap tells a reader cleared below a list's level how many
    lists are held back (for a reader who sees every list, the stored numbers). A list's
    marking never changes after handover, so a reader's numbers only ever grow at the end."""

    def __init__(self, stored: Sequence[int]) -> None:
        self._shown = {number: n for n, number in enumerate(stored, start=1)}
        self._stored = {n: number for number, n in self._shown.items()}

    def shown(self, stored: int) -> int:
        return self._shown[stored]

    def stored(self, shown: int) -> int | None:
        return self._stored.get(shown)


def shown_lists(session: Session, user: User) -> ShownLists:
    """The list numbers `user` is shown (see `ShownLists`)."""
    query = visible_columns(HandoverListRecord, user, HandoverListRecord.number)
    return ShownLists(list(session.scalars(query.order_by(HandoverListRecord.number))))


def _entry_references(session: Session, user: User, list_ids: Sequence[int]) -> ShownReferences:
    """The case references `user` is shown on the lists `list_ids`: the desk's for home users;
    for the partner, the number their government was given each case by, whatever the case is
    marked now (the list is what the partner holds)."""
    if user.party is Party.HOME:
        return ShownReferences(None)
    query = (
        select(HandoverEntryRecord.reference, PartnerCaseReference.reference)
        .join(PartnerCaseReference, PartnerCaseReference.case_id == HandoverEntryRecord.case_id)
        .where(
            HandoverEntryRecord.list_id.in_(list_ids),
            PartnerCaseReference.partner == country_of(user),
        )
    )
    return ShownReferences({desk: own for desk, own in session.execute(query)})


def _list_from_record(
    record: HandoverListRecord, number: int, refs: ShownReferences | None = None
) -> HandoverList:
    """The list as stored, numbered as the reader is shown lists (`number`), with case
    references as the reader is shown them (`refs`)."""
    shown = refs.shown if refs is not None else str
    return HandoverList(
        number=number,
        title=record.title,
        handed_over_on=record.handed_over_on,
        handed_over_by=record.handed_over_by,
        handed_over_to=record.handed_over_to,
        entries=tuple(
            HandoverEntry(
                reference=shown(e.reference),
                title=e.title,
                status=e.status,
                releasable_summary=e.releasable_summary,
                **{key: tuple(e.details.get(key, ())) for key in _DETAIL_KEYS},
            )
            for e in record.entries
        ),
        banner=marking_of(record).banner(),
        fictional=record.fictional,
    )


_DETAIL_KEYS = ("subjects", "items", "regimes", "origin_countries", "destination_countries")


def _shown_list(session: Session, user: User, record: HandoverListRecord) -> HandoverList:
    number = shown_lists(session, user).shown(record.number)
    return _list_from_record(record, number, _entry_references(session, user, [record.id]))


def _load_list(session: Session, user: User, number: int) -> HandoverListRecord:
    """The list the reader knows as `number` (`ShownLists`); else `HandoverNotFound`."""
    stored = shown_lists(session, user).stored(number)
    return fetch_visible(
        session,
        HandoverListRecord,
        user,
        HandoverListRecord.number == (stored if stored is not None else -1),
        missing=lambda: HandoverNotFound(number),
        options=[selectinload(HandoverListRecord.entries)],
    )


def already_released(marking: Marking, partner: str, agreed: Level | None) -> bool:
    """Whether a case marked `marking` is already released to `partner` (REL TO it or shared,
    not NOFORN, at or below the agreed level): it goes on a list without being re-marked."""
    return agreed is not None and marking.level <= agreed and policy.releasable_to(marking, partner)


def handover_moment(handed_over_on: date, now: datetime | None = None) -> datetime:
    """When a list handed over on `handed_over_on` is recorded: now for today (a list handed
    over in the afternoon follows the morning's changes to its cases), else noon UTC of that
    day."""
    now = now or datetime.now(UTC)
    if handed_over_on == now.date():
        return now
    return datetime.combine(handed_over_on, time(12, 0), UTC)


def create_handover_list(
    engine: Engine,
    user: User,
    *,
    title: str,
    handed_over_on: date,
    handed_over_by: str,
    handed_over_to: str,
    partner_country: str,
    references: Sequence[str] | None = None,
    raise_open_cases: bool = True,
    release: bool = False,
    fictional: bool = False,
    source: str = "cli",
) -> HandoverList:
    """Record a new numbered list handed to the partner.

    Handing a case over never re-marks it silently. A case already released to the partner
    (REL TO it or shared, not NOFORN, at or below the agreed level) goes on the list as it is
    marked. Any other case is refused with a message that says so, unless `release`: then it
    is released through the release policy (`policy.may_release`: shared, REL TO
    `partner_country`), and the release is audited like any other.

    `references` default to every active case the user may see that is already released (with
    `release`: that the user may release; NOFORN and above-agreed-level cases stay off). Open
    ones move to `raised` on the day of handover when `raise_open_cases`. Every release,
    status change and the list itself are audited from `source`. Raises `NotPermitted`,
    `CaseNotFound`, `InvalidCaseData` (empty list, an inactive case, a case not released
    without `release`, or a case that may not be released), and `SecondPersonNeeded` for a
    `release` that would release a case while two-person release is on (each case's release
    is proposed and approved first; the list is then handed over as released).
    """
    require_writer(user, "hand lists over")
    if not title.strip():
        raise InvalidCaseData("a handover list needs a title")
    partner = partner_country.upper()
    agreed = agreed_level(partner)
    moment = handover_moment(handed_over_on)
    with transaction(engine) as session:
        number = (session.scalar(select(func.max(HandoverListRecord.number))) or 0) + 1
        if references is None:
            visible = [
                r
                for r in session.scalars(
                    visible_select(
                        CaseRecord,
                        user,
                        CaseRecord.status.in_([s.value for s in ACTIVE_STATUSES]),
                    ).options(*with_children())
                )
                if already_released(marking_of(r), partner, agreed)
                or (release and policy.may_release(user, marking_of(r), agreed))
            ]
            chosen_refs = [c.reference for c in select_for_handover(map(case_from_record, visible))]
        else:
            chosen_refs = list(dict.fromkeys(references))
        if not chosen_refs:
            raise InvalidCaseData("a handover list needs at least one active case")
        records = [load_record(session, user, ref) for ref in chosen_refs]
        unreleased = [
            r.reference for r in records if not already_released(marking_of(r), partner, agreed)
        ]
        if release and unreleased:
            refuse_one_step_release(
                f"case {', '.join(unreleased)} (not yet released, handed over with release)",
                "`npdesk cases release REFERENCE` for each, then hand the list over once "
                "another officer approved them",
            )
        entries: list[HandoverEntryRecord] = []
        levels: list[Level] = []
        for position, record in enumerate(records, start=1):
            case = case_from_record(record)
            if not case.is_active:
                raise InvalidCaseData(f"case {case.reference} is {case.status}, not on the list")
            marking = case.marking
            if not already_released(marking, partner, agreed):
                if not release:
                    raise InvalidCaseData(
                        f"case {case.reference} is not released to {partner} (marked "
                        f"{marking.banner()}): release it first, or hand the list over with "
                        "release to release it through the release policy"
                    )
                try:
                    release_case_in(session, user, record, source=source, action=CREATE_ACTION)
                except InvalidCaseData as refused:
                    raise InvalidCaseData(
                        f"case {case.reference} cannot be handed over: {refused}"
                    ) from None
            levels.append(marking.level)
            if raise_open_cases and case.status is CaseStatus.OPEN:
                case = move_record(
                    session,
                    user,
                    record,
                    CaseStatus.RAISED,
                    reason=f"handed over on list {number} ({handed_over_on.isoformat()})",
                    at=moment,
                    source=source,
                    action=CREATE_ACTION,
                )
            entry = entry_from_case(case)
            entries.append(
                HandoverEntryRecord(
                    case_id=record.id,
                    position=position,
                    reference=entry.reference,
                    title=entry.title,
                    status=entry.status,
                    releasable_summary=entry.releasable_summary,
                    details={key: list(getattr(entry, key)) for key in _DETAIL_KEYS},
                )
            )
        listing = HandoverListRecord(
            number=number,
            title=title.strip(),
            handed_over_on=handed_over_on,
            handed_over_by=handed_over_by,
            handed_over_to=handed_over_to,
            fictional=fictional,
            created_by=user.username,
            entries=entries,
        )
        set_marking(listing, list_banner(levels, partner))
        session.add(listing)
        session.flush()
        audit.record(
            session,
            user,
            CREATE_ACTION,
            outcome=Outcome.OK,
            source=source,
            record_kind="handover_list",
            record_id=str(number),
            detail={"cases": chosen_refs, "to": handed_over_to, "on": handed_over_on.isoformat()},
        )
        return _shown_list(session, user, listing)


def list_handover_lists(engine: Engine, user: User) -> list[HandoverList]:
    """Every list the user may see, newest number first."""
    with session_factory(engine)() as session:
        records = session.scalars(
            visible_select(HandoverListRecord, user)
            .order_by(HandoverListRecord.number.desc())
            .options(selectinload(HandoverListRecord.entries))
        ).all()
        numbers = shown_lists(session, user)
        refs = _entry_references(session, user, [r.id for r in records])
        return [_list_from_record(r, numbers.shown(r.number), refs) for r in records]


def handover_dates(engine: Engine, user: User) -> list[tuple[int, date]]:
    """(number as shown, day handed over) of every list the user may see, oldest first (no
    entries are loaded: for chart markers)."""
    query = visible_columns(
        HandoverListRecord, user, HandoverListRecord.number, HandoverListRecord.handed_over_on
    ).order_by(HandoverListRecord.number)
    with engine.connect() as connection:
        rows = list(connection.execute(query))
    numbers = ShownLists([number for number, _ in rows])
    return sorted(((numbers.shown(number), day) for number, day in rows), key=lambda r: r[::-1])


def get_handover_list(engine: Engine, user: User, number: int) -> HandoverList:
    """One list, by the number the user is shown. Raises `HandoverNotFound` (also when the
    user may not see it)."""
    with session_factory(engine)() as session:
        return _shown_list(session, user, _load_list(session, user, number))


def diff_handover_lists(engine: Engine, user: User, old: int, new: int) -> HandoverDiff:
    """What changed from list `old` to list `new` (numbers as shown). Raises
    `HandoverNotFound`."""
    with session_factory(engine)() as session:
        return diff(
            _shown_list(session, user, _load_list(session, user, old)),
            _shown_list(session, user, _load_list(session, user, new)),
        )


def export_handover_list(engine: Engine, user: User, number: int, fmt: ExportFormat) -> bytes:
    """The list as the partner receives it, in `fmt`, carrying the marking banner.

    Built from the list's releasable snapshot only. Raises `HandoverNotFound`, `ExportFailed`.
    """
    listing = get_handover_list(engine, user, number)
    return render_export(listing, fmt)


def render_export(listing: HandoverList, fmt: ExportFormat) -> bytes:
    """Serialise `listing` (already releasable) as JSON, CSV, HTML or PDF bytes."""
    if fmt is ExportFormat.JSON:
        data = {"banner": listing.banner, **asdict(listing)}
        return (json.dumps(data, default=_iso, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt is ExportFormat.CSV:
        return _csv(listing).encode("utf-8")
    html = documents().get_template("cases/export_handover.html").render(listing=listing)
    if fmt is ExportFormat.HTML:
        return html.encode("utf-8")
    return html_to_pdf(html)


def _csv(listing: HandoverList) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")  # no formula cells for spreadsheets
    fictional = " (FICTIONAL)" if listing.fictional else ""
    writer.writerow([listing.banner])
    writer.writerow(
        [
            f"List {listing.number}{fictional}: {listing.title}",
            f"handed over {listing.handed_over_on.isoformat()}",
            f"by {listing.handed_over_by}",
            f"to {listing.handed_over_to}",
        ]
    )
    header = ["reference", "title", "status", "releasable_summary", *_DETAIL_KEYS]
    writer.writerow(header)
    for entry in listing.entries:
        row = asdict(entry)
        writer.writerow([row[k] if isinstance(row[k], str) else "; ".join(row[k]) for k in header])
    writer.writerow([listing.banner])
    return out.getvalue()


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


__all__ = [
    "MEDIA_TYPES",
    "ExportFailed",
    "ExportFormat",
    "HandoverNotFound",
    "NotPermitted",
    "create_handover_list",
    "diff_handover_lists",
    "export_handover_list",
    "get_handover_list",
    "handover_dates",
    "html_to_pdf",
    "list_handover_lists",
    "render_export",
]
