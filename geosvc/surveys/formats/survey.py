"""Opening a survey file: recognise it, check it, then stream it in the canonical shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pandas as pd

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.csvtable import open_csv
from geosvc.surveys.formats.detect import (
    Content,
    Encoding,
    SurveyFormat,
    sniff_content,
    text_encoding,
)
from geosvc.surveys.formats.geojson import is_geojson, open_geojson
from geosvc.surveys.formats.jsonrecords import load_json
from geosvc.surveys.formats.layout import Dialect
from geosvc.surveys.formats.limits import ReadLimits
from geosvc.surveys.formats.odata import is_odata, open_odata
from geosvc.surveys.formats.odk import open_odk_zip
from geosvc.surveys.formats.shape import shape
from geosvc.surveys.formats.table import OpenedTable
from geosvc.surveys.formats.xlsx import open_xlsx

_CSV_FORMATS = {
    Dialect.KOBO: SurveyFormat.KOBO_CSV,
    Dialect.ODK: SurveyFormat.ODK_CSV,
    Dialect.PLAIN: SurveyFormat.CSV,
}


class SurveyFile:
    """An opened survey file: what it is, its questions, and its rows in canonical chunks.

    ``encoding`` is None for a workbook, whose text has no encoding to choose. ``location``
    is the geopoint question (or latitude/longitude columns) the location was taken from.
    Use it as a context manager; ``chunks()`` may be called again to read from the start.
    """

    def __init__(
        self,
        path: Path,
        survey_format: SurveyFormat,
        encoding: Encoding | None,
        table: OpenedTable,
    ) -> None:
        self.path = path
        self.format = survey_format
        self.encoding = encoding
        self._table = table

    @property
    def questions(self) -> list[str]:
        """The question columns of every chunk, after the canonical ones, in order."""
        return list(self._table.layout.order)

    @property
    def location(self) -> str:
        """The name of the geopoint question (or columns) the location comes from."""
        return self._table.layout.location.name

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The rows in canonical frames (``geosvc.surveys.frames``), at most ``chunk_rows``
        each. Raises SourceFileError if the file turns out to have no row, or a bad one."""
        rows = 0
        for raw in self._table.chunks():
            rows += len(raw)
            yield shape(raw, self._table.layout)
        if rows == 0:
            raise SourceFileError(f"{self.path.name} has no rows to load.")

    def close(self) -> None:
        """Release the file (a workbook or zip stays open until then)."""
        self._table.close()

    def __enter__(self) -> SurveyFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_survey(
    path: Path,
    *,
    location: str | None = None,
    chunk_rows: int = 100_000,
    limits: ReadLimits = ReadLimits(),
) -> SurveyFile:
    """Open the survey file ``path``, recognised from its content, and check its layout.

    ``location`` names the geopoint question when the file has several. Raises
    SourceFileError for a file that cannot be a survey batch (wrong kind, no header, no
    location, …) and UploadTooLargeError for one beyond ``limits``, before any row is read.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    content = sniff_content(path)
    label = path.name
    if content is Content.XLSX:
        dialect, table = open_xlsx(path, label, limits, location=location, chunk_rows=chunk_rows)
        survey_format = SurveyFormat.KOBO_XLSX if dialect is Dialect.KOBO else SurveyFormat.XLSX
        return SurveyFile(path, survey_format, None, table)
    if content is Content.ZIP:
        encoding, table = open_odk_zip(
            path, label, limits, location=location, chunk_rows=chunk_rows
        )
        return SurveyFile(path, SurveyFormat.ODK_ZIP, encoding, table)
    with path.open("rb") as stream:
        encoding = text_encoding(stream, label)
    if content is Content.JSON:
        return _open_json(path, encoding, limits, location=location, chunk_rows=chunk_rows)
    dialect, table = open_csv(
        lambda: path.open("rb"), encoding, label, location=location, chunk_rows=chunk_rows
    )
    return SurveyFile(path, _CSV_FORMATS[dialect], encoding, table)


def _open_json(
    path: Path,
    encoding: Encoding,
    limits: ReadLimits,
    *,
    location: str | None,
    chunk_rows: int,
) -> SurveyFile:
    label = path.name
    document = load_json(path, encoding, label, limits)
    if is_odata(document):
        table = open_odata(document, label, location=location, chunk_rows=chunk_rows)
        return SurveyFile(path, SurveyFormat.ODK_ODATA, encoding, table)
    if is_geojson(document):
        table = open_geojson(document, label, location=location, chunk_rows=chunk_rows)
        return SurveyFile(path, SurveyFormat.GEOJSON, encoding, table)
    raise SourceFileError(
        f"{label} is JSON but neither an ODK Central OData export "
        '({"value": [...]}) nor a GeoJSON FeatureCollection.'
    )
