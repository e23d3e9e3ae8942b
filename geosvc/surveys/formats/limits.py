"""How much an upload may expand to: checked on a zip's directory before anything is extracted.

An XLSX workbook and an ODK Central export are zip archives, and a zip's directory says how
big each member is once decompressed. Python's ``zipfile`` never returns more bytes than
that declared size (a member that lies fails its CRC check instead), so checking the
directory is enough to refuse a zip bomb before a single member is inflated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from geosvc.errors import UploadTooLargeError

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class ReadLimits:
    """The most a survey file may hold.

    ``max_expanded_bytes`` bounds the sum of the decompressed sizes of the zip members that
    will be read (an XLSX's parts, an ODK export's CSVs; media an ODK export carries are
    never read, so they do not count). A member bigger than ``ratio_floor_bytes`` whose
    decompressed size is more than ``max_ratio`` times its compressed size is refused
    whatever the total: real sheets and CSVs compress about 5 to 30 times.
    ``max_json_bytes`` bounds a JSON or GeoJSON file, which is parsed whole.
    """

    max_expanded_bytes: int = GIB
    max_members: int = 100_000
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 4 * MIB
    max_json_bytes: int = 256 * MIB


def check_members(
    archive: zipfile.ZipFile, read: Sequence[zipfile.ZipInfo], limits: ReadLimits, label: str
) -> None:
    """Refuse ``archive`` if it has too many members or ``read`` would expand too far."""
    count = len(archive.infolist())
    if count > limits.max_members:
        raise UploadTooLargeError(
            f"{label} holds {count:,} files; at most {limits.max_members:,} are accepted."
        )
    for member in read:
        _check_ratio(member, limits, label)
    expanded = sum(member.file_size for member in read)
    if expanded > limits.max_expanded_bytes:
        raise UploadTooLargeError(
            f"{label} expands to {_size(expanded)}; at most "
            f"{_size(limits.max_expanded_bytes)} is accepted. Split the batch into smaller files."
        )


def check_json_size(size: int, limits: ReadLimits, label: str) -> None:
    """Refuse a JSON file too big to parse whole."""
    if size > limits.max_json_bytes:
        raise UploadTooLargeError(
            f"{label} is {_size(size)}; a JSON file may be at most "
            f"{_size(limits.max_json_bytes)}. Export the batch as CSV instead."
        )


def _check_ratio(member: zipfile.ZipInfo, limits: ReadLimits, label: str) -> None:
    if member.file_size <= limits.ratio_floor_bytes:
        return
    ratio = member.file_size / max(member.compress_size, 1)
    if ratio > limits.max_ratio:
        raise UploadTooLargeError(
            f"{label}: {member.filename} would expand {ratio:,.0f} times, to "
            f"{_size(member.file_size)}; that is no survey export."
        )


def _size(count: int) -> str:
    if count >= GIB:
        return f"{count / GIB:.1f} GiB"
    return f"{count / MIB:.1f} MiB"
