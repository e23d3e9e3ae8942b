"""The shape survey rows take between reading a file and storing it.

Every reader (``geosvc.surveys.formats``) turns its file into a stream of pandas
DataFrames, one per chunk, with the same columns whatever the format, so that checking
(``geosvc.surveys.checks``) and storing (``geosvc.surveys.loader``) never look at a format:

- ``row``: the row's number as the worker sees the file: its spreadsheet row, the header
  being row 1 (and an HXL tag row row 2). In a CSV that is the record's number, not the
  text line's: a quoted value spanning lines is still one row, as a spreadsheet shows it.
  For a JSON or GeoJSON file, the 1-based position of the record; int64. A row whose
  every cell is blank is no submission and is left out; the others keep their numbers.
- ``submission_id``: the submission's own id (Kobo ``_uuid``, else ``meta/instanceID``;
  ODK ``meta-instanceID``, else ``KEY``; OData ``meta/instanceID``, else ``__id``; a plain
  file's id column; a GeoJSON feature's ``id``), with any ``uuid:`` prefix removed;
  ``None`` when the file has none.
- ``root_id``: the id that stays the same across edits (Kobo ``meta/rootUuid``; ODK
  ``KEY`` and OData ``__id``, the submission's first instanceID, which Central keeps),
  prefix removed; ``None`` when the format has no such column.
- ``deprecated_id``: the submission an edit replaces (ODK and Kobo ``meta/deprecatedID``),
  prefix removed; ``None`` when absent.
- ``submitted_at``: when the server received it (Kobo ``_submission_time``, which has no
  offset and is UTC; ODK ``SubmissionDate``; OData ``__system/submissionDate``; a plain
  file's ``submitted_at`` or ``submission_time`` column), dtype ``datetime64[us, UTC]``;
  ``NaT`` when absent or not ISO 8601.
- ``latitude``, ``longitude``, ``altitude``, ``precision``: the location's parts as the
  text found in the file (split from a ``"lat lon alt acc"`` geopoint where the file has
  only that); ``None`` when missing. Checking parses them, so that an unparseable value
  reaches the worker's report with what was written.
- every question, as text (``None`` for a blank), under its full path with group names
  joined by ``/`` whatever the format joined them with; repeat groups (ODK zip tables,
  Kobo ``group[1]/q`` columns, OData arrays) become one column per repeat question holding
  a JSON list of the instances' answers (text, or null for a blank answer), a repeat inside
  a repeat a list of lists; a row with no instance has ``None``.

Text columns have dtype ``object`` and hold ``str`` or ``None`` only (pandas' own ``str``
dtype would turn ``None`` into NaN). Only an empty cell is blank: "NA", "n/a" and spaces
are kept as written. "Questions" are all the file's other columns, export metadata
included (Kobo ``_id`` and ``_validation_status``, ODK ``ReviewState``, OData
``__system/reviewState``, …); the columns a canonical value was taken from (the id, time
and chosen location columns) are not repeated. A column name used twice gets ``~2``.

A question whose name clashes with a canonical column is put under ``answers.<name>``.
"""

from __future__ import annotations

ROW = "row"
SUBMISSION_ID = "submission_id"
ROOT_ID = "root_id"
DEPRECATED_ID = "deprecated_id"
SUBMITTED_AT = "submitted_at"
LATITUDE = "latitude"
LONGITUDE = "longitude"
ALTITUDE = "altitude"
PRECISION = "precision"

CANONICAL = (
    ROW,
    SUBMISSION_ID,
    ROOT_ID,
    DEPRECATED_ID,
    SUBMITTED_AT,
    LATITUDE,
    LONGITUDE,
    ALTITUDE,
    PRECISION,
)
"""The columns every reader's chunks start with, in this order."""

CLASHING_PREFIX = "answers."
"""Where a question named like a canonical column is put."""
