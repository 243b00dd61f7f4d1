"""ICP frameworks as data, the crosswalk, and comparable assessment scores."""

from __future__ import annotations

from datetime import date

import pytest

from npdesk.domain.icp import (
    Assessment,
    ElementScore,
    ICPError,
    crosswalk,
    framework,
    frameworks,
    score_history,
)


def test_the_four_frameworks_with_their_element_counts() -> None:
    counts = {fid: len(fw.elements) for fid, fw in frameworks().items()}
    assert counts == {"bis-ecg": 8, "eu-2019-1318": 7, "wa-icp": 8, "exbs-icp": 8}
    assert framework("bis-ecg").version == "2017"
    assert framework("wa-icp").version == "2011"


def test_every_element_has_a_title_and_a_unique_number() -> None:
    for fw in frameworks().values():
        assert [e.number for e in fw.elements] == list(range(1, len(fw.elements) + 1))
        for element in fw.elements:
            assert element.title.strip(), (fw.id, element.id)
        assert len({e.id for e in fw.elements}) == len(fw.elements)


def test_bis_titles_match_the_2017_guidelines() -> None:
    titles = [e.title for e in framework("bis-ecg").elements]
    assert titles[0] == "Management Commitment"
    assert titles[6] == "Handling Export Violations and Taking Corrective Actions"
    assert titles[7] == "Build and Maintain Your ECP"


def test_every_crosswalk_entry_points_at_an_existing_element() -> None:
    for theme in crosswalk():
        assert theme.title.strip()
        for fid, ids in theme.elements.items():
            fw = framework(fid)
            for element_id in ids:
                fw.element(element_id)


def test_every_element_appears_in_the_crosswalk() -> None:
    covered = {(fid, e) for t in crosswalk() for fid, ids in t.elements.items() for e in ids}
    for fw in frameworks().values():
        for element in fw.elements:
            assert (fw.id, element.id) in covered, (fw.id, element.id)


def full(framework_id: str, score: int, on: date) -> Assessment:
    fw = framework(framework_id)
    return Assessment(
        "norinco", framework_id, on, [ElementScore(e.id, score, "evidence") for e in fw.elements]
    )


def test_normalized_and_comparable_scores() -> None:
    bis = full("bis-ecg", 2, date(2008, 3, 26))
    eu = full("eu-2019-1318", 2, date(2009, 1, 1))
    assert bis.normalized() == 50.0
    assert bis.comparable() == eu.comparable() == 50.0
    partial = Assessment("norinco", "wa-icp", date(2008, 1, 1), [ElementScore("training", 4)])
    assert partial.normalized() == 12.5
    assert partial.theme_scores() == {"training": 100.0}


def test_score_history_is_in_date_order() -> None:
    later = full("bis-ecg", 3, date(2009, 1, 1))
    earlier = full("bis-ecg", 1, date(2008, 1, 1))
    empty = Assessment("norinco", "bis-ecg", date(2007, 1, 1))
    history = score_history([later, empty, earlier])
    assert [p.normalized for p in history] == [25.0, 75.0]


def test_invalid_scores_are_refused() -> None:
    with pytest.raises(ICPError):
        Assessment("x", "bis-ecg", date(2008, 1, 1), [ElementScore("training", 5)])
    with pytest.raises(ICPError):
        Assessment("x", "bis-ecg", date(2008, 1, 1), [ElementScore("nonsense", 1)])
    with pytest.raises(ICPError):
        framework("iso-9001")
