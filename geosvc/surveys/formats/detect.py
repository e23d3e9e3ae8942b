"""What a file is, from its bytes: the name is only checked against what they say.

A file named ``.xlsx`` that holds CSV text is refused with both facts in the message, so
the worker knows what to fix; a file with no or an unknown extension is read as what its
content is.
"""

from __future__ import annotations

import codecs
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import IO

from geosvc.errors import SourceFileError

HEAD_BYTES = 64 * 1024
_BLOCK_BYTES = 4 * 1024 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class SurveyFormat(StrEnum):
    """The export a survey file was recognised as."""

    KOBO_CSV = "kobo_csv"
    KOBO_XLSX = "kobo_xlsx"
    ODK_CSV = "odk_csv"
    ODK_ZIP = "odk_zip"
    ODK_ODATA = "odk_odata"
    CSV = "csv"
    XLSX = "xlsx"
    GEOJSON = "geojson"


class Encoding(StrEnum):
    """A text file's encoding; the value is Python's codec name for it."""

    UTF8 = "utf-8"
    UTF8_BOM = "utf-8-sig"
    CP1252 = "cp1252"


class Content(StrEnum):
    """What the bytes hold; the value completes "it looks like …"."""

    CSV = "CSV text"
    JSON = "JSON"
    XLSX = "an Excel workbook"
    ZIP = "a zip archive"


_EXPECTED = {
    ".csv": Content.CSV,
    ".txt": Content.CSV,
    ".xlsx": Content.XLSX,
    ".xlsm": Content.XLSX,
    ".zip": Content.ZIP,
    ".json": Content.JSON,
    ".geojson": Content.JSON,
}
_EXPECTED_AS = {
    Content.CSV: "CSV text",
    Content.JSON: "JSON",
    Content.XLSX: "an Excel workbook",
    Content.ZIP: "a zip of CSV files",
}


def sniff_content(path: Path) -> Content:
    """What ``path`` holds; refuses empty files and kinds no reader takes, and a wrong name."""
    if not path.is_file():
        raise SourceFileError(f"{path} does not exist or is not a file.")
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    content = _content(path, head)
    expected = _EXPECTED.get(path.suffix.lower())
    if expected is not None and expected is not content:
        raise SourceFileError(
            f"{path.name} is named {path.suffix} but is not {_EXPECTED_AS[expected]}; "
            f"it looks like {content.value}."
        )
    return content


def text_encoding(stream: IO[bytes], label: str) -> Encoding:
    """UTF-8 (with or without BOM) if every byte of ``stream`` decodes so, else Windows-1252.

    The whole stream is read: a Windows-1252 "é" on the millionth line must not surface
    after the first chunks were stored. ASCII blocks are skipped without decoding.
    """
    start = stream.tell()
    head = stream.read(len(codecs.BOM_UTF8))
    bom = head == codecs.BOM_UTF8
    stream.seek(start)
    encoding = Encoding.UTF8_BOM if bom else Encoding.UTF8
    if not _decodes(stream, "utf-8"):
        stream.seek(start)
        if not _decodes(stream, "cp1252"):
            raise SourceFileError(f"{label} is neither UTF-8 nor Windows-1252 text.")
        encoding = Encoding.CP1252
    stream.seek(start)
    return encoding


def _decodes(stream: IO[bytes], codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        while block := stream.read(_BLOCK_BYTES):
            pending = decoder.getstate()[0]
            if not pending and block.isascii():
                continue
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _content(path: Path, head: bytes) -> Content:
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise SourceFileError(f"{path.name} is empty.")
    if head.startswith(_ZIP_MAGIC):
        return _zip_content(path)
    if head.startswith(_OLE2_MAGIC):
        raise SourceFileError(
            f"{path.name} is an Excel 97-2003 workbook (.xls), which cannot be read; "
            "save it as .xlsx or CSV."
        )
    if head.startswith(_UTF16_BOMS):
        raise SourceFileError(f"{path.name} is UTF-16 text; save it as CSV UTF-8.")
    if b"\x00" in head:
        raise SourceFileError(
            f"{path.name} is not a survey export: it holds binary data, not CSV, JSON, "
            "an Excel workbook or a zip of CSV files."
        )
    first = head.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    return Content.JSON if first in (b"{", b"[") else Content.CSV


def _zip_content(path: Path) -> Content:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = _small_member(archive, "mimetype")
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceFileError(f"{path.name} is a damaged zip archive.") from exc
    if "xl/workbook.xml" in names:
        return Content.XLSX
    if b"opendocument.spreadsheet" in mimetype:
        raise SourceFileError(
            f"{path.name} is an OpenDocument spreadsheet; save it as .xlsx or CSV."
        )
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise SourceFileError(f"{path.name} is a text document, not a survey export.")
    return Content.ZIP


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A marker member's bytes; nothing for a missing or suspiciously big one."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    return archive.read(info) if info.file_size <= 256 else b""
