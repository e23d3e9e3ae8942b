"""Laying out bulk rows as CSV for COPY with Arrow, whose writer runs in C++.

pandas' ``to_csv`` and psycopg's row-at-a-time COPY cost several seconds per million
rows; building Arrow columns and writing them with ``pyarrow.csv`` costs a fraction.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow.csv import WriteOptions, write_csv

_OPTIONS = WriteOptions(include_header=False, quoting_style="needed")


def csv_bytes(table: pa.Table) -> bytes:
    """The table as headerless CSV, NULL as an unquoted empty field (COPY's NULL)."""
    out = pa.BufferOutputStream()
    write_csv(table, out, _OPTIONS)
    return bytes(out.getvalue().to_pybytes())


def repeat(value: str, n: int) -> pa.Array:
    """``value`` ``n`` times."""
    return pa.repeat(pa.scalar(value, pa.string()), n)


def text_or_null(values: pd.Series) -> pa.Array:
    """Text with '' and missing as NULL: Arrow writes '' quoted, which COPY keeps as ''."""
    array = pa.array(values.astype(object), type=pa.string(), from_pandas=True)
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def utc_text(times: pa.Array) -> pa.Array:
    """UTC timestamps as PostgreSQL reads them, with the offset written out.

    Arrow's CSV writer formats a zoned timestamp twenty times slower than this.
    """
    naive = times.cast(pa.timestamp("us")).cast(pa.string())
    return pc.binary_join_element_wise(naive, "+00", "")


def ewkt_points(lon: pa.Array, lat: pa.Array) -> pa.Array:
    """EWKT points (SRID 4326) from coordinate text; NULL where either is NULL."""
    return pc.binary_join_element_wise("SRID=4326;POINT(", lon, " ", lat, ")", "")
