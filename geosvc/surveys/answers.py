"""Reading a chunk's answers: access levels, top needs, the answers kept as JSON, and ids.

Survey answers repeat: a choice question has a handful of distinct answers in 100,000
rows. Such columns are factorised once (``ChunkText.column``) and the work is done on their
distinct answers, then spread to the rows by their codes; no step loops over rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geosvc.surveys.frames import ROW, SUBMISSION_ID, SUBMITTED_AT
from geosvc.surveys.questions import question_name
from geosvc.surveys.schema import normalise_answer

GENERATED_ID_PREFIX = "content:"
_BLANK = -1
_NO_LEVEL = -1
_MIX = np.uint64(0x9E3779B97F4A7C15)  # an odd 64-bit constant: multiplying by it mixes bits

Codes = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Values = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Factorised:
    """A column as codes into its distinct trimmed answers; code -1 marks a blank."""

    codes: Codes
    uniques: Values

    def spread(self, per_unique: Sequence[object], blank: object) -> Values:
        """Values computed per distinct answer, spread to the rows (``blank`` for blanks)."""
        # A blank's code, -1, indexes the extra last element.
        return np.array([*per_unique, blank], dtype=object)[self.codes]


class ChunkText:
    """The text of a chunk's columns, trimmed, each computed on first use.

    An empty answer, and one of ``blank_values`` (an R export's ``NA``, say), is a blank.
    ``text`` trims every row, which suits columns of distinct values (ids, coordinates,
    times); ``column`` factorises first and trims the distinct answers only.
    """

    def __init__(self, frame: pd.DataFrame, blank_values: Iterable[str] = ()) -> None:
        self.frame = frame
        self.blank_values = ["", *sorted(set(blank_values))]
        self._texts: dict[str, Values] = {}
        self._columns: dict[str, Factorised] = {}

    def text(self, name: str) -> Values:
        """Column ``name`` as trimmed text, None for a blank; a new array each call."""
        if name in self._columns:
            answers = self._columns[name]
            return answers.spread(list(answers.uniques), None)
        if name not in self._texts:
            self._texts[name] = self._trimmed(self.frame[name])
        return self._texts[name].copy()

    def column(self, name: str) -> Factorised:
        """Column ``name`` factorised: for work done once per distinct answer."""
        if name not in self._columns:
            codes, raw = pd.factorize(self.frame[name])
            merged, uniques = pd.factorize(self._trimmed(pd.Series(raw, dtype=object)))
            # Answers equal once trimmed share a code; a blank's -1 indexes the appended one.
            codes = np.append(merged, _BLANK)[codes]
            self._columns[name] = Factorised(codes, np.asarray(uniques, dtype=object))
        return self._columns[name]

    def raw(self, name: str) -> Values:
        """Column ``name`` as written, None where missing; a new array each call."""
        values = self.frame[name].to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None
        return values

    def numbers(self, values: Values) -> tuple[Floats, Mask]:
        """Numbers in text as written (NaN where none), and which rows are blank.

        Only the rows that are not numbers are trimmed: a location is mostly numbers.
        """
        parsed = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        numbers: Floats = parsed.to_numpy(dtype=np.float64)
        blank = pd.isna(values)
        odd = ~np.isfinite(numbers) & ~blank
        blank[odd] = [str(v).strip() in self.blank_values for v in values[odd]]
        return numbers, blank

    def _trimmed(self, column: pd.Series) -> Values:
        try:
            trimmed = column.str.strip()
        except AttributeError:  # not all text: a reader broke the contract, but be kind
            trimmed = column.map(str, na_action="ignore").str.strip()
        blank = trimmed.isna() | trimmed.isin(self.blank_values)
        text = trimmed.to_numpy(dtype=object, copy=True)
        text[blank.to_numpy()] = None
        return text


def access_levels(
    answers: Factorised, codes: Mapping[str, int | None]
) -> tuple[pd.arrays.IntegerArray, Mask]:
    """Each row's level code and whether its answer is one the schema does not list.

    A blank, an unlisted answer and an answer listed without a level all get NA.
    """
    normalised = [normalise_answer(u) for u in answers.uniques]
    found = [codes.get(n) for n in normalised]
    per_unique = np.array([_NO_LEVEL if c is None else c for c in found] + [_NO_LEVEL])
    level = per_unique.astype(np.int16)[answers.codes]
    unlisted = np.array([n not in codes for n in normalised] + [False])[answers.codes]
    missing = level == _NO_LEVEL
    return pd.arrays.IntegerArray(np.where(missing, 0, level), missing), unlisted


def unlisted_evidence(answers: Factorised, listed: Iterable[str]) -> Values:
    """For each row, its answer and the answers the schema lists, for the report."""
    allowed = ", ".join(listed)
    return answers.spread([f"{u} (the schema lists: {allowed})" for u in answers.uniques], None)


def top_needs(
    columns: Sequence[Factorised], lookup: Mapping[str, str], separator: str | None
) -> tuple[Values, Values]:
    """Each row's needs and the answers among them the schema does not list.

    With one column its answer is split on ``separator`` (any whitespace when None);
    with several, each holds one answer. Needs keep the order named, without repeats.
    Rows sharing their answers share one list object: do not change it in place.
    """
    split = len(columns) == 1
    if split:  # the codes already number the distinct answers, blank last
        distinct = np.append(np.arange(len(columns[0].uniques)), _BLANK)[:, None]
        inverse = columns[0].codes
    else:
        stacked = np.column_stack([c.codes for c in columns])
        distinct, inverse = np.unique(stacked, axis=0, return_inverse=True)
    needs = np.empty(len(distinct), dtype=object)
    unlisted = np.full(len(distinct), None, dtype=object)
    for i, combination in enumerate(distinct):
        named = _named(columns, combination, separator, split)
        keys = [normalise_answer(a) for a in named]
        needs[i] = list(dict.fromkeys(lookup[k] for k in keys if k in lookup))
        unknown = [a for a, k in zip(named, keys, strict=True) if k not in lookup]
        unlisted[i] = ", ".join(unknown) or None
    return needs[inverse.ravel()], unlisted[inverse.ravel()]


def _named(
    columns: Sequence[Factorised], codes: Codes, separator: str | None, split: bool
) -> list[str]:
    """The answers of one combination of codes, split if asked, trimmed, blanks left out."""
    answers = [columns[j].uniques[c] for j, c in enumerate(codes) if c != _BLANK]
    parts = [p for a in answers for p in a.split(separator)] if split else answers
    return [p.strip() for p in parts if p.strip()]


def answers_json(text: ChunkText, columns: Sequence[str], rows: Mask) -> pd.Series:
    """The rows of ``rows`` as JSON objects of their non-blank answers, keyed by question path.

    Each distinct answer is encoded once; Arrow then joins each row's answers in C++.
    Returns pandas' Arrow-backed ``str`` dtype, which ``pa.array`` takes without a copy.
    """
    count = int(rows.sum())
    if not columns:
        return pd.Series(["{}"] * count, dtype="str")
    # A non-null first part: pyarrow 26 drops the rows whose parts are all null from
    # binary_join_element_wise(null_handling="skip"). It leaves a comma to cut off.
    parts = [_fragments(text.column(c), question_name(c), rows) for c in columns]
    joined = pc.binary_join_element_wise(pa.scalar(""), *parts, ",", null_handling="skip")
    inner = pc.utf8_slice_codeunits(joined, 1)
    objects = pc.binary_join_element_wise("{", inner, "}", "")
    return pd.Series(pd.array(objects, dtype="str"))


def _fragments(answers: Factorised, name: str, rows: Mask) -> pa.Array:
    """``"name":"answer"`` for each row of ``rows``, null where blank."""
    key = encode_basestring(name) + ":"
    encoded = pa.array([key + encode_basestring(u) for u in answers.uniques], type=pa.string())
    codes = answers.codes[rows]
    return pc.take(encoded, pa.array(codes, mask=codes == _BLANK))


def content_ids(frame: pd.DataFrame, text: ChunkText) -> Values:
    """An id for each row from its content: ``content:`` and 16 hex digits.

    The digits are a 64-bit hash of every column but the row number and submission id,
    taken in name order, of trimmed text (and of ``submitted_at``). The same row gives the
    same id in any chunk, file or column order, so an upload is idempotent and a row
    repeated word for word is a repeated submission.
    """
    combined = np.zeros(len(frame), dtype=np.uint64)
    for name in sorted(c for c in frame.columns if c not in (ROW, SUBMISSION_ID)):
        combined = (combined ^ _column_hash(frame, text, name)) * _MIX + _hash_text([name])[0]
    hexed = combined.astype(">u8").tobytes().hex()
    digits: Values = np.frombuffer(hexed.encode("ascii"), dtype="S16").astype(object)
    return np.array([GENERATED_ID_PREFIX + d.decode("ascii") for d in digits], dtype=object)


def _column_hash(frame: pd.DataFrame, text: ChunkText, name: str) -> npt.NDArray[np.uint64]:
    if name == SUBMITTED_AT:
        times = pd.to_datetime(frame[name], utc=True).to_numpy(dtype="datetime64[us]")
        hashes: npt.NDArray[np.uint64] = pd.util.hash_array(times.view(np.int64))
        return hashes
    answers = text.column(name)
    # A blank hashes like no text can: NUL is not in survey answers.
    per_unique = _hash_text([*answers.uniques, "\0"])
    return per_unique[answers.codes]


def _hash_text(values: list[str]) -> npt.NDArray[np.uint64]:
    hashes: npt.NDArray[np.uint64] = pd.util.hash_array(np.array(values, dtype=object))
    return hashes
