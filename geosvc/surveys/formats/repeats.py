"""Repeat groups as JSON lists: one list per repeat question, one item per repeat instance.

Two layouts reach us. Kobo's wide CSV and XLSX give each instance its own columns,
``children[1]/name``, ``children[2]/name``; ODK Central's zip gives each repeat its own table,
whose rows point at their parent's ``KEY``. Both become a ``children/name`` question holding
``["Tom", "Dick"]``; a nested repeat becomes a list of lists. Items are the answers' text,
or null for a blank answer in an instance that has others. A row with no instance at all
gets None, like any blank answer.

Everything is built as JSON text with vectorised operations over columns: per-row Python
runs only for the rare value that needs escaping and for grouping a repeat table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

Values = npt.NDArray[np.object_]
Mask = npt.NDArray[np.bool_]

_INDEX = re.compile(r"\[\d+\]")
_FIRST_INDEX = re.compile(r"^(?P<prefix>[^\[]*)\[(?P<index>\d+)\]/?(?P<rest>.*)$")
_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
_NULL = "null"
_EMPTY = "[]"


def is_repeat_column(name: str) -> bool:
    """Whether ``name`` is one instance's column of a wide repeat (``group[2]/q``)."""
    return _INDEX.search(name) is not None


def repeat_template(name: str) -> str:
    """The repeat question a wide column belongs to: ``a[1]/b[2]/q`` → ``a/b/q``."""
    return _INDEX.sub("", name)


def wide_lists(columns: Mapping[str, Values], rows: int) -> dict[str, Values]:
    """The wide repeat ``columns`` (None for blank) as JSON lists, keyed by template."""
    return {
        template: _none_where_empty(fragment)
        for template, fragment in _fragments(columns, rows).items()
    }


def json_strings(values: Values) -> Values:
    """Each text value as a JSON string literal, ``null`` for None."""
    out = np.full(len(values), _NULL, dtype=object)
    filled = ~pd.isna(values)
    texts = values[filled]
    escape = pd.Series(texts, dtype=object).str.contains(_NEEDS_ESCAPE, regex=True)
    escape_mask = escape.to_numpy(dtype=bool, na_value=False)
    quoted = np.empty(len(texts), dtype=object)
    quoted[~escape_mask] = '"' + texts[~escape_mask] + '"'
    quoted[escape_mask] = [json.dumps(t, ensure_ascii=False) for t in texts[escape_mask]]
    out[filled] = quoted
    return out


def long_lists(
    columns: Mapping[str, Values], parents: Values, nested: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """A repeat table's rows grouped by parent key: per question, the JSON list of answers.

    ``columns`` are the table's questions (None for blank); those in ``nested`` already hold
    JSON lists (a repeat inside this one). The result is indexed by parent key; rows keep
    the table's order, which is the instances' order.
    """
    encoded = {
        name: _or_empty(values) if name in nested else json_strings(values)
        for name, values in columns.items()
    }
    frame = pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in encoded.items()})
    keys = pd.Series(parents, dtype=object, name="parent")
    if frame.empty:
        return pd.DataFrame(columns=list(columns), index=pd.Index([], dtype=object))
    joined = frame.groupby(keys, sort=False).agg(",".join)
    return joined.map(lambda text: f"[{text}]")


def lists_for(keys: Values, lists: pd.DataFrame, *, nested: bool = False) -> dict[str, Values]:
    """Each row's lists from ``long_lists``, looked up by its key; None (or ``[]`` when
    ``nested``, inside a parent list) where a row has no instance."""
    found = lists.reindex(pd.Index(keys, dtype=object))
    missing = _EMPTY if nested else None
    out = {}
    for name in lists.columns:
        values = found[name].to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = missing
        out[str(name)] = values
    return out


def _fragments(columns: Mapping[str, Values], rows: int) -> dict[str, Values]:
    """JSON text per template: a value as a JSON literal, a repeat as the list of its
    instances (``[]`` for none)."""
    out: dict[str, Values] = {}
    groups: dict[str, dict[int, dict[str, Values]]] = {}
    for name, values in columns.items():
        match = _FIRST_INDEX.match(name)
        if match is None:
            out[name] = json_strings(values)
            continue
        instances = groups.setdefault(match["prefix"].rstrip("/"), {})
        instances.setdefault(int(match["index"]), {})[match["rest"]] = values
    for prefix, instances in groups.items():
        for name, fragment in _repeat_fragments(instances, rows).items():
            out[f"{prefix}/{name}" if name else prefix] = fragment
    return out


def _repeat_fragments(instances: dict[int, dict[str, Values]], rows: int) -> dict[str, Values]:
    """One repeat's lists: instance ``k`` is in a row's list if any of its answers is."""
    per_instance = {k: _fragments(instances[k], rows) for k in sorted(instances)}
    present = {k: _any_answer(fragments, rows) for k, fragments in per_instance.items()}
    templates = dict.fromkeys(t for fragments in per_instance.values() for t in fragments)
    lists: dict[str, Values] = {}
    for template in templates:
        text: Values = np.full(rows, "[", dtype=object)
        started = np.zeros(rows, dtype=bool)
        for k, fragments in per_instance.items():
            item = fragments.get(template, _NULL)
            separator = np.where(started, ",", "").astype(object)
            text = np.where(present[k], text + separator + item, text)
            started |= present[k]
        lists[template] = text + "]"
    return lists


def _any_answer(fragments: Mapping[str, Values], rows: int) -> Mask:
    answered = np.zeros(rows, dtype=bool)
    for fragment in fragments.values():
        answered |= (fragment != _NULL) & (fragment != _EMPTY)
    return answered


def _none_where_empty(fragment: Values) -> Values:
    out = fragment.copy()
    out[fragment == _EMPTY] = None
    return out


def _or_empty(values: Values) -> Values:
    out = values.copy()
    out[pd.isna(values)] = _EMPTY
    return out
