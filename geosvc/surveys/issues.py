"""The report of one checked chunk: a line per refused row and a line per warning.

Each refused row gets one line, from the first check it fails; a row that is kept may
get warnings, and a warning on a row refused by a later check is dropped. Lines are built
from boolean masks over the chunk, never row by row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

REPORT_COLUMNS = ["row", "submission_id", "outcome", "field", "value", "reason"]
REJECTED = "rejected"
WARNING = "warning"

Mask = npt.NDArray[np.bool_]
Values = npt.NDArray[np.object_]


class IssueLog:
    """Rejections (the first found for a row stands) and warnings, for one chunk."""

    def __init__(self, rows: npt.NDArray[np.int64], submission_ids: Values) -> None:
        self.rows = rows
        self.submission_ids = submission_ids
        self._field = np.full(len(rows), None, dtype=object)
        self._value = np.full(len(rows), None, dtype=object)
        self._reason = np.full(len(rows), None, dtype=object)
        self._rejected = np.zeros(len(rows), dtype=bool)
        self._warnings: list[tuple[Mask, str | Values, str, Values]] = []

    @property
    def rejected(self) -> Mask:
        """The rows refused so far (a copy)."""
        return self._rejected.copy()

    def reject(self, mask: Mask, field: str | Values, reason: str, value: Values) -> None:
        """Refuse the rows of ``mask`` not refused yet; ``value`` is the evidence, per row."""
        mask = mask & ~self._rejected
        self._rejected |= mask
        self._field[mask] = field[mask] if isinstance(field, np.ndarray) else field
        self._value[mask] = value[mask]
        self._reason[mask] = reason

    def warn(self, mask: Mask, field: str | Values, reason: str, value: Values) -> None:
        """Warn on the rows of ``mask``, for those that will not be refused."""
        if mask.any():
            self._warnings.append((mask, field, reason, value))

    def frame(self) -> pd.DataFrame:
        """Every line in ``REPORT_COLUMNS``, in row order."""
        rejected = self.rejected
        every = [
            self._lines(
                rejected,
                REJECTED,
                self._field[rejected],
                self._value[rejected],
                self._reason[rejected],
            )
        ]
        for mask, field, reason, value in self._warnings:
            kept = mask & ~rejected
            fields = field[kept] if isinstance(field, np.ndarray) else field
            every.append(self._lines(kept, WARNING, fields, value[kept], reason))
        report = pd.concat(every, ignore_index=True) if len(every) > 1 else every[0]
        return report.sort_values("row", kind="stable", ignore_index=True)

    def _lines(
        self, mask: Mask, outcome: str, field: object, value: Values, reason: object
    ) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "row": self.rows[mask],
                "submission_id": self.submission_ids[mask],
                "outcome": outcome,
                "field": field,
                "value": value,
                "reason": reason,
            },
            columns=REPORT_COLUMNS,
        ).astype({c: object for c in REPORT_COLUMNS if c != "row"})
