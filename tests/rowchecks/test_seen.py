"""Identifiers repeated within a chunk and across the chunks of a file."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geosvc.rowchecks.seen import SeenIds


def rows(*numbers: int) -> np.ndarray:
    return np.array(numbers, dtype=np.int64)


def test_a_repeat_points_to_the_first_row_within_and_across_chunks() -> None:
    seen = SeenIds()
    first = seen.first_rows(pd.Series(["a", "b", "a"]), rows(2, 3, 4))
    assert first.tolist() == [2, 3, 2]
    later = seen.first_rows(pd.Series(["c", "b", "c", "a"]), rows(5, 6, 7, 8))
    assert later.tolist() == [5, 3, 5, 2]


def test_separate_files_do_not_share_ids() -> None:
    SeenIds().first_rows(pd.Series(["a"]), rows(2))
    assert SeenIds().first_rows(pd.Series(["a"]), rows(9)).tolist() == [9]
