"""`Proposal.sources` names every paragraph whose text a proposal carries, and no proposal
carries text across portion markings (issue 11): the store marks a proposal by the strictest
of its sources, so a name taken from a NOFORN paragraph into a released one would leak.

The cables are real corpus cables whose paragraphs carry different markings; the expected
sources were read off the cable text by hand (indexes into `cable.paragraphs`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from npdesk.cables import parse_cable
from npdesk.cables.model import Cable
from npdesk.domain.firms import gazetteer, load_reference_firms
from npdesk.extract import Proposal, suggest

pytestmark = pytest.mark.corpus


def _read(corpus_dir: Path, cable_id: str) -> tuple[Cable, list[Proposal]]:
    cable = parse_cable((corpus_dir / f"{cable_id}.html").read_text(encoding="utf-8"))
    return cable, suggest(cable, gazetteer(load_reference_firms()))


def test_a_name_from_a_confidential_paragraph_stays_out_of_an_unclassified_one(
    corpus_dir: Path,
) -> None:
    # 05MADRID1879: "Foreign Minister Miguel Angel Moratinos" is named in full only in the (C)
    # summary (index 0); paragraph 7 (index 8, U) says "Moratinos" and reports the June 6-10
    # visit to Washington of a parliamentary delegation, which the (U) paragraph 10 (index
    # 12) tells again: one visit, carrying the text of both unclassified paragraphs.
    cable, proposals = _read(corpus_dir, "05MADRID1879")
    assert cable.paragraphs[0].classification == "C"
    assert cable.paragraphs[8].classification == cable.paragraphs[12].classification == "U"
    visit = next(
        p
        for p in proposals
        if p.kind == "visit" and p.date_range and p.date_range[0].isoformat() == "2005-06-06"
    )
    assert visit.sources == (8, 12)
    assert "Miguel Angel Moratinos" not in visit.entities
    for proposal in proposals:
        if proposal.paragraph in (6, 7, 8, 9, 10):  # the unclassified speech paragraphs
            assert "Miguel Angel Moratinos" not in proposal.entities, proposal


def test_a_name_carried_within_one_marking_names_the_paragraph_it_came_from(
    corpus_dir: Path,
) -> None:
    # 05MADRID1879 paragraph 2 (index 2, C): "Bono told Charge privately ... during their
    # May 3 meeting in Washington"; "Spanish Minister of Defense Jose Bono" is named in
    # full in the (C) summary, index 0. Paragraph 4 (index 4, C) tells the same conversation
    # again without its day ("Bono told Charge that this admission ..."), so it merges in.
    cable, proposals = _read(corpus_dir, "05MADRID1879")
    meeting = next(p for p in proposals if p.kind == "meeting" and p.paragraph == 2)
    assert "Jose Bono" in meeting.entities
    assert meeting.sources == (0, 2, 4)
    assert {cable.paragraphs[i].classification for i in meeting.sources} == {"C"}


def test_an_unclassified_full_name_is_not_carried_into_a_confidential_meeting(
    corpus_dir: Path,
) -> None:
    # 06MADRID934: "Parliamentary Spokesman Eduardo Zaplana" is named in full only in the
    # (U) paragraph 5 (index 6); the (C) paragraph 6 (index 7) says "Zaplana told the
    # Ambassador on March 29".
    cable, proposals = _read(corpus_dir, "06MADRID934")
    assert (cable.paragraphs[6].classification, cable.paragraphs[7].classification) == ("U", "C")
    meeting = next(p for p in proposals if p.kind == "meeting" and p.paragraph == 6)
    assert meeting.date is not None and meeting.date.isoformat() == "2006-03-29"
    assert meeting.sources == (7,)
    assert "Eduardo Zaplana" not in meeting.entities


def test_like_proposals_under_different_markings_are_not_merged(corpus_dir: Path) -> None:
    # 05BOGOTA7402: paragraph 3 (index 6, S) has Burns encourage Uribe to visit Washington;
    # paragraph 15 (index 24, C) has him encourage Minister of Defense Camilo Ospina to
    # visit Washington soon. Neither is dated; they must stay two proposals. (Index 21's
    # "encouraged Uribe to come to Washington ... in mid-September" is dated, a third.)
    cable, proposals = _read(corpus_dir, "05BOGOTA7402")
    assert (cable.paragraphs[6].classification, cable.paragraphs[24].classification) == ("S", "C")
    washington = [p for p in proposals if p.kind == "visit" and "Washington" in p.entities]
    assert sorted(p.sources for p in washington) == [(6,), (21,), (24,)]
    ospina = next(p for p in washington if p.sources == (24,))
    assert "Camilo Ospina" in ospina.entities and ospina.paragraph == 15


def test_a_day_taken_from_the_reported_meeting_names_its_paragraph(corpus_dir: Path) -> None:
    # 05SANAA923: the list presented in paragraph 3 (index 5) has no day of its own; it is
    # dated by the April 12 conference call with Saleh reported in paragraph 1 (index 1).
    _, proposals = _read(corpus_dir, "05SANAA923")
    handover = next(p for p in proposals if p.kind == "handover")
    assert handover.paragraph == 3
    assert handover.date is not None and handover.date.isoformat() == "2005-04-12"
    assert handover.sources == (1, 5)


@pytest.mark.parametrize(
    "cable_id",
    ["05MADRID1879", "06MADRID934", "05BOGOTA7402", "05SANAA923", "06CARACAS219", "05PARIS5539"],
)
def test_every_proposal_has_sources_of_one_marking_including_its_own(
    corpus_dir: Path, cable_id: str
) -> None:
    cable, proposals = _read(corpus_dir, cable_id)
    assert len({p.classification for p in cable.paragraphs}) >= 2  # really mixed markings
    for proposal in proposals:
        assert proposal.sources, proposal
        markings = {cable.paragraphs[i].classification for i in proposal.sources}
        assert len(markings) == 1, (proposal, markings)
        numbers = {cable.paragraphs[i].number for i in proposal.sources}
        assert proposal.paragraph in numbers, proposal
        assert proposal.detail()["sources"] == list(proposal.sources)
