"""Checked survey rows (laid out with Arrow) and report lines as CSV for COPY."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geosvc.arrowcsv import csv_bytes, ewkb_points, repeat, utc_text
from geosvc.db import column_names
from geosvc.rowchecks.report import report_csv
from geosvc.surveys.frames import SUBMISSION_ID
from geosvc.surveys.scales import SCALES
from geosvc.surveys.tables import survey_batch_issue, survey_response

_ACCESS = tuple(scale.column for scale in SCALES.values())
RESPONSE_COLUMNS = column_names(survey_response, exclude=["id"])
ISSUE_COLUMNS = column_names(survey_batch_issue)


def response_csv(rows: pd.DataFrame, batch_id: int) -> bytes:
    """Checked rows (``checks.ROW_COLUMNS``, with their final root ids) in RESPONSE_COLUMNS."""
    n = len(rows)
    collected = pa.array(rows["collected_at"], type=pa.timestamp("us", tz="UTC"))
    columns = {
        "submission_id": _text(rows["submission_id"]),
        "root_id": _text(rows["root_id"]),
        "batch_id": pa.repeat(pa.scalar(batch_id, pa.int64()), n),
        "geom": ewkb_points(rows["lon"], rows["lat"]),
        "ward_code": _text(rows["ward_code"]),
        "collected_at": utc_text(collected),
        "precision_m": pa.array(rows["precision_m"], type=pa.float64(), from_pandas=True),
        **{c: pa.array(rows[c], type=pa.int16(), from_pandas=True) for c in _ACCESS},
        "needs": _array_literals(rows["needs"]),
        "answers": _text(rows["answers"]),
    }
    return csv_bytes(pa.table({c: columns[c] for c in RESPONSE_COLUMNS}))


def issue_csv(lines: pd.DataFrame, batch_id: int) -> bytes:
    """Report lines (``checks.REPORT_COLUMNS``) in ISSUE_COLUMNS."""
    return report_csv(lines, SUBMISSION_ID, leading={"batch_id": batch_id})


def _text(values: pd.Series) -> pa.Array:
    return pa.array(values.astype(object), type=pa.string(), from_pandas=True)


def _array_literals(needs: pd.Series) -> pa.Array:
    """Lists of need codes as PostgreSQL array literals; codes are [a-z0-9_] (the schema
    checks them), so none needs quoting."""
    lists = pa.array(needs, type=pa.list_(pa.string()), from_pandas=True)
    joined = pc.binary_join(lists, ",")
    literal = pc.binary_join_element_wise("{", joined, "}", "")
    return pc.if_else(pc.is_null(literal), repeat("{}", len(needs)), literal)
