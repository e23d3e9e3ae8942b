"""The rows an import COPYs into ``service_request`` and ``request_event``, built with Arrow.

The checked rows (``import_checks.STAGING_COLUMNS``) become, in the reading thread, an
Arrow table holding every value of the request rows but their ids (``prepared``); once
the database has said which rows are new and handed out their ids, ``request_csv`` and
``event_csv`` add the ids and write CSV for the COPY of ``repo.imports``. COPYing straight
into the tables, not into a staging table and then INSERT … SELECT, halves what the
database does per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geosvc.arrowcsv import csv_bytes, ewkb_points, repeat, text_or_null, utc_text
from geosvc.requests.repo.imports import REQUEST_COLUMNS

_UTC = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class ImportContext:
    """What every row of one import shares: its source, kind, reference prefix and log."""

    source: str
    kind: str
    prefix: str
    zone: str
    actor: str
    note: str


def prepared(staged: pd.DataFrame, zone: str) -> pa.Table:
    """The request values of the checked rows, all but id and reference, for COPY.

    Empty text becomes NULL (an address, a ward, a resolution), except the description,
    which the table keeps as ''. ``year`` is the year lodged in the source's zone, for the
    reference number.
    """
    requested = _times(staged["requested_us"])
    closed = _times(staged["closed_us"])
    updated = _times(staged["updated_us"])
    status = pa.array(staged["status"], type=pa.string())
    acknowledged = pc.if_else(
        pc.equal(status, "received"),
        pa.scalar(None, _UTC),
        pc.if_else(pc.equal(status, "closed"), closed, updated),
    )
    return pa.table(
        {
            "source_id": text_or_null(staged["source_id"]),
            "service_code": text_or_null(staged["service_code"]),
            "description": pa.array(
                staged["description"].astype("string[pyarrow]"), type=pa.string()
            ),
            "status": status,
            "resolution": text_or_null(staged["resolution"]),
            "channel": text_or_null(staged["channel"]),
            "anonymous": pa.array(staged["anonymous"], type=pa.bool_()),
            "geom": ewkb_points(staged["lon"], staged["lat"]),
            "ward_code": text_or_null(staged["ward_code"]),
            "address": text_or_null(staged["address"]),
            "requested_at": utc_text(requested),
            "updated_at": utc_text(updated),
            "acknowledged_at": utc_text(acknowledged),
            "closed_at": utc_text(closed),
            "year": pc.year(requested.cast(pa.timestamp("us", tz=zone))),
        }
    )


def request_csv(rows: pa.Table, ids: npt.NDArray[np.int64], context: ImportContext) -> bytes:
    """``rows`` (from ``prepared``) with ``ids`` as CSV in ``REQUEST_COLUMNS`` order."""
    n = rows.num_rows
    id_array = pa.array(ids, type=pa.int64())
    computed = {
        "id": id_array,
        "reference": _references(context.prefix, rows["year"], id_array),
        "kind": repeat(context.kind, n),
        "actionable": pa.array(np.ones(n, dtype=bool)),
        "source": repeat(context.source, n),
        "token": pa.nulls(n, pa.string()),
    }
    return csv_bytes(
        pa.table({c: computed[c] if c in computed else rows[c] for c in REQUEST_COLUMNS})
    )


def event_csv(rows: pa.Table, ids: npt.NDArray[np.int64], context: ImportContext) -> bytes:
    """One 'imported' event per request, as CSV in ``repo.imports.EVENT_COLUMNS`` order."""
    n = rows.num_rows
    columns = {
        "request_id": pa.array(ids, type=pa.int64()),
        "kind": repeat("imported", n),
        "actor": repeat(context.actor, n),
        "status_to": rows["status"],
        "note": repeat(context.note, n),
        "public": pa.array(np.zeros(n, dtype=bool)),
    }
    return csv_bytes(pa.table(columns))


def _times(micros: pd.Series) -> pa.Array:
    return pa.array(micros, type=pa.int64(), from_pandas=True).cast(_UTC)


def _references(prefix: str, year: pa.ChunkedArray, ids: pa.Array) -> pa.Array:
    """``reference_number``'s format, vectorised: prefix, year, id padded to 7 digits."""
    serial = pc.utf8_lpad(ids.cast(pa.string()), width=7, padding="0")
    return pc.binary_join_element_wise(prefix, year.cast(pa.string()), serial, "-")
