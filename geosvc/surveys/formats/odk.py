"""ODK Central's zip export: the root table's CSV, and one CSV per repeat group.

The root CSV starts with ``SubmissionDate`` and has a ``KEY``; a repeat table's rows carry
their own ``KEY`` (``uuid:…/group/children[2]``) and their parent's (``PARENT_KEY``). Each
repeat table is read whole (the limits bound it) and folded into its parent, deepest
first, as one JSON-list column per repeat question (``group/children/name``); the root
table is then streamed in chunks with those columns looked up by ``KEY``. A repeat table
without rows adds no column, since its path is only known from its keys. Media files in
the zip are never opened.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np
import pandas as pd

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.csvtable import CsvRows
from geosvc.surveys.formats.detect import Encoding, text_encoding
from geosvc.surveys.formats.layout import Dialect, resolve_layout
from geosvc.surveys.formats.limits import ReadLimits, check_members
from geosvc.surveys.formats.repeats import lists_for, long_lists, repeat_template
from geosvc.surveys.formats.table import OpenedTable, RawChunk, Values

_ROOT_FIRST = "SubmissionDate"
_KEY = "KEY"
_PARENT_KEY = "PARENT_KEY"


@dataclass
class _RepeatTable:
    """A repeat table read whole; ``path`` and ``parent`` are group paths (root is "")."""

    path: str
    parent: str
    columns: dict[str, Values]
    nested: set[str] = field(default_factory=set)

    @property
    def depth(self) -> int:
        """How many groups deep the repeat is; deeper ones are folded first."""
        return self.path.count("/")


def open_odk_zip(
    path: Path, label: str, limits: ReadLimits, *, location: str | None, chunk_rows: int
) -> tuple[Encoding, OpenedTable]:
    """An ODK Central export zip: its root table, repeats attached, ready to read in chunks."""
    archive = _open(path, label)
    try:
        members = _csv_members(archive)
        check_members(archive, members, limits, label)
        tables = {m.filename: _csv_rows(archive, m, label, chunk_rows) for m in members}
        root_name = _root(tables, label)
        root_encoding, root = tables.pop(root_name)
        repeats = [_read_repeat(rows) for _, rows in tables.values() if _is_repeat(rows)]
        lists = _fold(r for r in repeats if r is not None)
        names = [*root.head.names, *(str(c) for frame in lists for c in frame.columns)]
        layout = resolve_layout(names, Dialect.ODK, location=location, label=label)
    except BaseException:
        archive.close()
        raise
    return root_encoding, OpenedTable(layout, lambda: _with_lists(root, lists), archive.close)


def _open(path: Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceFileError(f"{label} is a damaged zip archive.") from exc


def _csv_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [
        m
        for m in archive.infolist()
        if not m.is_dir()
        and PurePosixPath(m.filename).suffix.lower() == ".csv"
        and not m.filename.startswith(("__MACOSX/", "media/"))
    ]


def _csv_rows(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, label: str, chunk_rows: int
) -> tuple[Encoding, CsvRows]:
    member_label = f"{label}: {member.filename}"

    def opener() -> IO[bytes]:
        return archive.open(member)

    with opener() as stream:
        encoding = text_encoding(stream, member_label)
    return encoding, CsvRows(opener, encoding, member_label, chunk_rows)


def _root(tables: dict[str, tuple[Encoding, CsvRows]], label: str) -> str:
    roots = [
        name
        for name, (_, rows) in tables.items()
        if rows.head.names[0] == _ROOT_FIRST
        and _KEY in rows.head.names
        and _PARENT_KEY not in rows.head.names
    ]
    if not roots:
        listed = ", ".join(tables) or "none"
        raise SourceFileError(
            f"{label} holds no ODK Central root table: none of its CSV files ({listed}) "
            f"starts with {_ROOT_FIRST} and has a {_KEY} column."
        )
    if len(roots) > 1:
        raise SourceFileError(
            f"{label} holds several root tables ({', '.join(roots)}); upload one form's "
            "export at a time."
        )
    return roots[0]


def _is_repeat(rows: CsvRows) -> bool:
    return {_KEY, _PARENT_KEY} <= set(rows.head.names)


def _read_repeat(rows: CsvRows) -> _RepeatTable | None:
    """A repeat table's rows, with its path and its parent's read from the keys."""
    chunks = list(rows.raw_chunks())
    if not chunks:
        return None
    columns = {
        name: np.concatenate([chunk.columns[name] for chunk in chunks]) for name in rows.head.names
    }
    key = _first_filled(columns[_KEY])
    parent_key = _first_filled(columns[_PARENT_KEY])
    if key is None or parent_key is None:
        return None
    questions = {
        name.replace("-", "/"): values
        for name, values in columns.items()
        if name not in (_KEY, _PARENT_KEY)
    }
    questions[_PARENT_KEY] = columns[_PARENT_KEY]
    questions[_KEY] = columns[_KEY]
    return _RepeatTable(path=_group_path(key), parent=_group_path(parent_key), columns=questions)


def _group_path(key: str) -> str:
    """``uuid:…/group/children[2]/toys[1]`` → ``group/children/toys``; the root's is ""."""
    _, _, inside = key.partition("/")
    return repeat_template(inside)


def _first_filled(values: Values) -> str | None:
    filled = values[~pd.isna(values)]
    return str(filled[0]) if len(filled) else None


def _fold(repeats: Iterable[_RepeatTable]) -> list[pd.DataFrame]:
    """Each repeat folded into its parent, deepest first; the top ones' lists by root key."""
    tables = sorted(repeats, key=lambda t: -t.depth)
    by_path = {t.path: t for t in tables}
    top: list[pd.DataFrame] = []
    for table in tables:
        questions = {n: v for n, v in table.columns.items() if n not in (_KEY, _PARENT_KEY)}
        lists = long_lists(questions, table.columns[_PARENT_KEY], frozenset(table.nested))
        relative = table.path.removeprefix(table.parent + "/") if table.parent else table.path
        lists.columns = [f"{relative}/{name}" for name in lists.columns]
        parent = by_path.get(table.parent)
        if not table.parent:
            top.append(lists)
        elif parent is not None:
            parent.columns.update(lists_for(parent.columns[_KEY], lists, nested=True))
            parent.nested.update(str(c) for c in lists.columns)
    return top


def _with_lists(root: CsvRows, lists: list[pd.DataFrame]) -> Iterator[RawChunk]:
    """The root table's chunks, each row with its repeats' lists."""
    for chunk in root.raw_chunks():
        for frame in lists:
            chunk.columns.update(lists_for(chunk.columns[_KEY], frame))
        yield chunk
