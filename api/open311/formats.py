"""Open311 bodies in JSON and XML, and errors as the spec's array of {code, description}."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from enum import StrEnum
from typing import Any

from fastapi import Response

from geosvc.errors import NotFoundError

JSON_TYPE = "application/json"
XML_TYPE = "text/xml; charset=utf-8"
#: The MIME types discovery lists, one per format.
MIME_TYPES = ("application/json", "text/xml")
#: The element of each item of a list, by the list's element name.
ITEM_ELEMENTS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "errors": "error",
}
_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Format(StrEnum):
    """A response format, named by the URL's suffix."""

    JSON = "json"
    XML = "xml"


def parse_format(suffix: str) -> Format:
    """The format a URL suffix names; NotFoundError for any other suffix."""
    try:
        return Format(suffix.lower())
    except ValueError:
        raise NotFoundError(f"There is no .{suffix} format; use .json or .xml.") from None


def format_of_path(path: str) -> Format:
    """The format of a URL path, for errors raised before the suffix was parsed (JSON default)."""
    return Format.XML if path.lower().endswith(".xml") else Format.JSON


def render(fmt: Format, root: str, body: Any, status: int = 200) -> Response:
    """``body`` (a list or a dict) as JSON, or as XML under the ``root`` element."""
    if fmt is Format.XML:
        return Response(to_xml(root, body), status_code=status, media_type=XML_TYPE)
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(content.encode("utf-8"), status_code=status, media_type=JSON_TYPE)


def error_response(fmt: Format, status: int, description: str) -> Response:
    """An Open311 error: ``[{code, description}]``, ``<errors><error>`` in XML."""
    return render(fmt, "errors", [{"code": status, "description": description}], status)


def to_xml(root: str, body: Any) -> bytes:
    """``body`` as an XML document: dict keys become elements, list items take the singular.

    >>> to_xml("errors", [{"code": 404, "description": "a < b"}]).decode().splitlines()[1]
    '<errors><error><code>404</code><description>a &lt; b</description></error></errors>'
    """
    element = ET.Element(root)
    _fill(element, body)
    return (_XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        name = ITEM_ELEMENTS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, name), item)
    elif value is not None:
        element.text = _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))
