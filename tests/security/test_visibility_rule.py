"""One visibility rule, structurally: no service or route queries a marked record except through
`npdesk.store.visibility`, and a record the reader may not see answers exactly like a missing one.

The structural test reads the source (AST) of `npdesk/services` and `npdesk/web`: a `select`,
`select_from`, `join` or `session.get` naming a `MarkedMixin` model (or one of its columns)
fails it, unless the function is on the short allow-list below with the reason it is safe.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import npdesk.store.models  # noqa: F401  (every model registered)
from npdesk.store.db import Base, MarkedMixin

ROOT = Path(__file__).resolve().parents[2] / "npdesk"
SCANNED = [ROOT / "services", ROOT / "web"]
QUERY_CALLS = {"select", "select_from", "join", "outerjoin", "get"}

# (file relative to npdesk/, function) → why querying a marked model there without the reader's
# rule is safe. Keep it short: every entry is a place a new leak could hide.
ALLOWED: dict[tuple[str, str], str] = {
    ("services/cases.py", "next_reference"): "counts references to assign the next free one; "
    "writers only, the count is never shown",
    ("services/cases.py", "create_case"): "refuses a duplicate reference before writing",
    ("services/handovers.py", "create_handover_list"): "max(number) for the new list's number",
    ("services/reviews.py", "schedule_review"): "max(number) for the new session's number",
    ("services/metrics.py", "_desk_state"): "a cache fingerprint (counts, latest change); "
    "never shown, only compared",
    ("services/program_records.py", "firm_by_key"): "write paths: a key already taken by any "
    "firm must not be created twice; callers check the writer",
    ("services/firms.py", "ensure_firm"): "write path (accepting a proposal): find the firm "
    "to attach to rather than create a duplicate",
    ("services/firms.py", "registry_gazetteer"): "the gazetteer cables are read with; names are "
    "matched in text, never listed to a reader",
    ("services/events.py", "_hidden_firms"): "finds which cited names are stored firms the "
    "reader may not see, in order to withhold them",
    ("services/reread.py", "reread_cables"): "a cable writer (checked first, audited) rereads "
    "every stored cable; nothing read is shown, only counts of what changed",
    ("services/reread.py", "_rewrite"): "called by reread_cables for each cable; rewrites "
    "references and header fields, never markings",
    ("services/reread.py", "stored_count"): "a progress bar's total for a cable writer",
    # Ingest and the proposal reader are write paths of a cable writer or the background
    # reader; what they load is never returned to a reader (users get proposals only through
    # `proposals_for` and `list_proposals`, which filter with the rule).
    ("services/ingest.py", "ingest_one"): "a cable writer's ingest: is this id stored already",
    ("services/proposals.py", "_paragraph_markings"): "marks proposals from their sources",
    ("services/proposals.py", "remark_proposals"): "re-marks a cable's proposals after a change",
    ("services/proposals.py", "suggest_for_cable"): "the background reader reads each cable "
    "once; callers facing users filter what it returns (CLI suggest checks the reader first)",
    ("services/proposals.py", "_store_proposals"): "write path of the reader",
    ("services/proposals.py", "unread_cables"): "the reader's queue of cable ids, never shown",
    ("services/proposals.py", "_ordered"): "the reader's own view of what it stored",
    ("services/proposals.py", "decide"): "the proposal is fetched through the rule; the cable "
    "is read only for its date once the user may decide",
    ("services/proposals.py", "_first_firm"): "write path (accepting a proposal), like "
    "ensure_firm: attach to an existing firm rather than create a duplicate",
    ("services/screening.py", "subject_marking"): "reads the marking of a subject's case or "
    "firm to mark the subject at least as strictly; nothing of it is shown",
    ("services/screening.py", "_store"): "write path of a screening the user ran",
    ("services/screening.py", "record_decision"): "the hit is fetched through the rule first",
    ("services/screening.py", "decision_in"): "the hit is fetched through the rule first",
    ("services/screening.py", "register_subject"): "write path: one subject per name and origin",
    ("services/screening.py", "rescreen_subjects"): "the rescreening job over every subject; "
    "what it raises is marked like the subject and read through the rule",
    ("services/screening.py", "result_record"): "the record of a screening just stored",
}
# Files the scan leaves out (none: every service is guarded).
OWNED_ELSEWHERE: set[str] = {}


def marked_models() -> set[str]:
    return {
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, MarkedMixin)
    }


def _names_marked(node: ast.AST, marked: set[str]) -> str | None:
    """The marked model an argument names (`CaseRecord` or `CaseRecord.reference`)."""
    if isinstance(node, ast.Name) and node.id in marked:
        return node.id
    if isinstance(node, ast.Attribute):
        return _names_marked(node.value, marked)
    return None


def _ruled_models(function: ast.AST, marked: set[str]) -> set[str]:
    """Marked models the function filters with the SQL rule itself, `readable(Model, user)`
    (the helpers' own building block): its queries of those models are guarded."""
    ruled = set()
    for call in ast.walk(function):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "readable"
            and call.args
        ):
            model = _names_marked(call.args[0], marked)
            if model:
                ruled.add(model)
    return ruled


def unguarded_queries() -> list[str]:
    marked = marked_models()
    found: list[str] = []
    for base in SCANNED:
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in OWNED_ELSEWHERE:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                ruled = _ruled_models(function, marked)
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    callee = call.func
                    name = (
                        callee.id
                        if isinstance(callee, ast.Name)
                        else callee.attr
                        if isinstance(callee, ast.Attribute)
                        else ""
                    )
                    if name not in QUERY_CALLS:
                        continue
                    if name == "get" and not (
                        isinstance(callee, ast.Attribute)
                        and isinstance(callee.value, ast.Name)
                        and callee.value.id == "session"
                    ):
                        continue
                    for arg in call.args:
                        model = _names_marked(arg, marked)
                        if model and model not in ruled and (rel, function.name) not in ALLOWED:
                            found.append(f"{rel}:{call.lineno} {function.name}: {name}({model})")
    return sorted(set(found))


def test_marked_models_are_known() -> None:
    # The scan is only as good as its list of marked models: the ones the issue names.
    assert {"CaseRecord", "FirmRecord", "EventRecord", "ReviewSessionRecord"} <= marked_models()


def test_no_marked_record_is_queried_without_the_visibility_helper() -> None:
    assert unguarded_queries() == []


def test_the_scan_catches_a_plain_select(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The guard itself works: a new listing written the old way is reported.
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "leaky.py").write_text(
        "def list_all(session):\n    return session.scalars(select(CaseRecord)).all()\n"
        "def one(session, key):\n    return session.get(FirmRecord, key)\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "SCANNED", [tmp_path / "services"])
    assert unguarded_queries() == [
        "services/leaky.py:2 list_all: select(CaseRecord)",
        "services/leaky.py:4 one: get(FirmRecord)",
    ]


def test_old_rules_are_gone() -> None:
    # One rule: the SQL pre-filter of the case service and the Python list filter of the desk
    # are deleted, not kept beside the new helper.
    from npdesk.services import cases, program_records

    assert not hasattr(cases, "visible_filter")
    assert not hasattr(program_records, "visible")
