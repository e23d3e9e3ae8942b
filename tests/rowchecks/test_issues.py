"""The one issue log: refusals, warnings, and what is kept whatever the order of the checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geosvc.rowchecks.issues import IssueLog
from geosvc.rowchecks.report import report_columns

ROWS = np.array([2, 3, 4, 5], dtype=np.int64)
IDS = np.array(["a", "b", "c", "d"], dtype=object)
VALUES = np.array(["va", "vb", "vc", "vd"], dtype=object)


def mask(*positions: int) -> np.ndarray:
    out = np.zeros(len(ROWS), dtype=bool)
    out[list(positions)] = True
    return out


def log() -> IssueLog:
    return IssueLog(ROWS, IDS, "source_id")


def lines(issues: IssueLog) -> list[tuple[object, ...]]:
    return list(issues.frame().itertuples(index=False, name=None))


def test_the_first_refusal_of_a_row_stands() -> None:
    issues = log()
    issues.reject(mask(1), "when", "first reason", VALUES)
    issues.reject(mask(1, 2), "where", "second reason", VALUES)
    assert lines(issues) == [
        (3, "b", "rejected", "when", "vb", "first reason"),
        (4, "c", "rejected", "where", "vc", "second reason"),
    ]
    assert issues.rejected.tolist() == [False, True, True, False]


def test_a_warning_is_dropped_on_a_row_refused_before_or_after() -> None:
    warn_first, reject_first = log(), log()
    warn_first.warn(mask(0, 1, 2), "ward", "a warning", VALUES)
    warn_first.reject(mask(1), "id", "refused", VALUES)
    reject_first.reject(mask(1), "id", "refused", VALUES)
    reject_first.warn(mask(0, 1, 2), "ward", "a warning", VALUES)
    expected = [
        (2, "a", "warning", "ward", "va", "a warning"),
        (3, "b", "rejected", "id", "vb", "refused"),
        (4, "c", "warning", "ward", "vc", "a warning"),
    ]
    assert lines(warn_first) == expected
    assert lines(reject_first) == expected


def test_lines_in_row_order_refusal_first_then_warnings_as_recorded() -> None:
    issues = log()
    issues.warn(mask(3), "f1", "second row warning", VALUES)
    issues.warn(mask(0, 3), "f2", "another warning", VALUES)
    issues.reject(mask(3), "f3", "refused", VALUES)
    issues.warn(mask(0), "f4", "a third", VALUES)
    assert [(row, reason) for row, *_, reason in lines(issues)] == [
        (2, "another warning"),
        (2, "a third"),
        (5, "refused"),
    ]


def test_fields_and_evidence_per_row_and_evidence_as_a_series() -> None:
    issues = log()
    fields = np.array(["x1", "x2", "x3", "x4"], dtype=object)
    issues.reject(mask(0), fields, "refused", pd.Series(VALUES))
    issues.warn(mask(2), fields, "warned", pd.Series(VALUES, dtype="string[pyarrow]"))
    assert lines(issues) == [
        (2, "a", "rejected", "x1", "va", "refused"),
        (4, "c", "warning", "x3", "vc", "warned"),
    ]


def test_no_issue_gives_an_empty_report_with_the_domain_s_columns() -> None:
    issues = IssueLog(ROWS, pd.Series(IDS), "submission_id")
    issues.warn(mask(), "f", "never", VALUES)
    frame = issues.frame()
    assert list(frame.columns) == report_columns("submission_id")
    assert len(frame) == 0
    assert frame["submission_id"].dtype == object
