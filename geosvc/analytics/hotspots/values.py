"""The values hotspot statistics analyse: incident counts or rates per 1,000 households."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]
NO_HOUSEHOLDS = "no households, so no rate"


def rates_per_1000(incidents: npt.ArrayLike, households: npt.ArrayLike) -> FloatArray:
    """Incidents per 1,000 households; NaN where households are missing or not positive.

    Examples
    --------
    >>> rates_per_1000([3, 1, 2], [1500.0, 0.0, float("nan")]).tolist()
    [2.0, nan, nan]
    """
    counts = np.asarray(incidents, dtype=float)
    homes = np.asarray(households, dtype=float)
    rates = np.full(counts.shape, np.nan)
    has_homes = np.isfinite(homes) & (homes > 0)
    rates[has_homes] = counts[has_homes] / homes[has_homes] * 1000
    return rates


def ward_table(values: pd.DataFrame, ids: list[str], value: str) -> pd.DataFrame:
    """Incidents, households and the analysed value of every ward in ``ids``, in order.

    Parameters
    ----------
    values : DataFrame
        ``ward_code``, ``incidents`` and, for ``value="rate"``, ``households``.
    ids : list of str
        Every ward, in output order; wards missing from ``values`` have 0 incidents.
    value : {"rate", "count"}
        Incidents per 1,000 households, or incident counts.

    Returns
    -------
    DataFrame
        ``ward_code, incidents, households, value, excluded``: ``excluded`` is
        ``NO_HOUSEHOLDS`` where there is no rate, else None.

    Examples
    --------
    >>> given = pd.DataFrame({"ward_code": ["A"], "incidents": [4], "households": [800.0]})
    >>> ward_table(given, ["A", "B"], "rate")[["ward_code", "incidents", "value"]]
      ward_code  incidents  value
    0         A          4    5.0
    1         B          0    NaN
    """
    needed = ["ward_code", "incidents"] + (["households"] if value == "rate" else [])
    missing = [column for column in needed if column not in values.columns]
    if missing:
        raise InvalidInputError(f"The values have no {', '.join(missing)} column.")
    codes = values["ward_code"].astype(str)
    repeated = codes[codes.duplicated()].unique().tolist()
    if repeated:
        raise InvalidInputError(f"Wards appear more than once: {', '.join(repeated[:5])}.")
    unknown = sorted(set(codes) - set(ids))
    if unknown:
        raise InvalidInputError(f"Wards not in the weights: {', '.join(unknown[:5])}.")
    given = values.assign(ward_code=codes).set_index("ward_code")
    incidents = _incidents(given["incidents"].reindex(ids, fill_value=0))
    households = _households(given, ids)
    table = pd.DataFrame({"ward_code": ids, "incidents": incidents, "households": households})
    if value == "rate":
        table["value"] = rates_per_1000(incidents, households)
    else:
        table["value"] = incidents.astype(float)
    reasons = [NO_HOUSEHOLDS if missing else None for missing in table["value"].isna()]
    table["excluded"] = pd.Series(reasons, dtype="object")
    return table


def _incidents(counts: pd.Series) -> npt.NDArray[np.int64]:
    """Counts as integers; refuses missing, negative or fractional counts."""
    numbers = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers) | (numbers < 0) | (numbers != np.round(numbers))
    if bad.any():
        example = counts[bad].iloc[0]
        raise InvalidInputError(
            f"incidents must be whole numbers >= 0; ward {counts.index[bad][0]} has {example!r}."
        )
    return numbers.astype(np.int64)


def _households(given: pd.DataFrame, ids: list[str]) -> FloatArray:
    """Households per ward as floats, NaN where unknown; refuses negative numbers."""
    if "households" not in given.columns:
        return np.full(len(ids), np.nan)
    households = pd.to_numeric(given["households"].reindex(ids), errors="coerce")
    negative = households < 0
    if negative.any():
        raise InvalidInputError(
            f"households cannot be negative; ward {households.index[negative][0]} has "
            f"{households[negative].iloc[0]}."
        )
    return households.to_numpy(dtype=float)
