"""The issues of one checked chunk: a refusal per refused row, and warnings on kept rows.

The contract, whatever the order the checks run in:

- a row is refused at most once: the first refusal recorded for it stands, later ones
  are ignored;
- a warning is kept only on a row that is never refused: a warning recorded before a
  refusal of its row is dropped as surely as one recorded after;
- ``frame`` lists the refusals and the warnings in row order, a row's refusal first and
  its warnings in the order they were recorded.

Issues are recorded with boolean masks over the chunk, never row by row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.rowchecks.report import REJECTED, WARNING, report_lines

Mask = npt.NDArray[np.bool_]
Values = npt.NDArray[np.object_]
Field = str | Values
"""The field at fault: one name for every row, or one per row."""
Evidence = pd.Series | Values
"""The evidence, per row of the chunk."""


@dataclass(frozen=True)
class _Warning:
    mask: Mask
    field: Field
    reason: str
    value: Evidence


class IssueLog:
    """Refusals (the first found for a row stands) and warnings, for one chunk."""

    def __init__(self, rows: npt.NDArray[np.int64], ids: Evidence, id_column: str) -> None:
        self.rows = rows
        self.ids = _objects(ids)
        self.id_column = id_column
        self._field = np.full(len(rows), None, dtype=object)
        self._value = np.full(len(rows), None, dtype=object)
        self._reason = np.full(len(rows), None, dtype=object)
        self._rejected = np.zeros(len(rows), dtype=bool)
        self._warnings: list[_Warning] = []

    @property
    def rejected(self) -> Mask:
        """The rows refused so far (a copy)."""
        return self._rejected.copy()

    def reject(self, mask: Mask, field: Field, reason: str, value: Evidence) -> None:
        """Refuse the rows of ``mask`` not refused yet; ``value`` is the evidence, per row."""
        mask = mask & ~self._rejected
        if not mask.any():
            return
        self._rejected |= mask
        self._field[mask] = _picked(field, mask)
        self._value[mask] = _picked(value, mask)
        self._reason[mask] = reason

    def warn(self, mask: Mask, field: Field, reason: str, value: Evidence) -> None:
        """Warn on the rows of ``mask``; the warning is dropped on any row refused."""
        if mask.any():
            self._warnings.append(_Warning(mask, field, reason, value))

    def frame(self) -> pd.DataFrame:
        """Every line in ``report_columns(id_column)``, in row order."""
        rejected = self._rejected
        every = [
            self._lines(
                rejected,
                REJECTED,
                self._field[rejected],
                self._value[rejected],
                self._reason[rejected],
            )
        ]
        for warning in self._warnings:
            kept = warning.mask & ~rejected
            if kept.any():
                field, value = _picked(warning.field, kept), _picked(warning.value, kept)
                every.append(self._lines(kept, WARNING, field, value, warning.reason))
        report = pd.concat(every, ignore_index=True) if len(every) > 1 else every[0]
        return report.sort_values("row", kind="stable", ignore_index=True)

    def _lines(
        self, mask: Mask, outcome: str, field: object, value: object, reason: object
    ) -> pd.DataFrame:
        return report_lines(
            self.id_column, self.rows[mask], self.ids[mask], outcome, field, value, reason
        )


def _picked(values: Field | Evidence, mask: Mask) -> object:
    """The values of the rows of ``mask`` (a name for every row stays as it is)."""
    if isinstance(values, str):
        return values
    if isinstance(values, pd.Series):
        return values[mask].to_numpy(dtype=object)
    return values[mask]


def _objects(values: Evidence) -> Values:
    return values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
