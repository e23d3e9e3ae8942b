"""Generated household surveys: access to services and top needs, worse where wards are poorer.

Each ward draws a deprivation level, each household varies around it, and the household's
access levels (``ACCESS_SCALES``) and its one to three top needs follow from its deprivation.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.demo.distributions import ACCESS_SCALES, AccessScale
from geosvc.demo.sampling import WardTable, choose_wards, points_in_wards
from geosvc.demo.times import Period, draw_seconds, utc_times

FloatArray = npt.NDArray[np.float64]
LevelArray = npt.NDArray[np.int16]

SURVEY_MONTHS = 2
NEEDS: tuple[str, ...] = ("water", "sanitation", "electricity", "refuse", "roads", "housing")

__all__ = ["NEEDS", "SURVEY_MONTHS", "generate_surveys"]


def generate_surveys(
    rng: np.random.Generator, wards: WardTable, count: int, period: Period
) -> pd.DataFrame:
    """``count`` household survey responses collected in the period, sorted by time."""
    ward_deprivation = rng.beta(1.5, 2.0, len(wards.codes))
    ward = choose_wards(rng, wards, count)
    lon, lat = points_in_wards(rng, wards, ward)
    deprivation = np.clip(ward_deprivation[ward] + rng.normal(0.0, 0.15, count), 0.0, 1.0)
    levels = {
        column: _access_levels(rng, deprivation, scale) for column, scale in ACCESS_SCALES.items()
    }
    frame = pd.DataFrame(
        {
            "submission_id": _submission_ids(rng, count),
            "lon": lon,
            "lat": lat,
            "precision_m": _precision_m(rng, count),
            "collected_at": utc_times(draw_seconds(rng, count, period)),
            **levels,
            "needs": _top_needs(rng, levels, deprivation),
            "ward_code": wards.codes[ward],
        }
    )
    return frame.sort_values("collected_at", kind="stable", ignore_index=True)


def _access_levels(
    rng: np.random.Generator, deprivation: FloatArray, scale: AccessScale
) -> LevelArray:
    """Draw each household's level from a mix of a well-served and a deprived distribution."""
    well_served = np.cumsum(scale.well_served)[:-1]
    deprived = np.cumsum(scale.deprived)[:-1]
    cdf = np.outer(1.0 - deprivation, well_served) + np.outer(deprivation, deprived)
    at_or_above = rng.random((len(deprivation), 1)) >= cdf
    levels: LevelArray = at_or_above.sum(axis=1, dtype=np.int16)
    return levels


def _top_needs(
    rng: np.random.Generator, levels: Mapping[str, LevelArray], deprivation: FloatArray
) -> list[list[str]]:
    """One to three top needs per household, led by its worst access levels."""
    badness = {
        scale.need: levels[column] / (len(scale.well_served) - 1)
        for column, scale in ACCESS_SCALES.items()
    }
    badness["roads"] = 0.15 + 0.35 * deprivation
    badness["housing"] = 0.10 + 0.50 * deprivation
    scores = 2.5 * np.column_stack([badness[need] for need in NEEDS])
    scores += rng.gumbel(0.0, 0.35, scores.shape)
    ranked = np.argsort(-scores, axis=1, kind="stable")
    how_many = rng.choice([1, 2, 3], size=len(deprivation), p=[0.3, 0.4, 0.3])
    return [[NEEDS[j] for j in row[:k]] for row, k in zip(ranked, how_many, strict=True)]


def _submission_ids(rng: np.random.Generator, count: int) -> list[str]:
    return [f"uuid:{uuid.UUID(bytes=rng.bytes(16), version=4)}" for _ in range(count)]


def _precision_m(rng: np.random.Generator, count: int) -> FloatArray:
    """GPS precision: mostly 3-15 m, about one fix in twelve much worse."""
    good = rng.uniform(3.0, 15.0, count)
    poor = 15.0 + rng.exponential(30.0, count)
    precision: FloatArray = np.where(rng.random(count) < 0.92, good, poor)
    return precision.round(1)
