"""Laying out bulk rows as CSV for COPY with Arrow, whose writer runs in C++.

pandas' ``to_csv`` and psycopg's row-at-a-time COPY cost several seconds per million
rows; building Arrow columns and writing them with ``pyarrow.csv`` costs a fraction.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
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
    array = pa.array(values.astype("string[pyarrow]"), type=pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def utc_text(times: pa.Array) -> pa.Array:
    """UTC timestamps as PostgreSQL reads them, with the offset written out.

    Arrow's CSV writer formats a zoned timestamp twenty times slower than this.
    """
    naive = times.cast(pa.timestamp("us")).cast(pa.string())
    return pc.binary_join_element_wise(naive, "+00", "")


_EWKB_POINT_4326 = np.frombuffer(bytes.fromhex("0101000020E6100000"), dtype=np.uint8)
"""Little-endian EWKB of a point with an SRID (0x20000001), and the SRID 4326."""
_HEX_DIGITS = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_POINT_BYTES = 25


def ewkb_points(lon: npt.ArrayLike, lat: npt.ArrayLike) -> pa.Array:
    """Hex EWKB points (SRID 4326) from coordinates; NULL where either is NaN.

    PostGIS reads hex EWKB in half the time it parses the same points as EWKT (measured:
    0.66 s against 1.40 s per million in COPY), and the doubles go over exactly, with no
    decimal text in between. shapely.to_wkb would make a Python object per point first.
    """
    x = np.ascontiguousarray(lon, dtype="<f8")
    y = np.ascontiguousarray(lat, dtype="<f8")
    n = len(x)
    raw = np.empty((n, _POINT_BYTES), dtype=np.uint8)
    raw[:, :9] = _EWKB_POINT_4326
    raw[:, 9:17] = x.view(np.uint8).reshape(n, 8)
    raw[:, 17:] = y.view(np.uint8).reshape(n, 8)
    digits = np.empty((n, 2 * _POINT_BYTES), dtype=np.uint8)
    digits[:, 0::2] = _HEX_DIGITS[raw >> 4]
    digits[:, 1::2] = _HEX_DIGITS[raw & 0x0F]
    offsets = np.arange(0, 2 * _POINT_BYTES * (n + 1), 2 * _POINT_BYTES, dtype=np.int32)
    missing = np.isnan(x) | np.isnan(y)
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little")) if missing.any() else None
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(digits.tobytes()), valid
    )
