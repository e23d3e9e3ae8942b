"""Identifiers met so far in a file, to refuse a row that repeats an earlier row's."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd


class SeenIds:
    """The identifiers met so far in a file, each with the row it first appeared in."""

    def __init__(self) -> None:
        # A dict, not an index per chunk: looking each chunk up in every earlier chunk's
        # index grew with the square of the file's length.
        self._first: dict[object, int] = {}

    def first_rows(self, ids: pd.Series, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The row each id first appeared in (its own row when new); remembers this chunk's."""
        keys = ids.to_numpy(dtype=object)
        repeat = ids.duplicated(keep="first").to_numpy()
        here = pd.Series(rows[~repeat], index=pd.Index(keys[~repeat]))
        first = rows.copy()
        if repeat.any():
            first[repeat] = here.reindex(keys[repeat]).to_numpy()
        get = self._first.get
        earlier = np.fromiter((get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        hit = earlier >= 0
        first[hit] = earlier[hit]
        new = ~repeat & ~hit
        self._first.update(zip(keys[new].tolist(), rows[new].tolist(), strict=True))
        return first
