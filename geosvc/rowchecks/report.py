"""The report of a checked file: one format and one CSV writer for its lines.

A report line is ``row, <id>, outcome, field, value, reason``: the row as a spreadsheet
numbers it, the row's identifier (its column named by the domain: ``source_id``,
``submission_id``), 'rejected' or 'warning' (or a domain's own outcome, such as a survey
row 'replaced'), the field at fault, the evidence and a fixed sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

REJECTED = "rejected"
WARNING = "warning"
ROW = "row"

Values = npt.NDArray[np.object_]


def report_columns(id_column: str) -> list[str]:
    """The columns of a report whose rows are identified by ``id_column``."""
    return [ROW, id_column, "outcome", "field", "value", "reason"]


def report_lines(
    id_column: str,
    rows: npt.NDArray[np.int64],
    ids: Values,
    outcome: object,
    field: object,
    value: object,
    reason: object,
) -> pd.DataFrame:
    """Report lines in ``report_columns(id_column)``; a scalar (not a list) fills its column.

    Every column but the row is of object dtype, None where missing, so that the lines of
    every check concatenate alike.
    """
    columns = report_columns(id_column)
    lines = pd.DataFrame(
        {
            ROW: rows,
            id_column: ids,
            "outcome": outcome,
            "field": field,
            "value": value,
            "reason": reason,
        },
        columns=columns,
    )
    return lines.astype({c: object for c in columns if c != ROW})


def reason_counts(lines: pd.DataFrame) -> dict[str, Counter[str]]:
    """How many lines each reason has, by outcome."""
    counts: dict[str, Counter[str]] = {}
    sizes = lines.groupby(["outcome", "reason"]).size()
    outcomes = sizes.index.get_level_values("outcome")
    reasons = sizes.index.get_level_values("reason")
    for outcome, reason, size in zip(outcomes, reasons, sizes.to_numpy(), strict=True):
        counts.setdefault(str(outcome), Counter())[str(reason)] += int(size)
    return counts


def report_header(id_column: str) -> bytes:
    """The report's CSV header line."""
    return (",".join(report_columns(id_column)) + "\n").encode()


def report_csv(
    lines: pd.DataFrame, id_column: str, leading: Mapping[str, int | str] | None = None
) -> bytes:
    """Report lines as headerless CSV, ``leading`` columns first (a batch id, say).

    Quoted only where needed, as a spreadsheet writes CSV; missing and empty text alike
    are an empty field (NULL to COPY).
    """
    columns = report_columns(id_column)
    frame = lines[columns]
    if leading:
        frame = frame.assign(**leading)[[*leading, *columns]]
    return frame.to_csv(header=False, index=False, lineterminator="\n").encode()
