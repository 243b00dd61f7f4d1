from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from npdesk.screening import Query, Screener, ScreeningIndex, load_index
from npdesk.screening.index import MAGIC, IndexFileError


def test_saved_index_screens_like_the_built_one(index: ScreeningIndex, tmp_path: Path) -> None:
    path = tmp_path / "lists.idx"
    index.save(path)
    loaded = load_index(path)
    for name in ("Fangwei Li", "長安海連技術有限公司", "LIMMT Dalian Metallurgy"):
        before = [(h.entry.source_id, h.score) for h in Screener(index).screen(Query(name))]
        after = [(h.entry.source_id, h.score) for h in Screener(loaded).screen(Query(name))]
        assert before == after


def test_a_fresh_process_screens_from_the_saved_index_alone(
    index: ScreeningIndex, tmp_path: Path
) -> None:
    # What a cold start does, in a process that never built the index (its time is measured
    # by `make bench`, not here).
    path = tmp_path / "lists.idx"
    index.save(path)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from npdesk.screening import Query, Screener, load_index\n"
        "hits = Screener(load_index(Path(sys.argv[1]))).screen(Query('Fangwei Li'))\n"
        "print(hits[0].entry.source_id if hits else '')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    best = Screener(index).screen(Query("Fangwei Li"))[0].entry.source_id
    assert out.stdout.strip() == best


def test_index_file_with_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.idx"
    path.write_bytes(MAGIC + pickle.dumps({"version": 1, "x": Path("/")}))
    with pytest.raises(IndexFileError):
        load_index(path)
    other = tmp_path / "other.idx"
    other.write_bytes(b"not an index")
    with pytest.raises(IndexFileError):
        load_index(other)
