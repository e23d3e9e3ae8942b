"""Hotspot classes: significance levels and the labels ``ward_hotspots`` gives wards.

A ward is hot at 99% when its evidence (the FDR ``q``, or ``p_sim`` without FDR) is at
most 0.01 and its statistic leans high, at 95% when at most 0.05, at 90% when at most
0.10; cold likewise when it leans low. Local Moran adds outliers: a high ward among low
neighbours (``outlier_high_*``) and a low ward among high ones (``outlier_low_*``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

CONFIDENCE = (0.99, 0.95, 0.90)
_LEVELS = tuple(round(level * 100) for level in CONFIDENCE)
HOT_CLASSES = tuple(f"hot_{level}" for level in _LEVELS)
COLD_CLASSES = tuple(f"cold_{level}" for level in _LEVELS)
OUTLIER_CLASSES = tuple(f"outlier_{side}_{level}" for side in ("high", "low") for level in _LEVELS)
CLASSES = (
    *HOT_CLASSES,
    *COLD_CLASSES,
    *OUTLIER_CLASSES,
    "not_significant",
    "island",
    "excluded",
)


def confidence_levels(evidence: npt.NDArray[np.float64]) -> list[float | None]:
    """The highest confidence level each p (or q) reaches; None where it reaches none.

    Examples
    --------
    >>> confidence_levels(np.array([0.004, 0.01, 0.05, 0.1, 0.2]))
    [0.99, 0.99, 0.95, 0.9, None]
    """
    levels: list[float | None] = []
    for p in evidence:
        reached = [level for level in CONFIDENCE if p <= round(1 - level, 6)]
        levels.append(reached[0] if reached else None)
    return levels


def class_label(kind: str, confidence: float | None) -> str:
    """``hot_95``, ``outlier_low_90``... or ``not_significant``.

    ``kind`` is ``hot``, ``cold``, ``outlier_high``, ``outlier_low`` or ``none``.

    Examples
    --------
    >>> class_label("hot", 0.95), class_label("cold", None), class_label("none", 0.99)
    ('hot_95', 'not_significant', 'not_significant')
    """
    if confidence is None or kind == "none":
        return "not_significant"
    return f"{kind}_{round(confidence * 100)}"
