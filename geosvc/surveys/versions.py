"""Which checked rows are new households, edits of stored ones, or already stored.

A submission keeps one identity across edits, its root: Kobo's ``rootUuid`` where the
export has it, else the submission an ODK edit deprecates, else its own id. Against what
the database holds:

- the same submission id is already stored: unchanged, not inserted twice;
- a stored submission's root is this row's id: a later edit is stored, this is older;
- this row's root or deprecated id is a stored submission or root: an edit, which
  replaces the stored row and keeps its root;
- otherwise a new household.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection

from geosvc.rowchecks.report import report_lines
from geosvc.surveys.frames import SUBMISSION_ID
from geosvc.surveys.repo.responses import stored_versions

UNCHANGED = "unchanged"
REPLACED = "replaced"
ALREADY_LOADED = "the submission is already loaded (batch {batch}); it was not added again"
NEWER_LOADED = "a later edit of this submission is already loaded ({newer}, batch {batch})"
REPLACES = "an edit: it replaces submission {old} loaded in batch {batch}"


@dataclass(frozen=True)
class Versions:
    """For each checked row: whether to store it, its root, and what it replaces."""

    store: npt.NDArray[np.bool_]
    root_id: npt.NDArray[np.object_]
    replaces: npt.NDArray[np.object_]
    """The stored submission id this row replaces (None when none)."""
    replaced_wards: list[str]
    """The wards of the stored rows being replaced: their needs change too."""
    issues: pd.DataFrame
    """Report lines: ``unchanged`` and ``replaced`` rows, with why."""


def file_roots(rows: pd.DataFrame) -> pd.Series:
    """Each row's root as far as the file says: rootUuid, else deprecated id, else own id."""
    return rows["root_id"].fillna(rows["deprecated_id"]).fillna(rows["submission_id"])


def resolve_versions(conn: Connection, rows: pd.DataFrame, *, probe: bool) -> Versions:
    """Compare the chunk's checked ``rows`` with the stored responses.

    ``probe`` false skips the lookup, when nothing is stored yet that could match.
    """
    roots = file_roots(rows).to_numpy(dtype=object)
    n = len(rows)
    nothing = Versions(
        store=np.ones(n, dtype=bool),
        root_id=roots,
        replaces=np.full(n, None, dtype=object),
        replaced_wards=[],
        issues=_lines(rows.iloc[:0], [], [], []),
    )
    if not probe or n == 0:
        return nothing
    stored = stored_versions(conn, _lookup_keys(rows, roots))
    if stored.empty:
        return nothing
    return _compare(rows, roots, stored)


def _lookup_keys(rows: pd.DataFrame, roots: npt.NDArray[np.object_]) -> list[object]:
    """Every id a stored version of these rows may be stored under: own, deprecated, root."""
    keys: list[object] = pd.unique(
        np.concatenate(
            [
                rows["submission_id"].dropna().to_numpy(dtype=object),
                rows["deprecated_id"].dropna().to_numpy(dtype=object),
                roots,
            ]
        )
    ).tolist()
    return keys


def _compare(rows: pd.DataFrame, roots: npt.NDArray[np.object_], stored: pd.DataFrame) -> Versions:
    ids = rows["submission_id"].to_numpy(dtype=object)
    by_id = stored.set_index("submission_id")
    by_root = stored.drop_duplicates("root_id").set_index("root_id")
    same = pd.Series(ids).isin(by_id.index).to_numpy()
    newer = ~same & pd.Series(ids).isin(by_root.index).to_numpy()
    target = pd.Series(roots).map(by_root["submission_id"])
    target = target.fillna(pd.Series(roots).map(lambda r: r if r in by_id.index else None))
    deprecated = rows["deprecated_id"].reset_index(drop=True)
    target = target.fillna(deprecated.where(deprecated.isin(by_id.index)))
    replaces = target.where(~same & ~newer).to_numpy(dtype=object)
    replaces[pd.isna(replaces)] = None
    has_target = replaces != None  # noqa: E711 - elementwise on an object array
    root_id = roots.copy()
    root_id[has_target] = by_id.loc[replaces[has_target], "root_id"].to_numpy(dtype=object)
    messages = _messages(ids, same, newer, replaces, by_id, by_root)
    outcomes = np.where(has_target, REPLACED, UNCHANGED)
    reported = same | newer | has_target
    issues = _lines(
        rows[reported],
        outcomes[reported].tolist(),
        messages[reported].tolist(),
        replaces[reported].tolist(),
    )
    wards = by_id.loc[replaces[has_target], "ward"].dropna().astype(str).unique().tolist()
    return Versions(~same & ~newer, root_id, replaces, wards, issues)


def _messages(
    ids: npt.NDArray[np.object_],
    same: npt.NDArray[np.bool_],
    newer: npt.NDArray[np.bool_],
    replaces: npt.NDArray[np.object_],
    by_id: pd.DataFrame,
    by_root: pd.DataFrame,
) -> npt.NDArray[np.object_]:
    """Why each reported row was not stored, or what it replaced (None for the rest)."""
    messages = np.full(len(ids), None, dtype=object)
    batch = pd.Series(ids[same]).map(by_id["batch_id"])
    messages[same] = [ALREADY_LOADED.format(batch=b) for b in batch]
    later = pd.Series(ids[newer])
    messages[newer] = [
        NEWER_LOADED.format(newer=s, batch=b)
        for s, b in zip(
            later.map(by_root["submission_id"]), later.map(by_root["batch_id"]), strict=True
        )
    ]
    replacing = replaces != None  # noqa: E711 - elementwise on an object array
    old = pd.Series(replaces[replacing])
    messages[replacing] = [
        REPLACES.format(old=o, batch=b)
        for o, b in zip(old, old.map(by_id["batch_id"]), strict=True)
    ]
    return messages


def _lines(
    rows: pd.DataFrame, outcomes: list[str], reasons: list[str], values: list[object]
) -> pd.DataFrame:
    return report_lines(
        SUBMISSION_ID,
        rows["row"].to_numpy(dtype=np.int64),
        rows[SUBMISSION_ID].to_numpy(dtype=object),
        outcomes,
        SUBMISSION_ID,
        values,
        reasons,
    )
