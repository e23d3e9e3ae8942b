"""ODK Central's OData JSON: ``{"value": [submission, …]}``, each submission flattened.

``__id`` is the submission's first instanceID, which edits keep (its root);
``meta/instanceID`` the current version's; ``__system/submissionDate`` when Central got it.
The other ``__system`` fields stay as questions (``__system/reviewState``, …). Repeats come
as arrays only when the export was made with ``$expand=*``; without it they are links to
other tables, which are not in the file and are left out. One page of a paged export
(``@odata.nextLink``) is refused rather than loaded as if it were the batch.
"""

from __future__ import annotations

from typing import TypeGuard

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.jsonrecords import flatten, ordered_names, record_columns, sliced
from geosvc.surveys.formats.layout import Dialect, Geopoint, resolve_layout
from geosvc.surveys.formats.table import OpenedTable


def is_odata(document: object) -> TypeGuard[dict[str, object]]:
    """Whether a parsed JSON document is an OData response (an object with a ``value`` list)."""
    return isinstance(document, dict) and isinstance(document.get("value"), list)


def open_odata(
    document: dict[str, object], label: str, *, location: str | None, chunk_rows: int
) -> OpenedTable:
    """The submissions of an OData response, flattened, ready to read in chunks."""
    if "@odata.nextLink" in document:
        raise SourceFileError(
            f"{label} is one page of an OData export (it has an @odata.nextLink); "
            "export all submissions in one file."
        )
    submissions = document.get("value")
    if not isinstance(submissions, list) or not submissions:
        raise SourceFileError(f"{label} has no submissions: its value list is empty.")
    records = []
    points: dict[str, None] = {}
    for number, submission in enumerate(submissions, start=1):
        if not isinstance(submission, dict):
            raise SourceFileError(f"{label}: submission {number} is not a JSON object.")
        record, found = flatten(submission)
        records.append(record)
        points.update(dict.fromkeys(found))
    names = ordered_names(records)
    geopoints = [Geopoint(name=path, text=path) for path in points]
    layout = resolve_layout(
        names, Dialect.ODATA, location=location, label=label, geopoints=geopoints
    )
    columns = record_columns(records, names)
    return OpenedTable(layout, lambda: sliced(columns, len(records), chunk_rows))
