"""The one report format and its CSV writer."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from geosvc.rowchecks.report import reason_counts, report_csv, report_header, report_lines


def sample() -> pd.DataFrame:
    return report_lines(
        "source_id",
        np.array([2, 3, 4], dtype=np.int64),
        np.array(["a", "", "c"], dtype=object),
        ["rejected", "warning", "warning"],
        "lat/lon",
        np.array(['1.5, "2"', None, 7], dtype=object),
        ["bad point", "a warning", "a warning"],
    )


def test_lines_are_written_as_a_spreadsheet_reads_them() -> None:
    written = report_header("source_id") + report_csv(sample(), "source_id")
    assert written.decode().splitlines() == [
        "row,source_id,outcome,field,value,reason",
        '2,a,rejected,lat/lon,"1.5, ""2""",bad point',
        "3,,warning,lat/lon,,a warning",
        "4,c,warning,lat/lon,7,a warning",
    ]
    back = pd.read_csv(io.BytesIO(written), dtype=str, keep_default_na=False)
    assert back["value"].tolist() == ['1.5, "2"', "", "7"]


def test_leading_columns_come_first() -> None:
    first = report_csv(sample(), "source_id", leading={"batch_id": 9}).decode()
    assert first.splitlines()[0] == '9,2,a,rejected,lat/lon,"1.5, ""2""",bad point'


def test_reasons_are_counted_by_outcome() -> None:
    counts = reason_counts(sample())
    assert counts == {"rejected": {"bad point": 1}, "warning": {"a warning": 2}}
