"""Survey files in, canonical frames out: the readers of KoboToolbox, ODK and plain exports.

``open_survey`` recognises a file from its bytes (Kobo CSV or XLSX, ODK Central CSV, zip or
OData JSON, a plain CSV or XLSX with latitude/longitude columns, GeoJSON points), refuses
what it cannot read with a sentence the worker can act on, and streams the rows as pandas
DataFrames shaped as ``geosvc.surveys.frames`` describes::

    with open_survey(path) as survey:
        for chunk in survey.chunks():
            ...

Modules: ``detect`` (what the bytes are, which encoding), ``limits`` (zip bombs and
oversized JSON), ``csvtable``, ``xlsx``, ``odk``, ``odata``, ``geojson`` (one per kind of
file), ``layout`` (which column is what: Kobo, ODK and plain names), ``repeats`` (repeat
groups as JSON lists), ``table`` and ``shape`` (the text chunks and the canonical frame).
"""

from __future__ import annotations

from geosvc.surveys.formats.detect import Encoding, SurveyFormat
from geosvc.surveys.formats.limits import ReadLimits
from geosvc.surveys.formats.survey import SurveyFile, open_survey

__all__ = ["Encoding", "ReadLimits", "SurveyFile", "SurveyFormat", "open_survey"]
