"""The demo generator's distributions: how often each request comes, when, through which
channel, in what words, and how households' access to services is spread."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# Relative frequencies of request types; a code not listed here gets UNLISTED_SERVICE_WEIGHT.
SERVICE_WEIGHTS: Mapping[str, float] = {
    "water_outage": 24.0,
    "electricity_outage": 22.0,
    "water_leak": 14.0,
    "streetlight": 10.0,
    "sewer_blockage": 9.0,
    "pothole": 9.0,
    "refuse_missed": 8.0,
    "housing": 2.0,
}
UNLISTED_SERVICE_WEIGHT = 5.0
SERVICE_LABELS: Mapping[str, str] = {
    "water_outage": "water supply",
    "water_leak": "water leak",
    "sewer_blockage": "sewer",
    "electricity_outage": "electricity",
    "refuse_missed": "refuse collection",
}
CHANNEL_WEIGHTS: Mapping[str, float] = {
    "phone": 30.0,
    "app": 24.0,
    "web": 13.0,
    "sms": 9.0,
    "e-mail": 8.0,
    "in_person": 7.0,
    "field_worker": 6.0,
    "letter": 3.0,
}
KIND_WEIGHTS: Mapping[str, float] = {"request": 88.0, "complaint": 10.0, "compliment": 2.0}

# Requests per local (SAST) hour of the day and per weekday, Monday first.
HOUR_WEIGHTS = np.array(
    [
        [0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.7, 1.3, 1.9, 2.0, 1.9, 1.8],  # 00:00 to 11:59
        [1.6, 1.7, 1.7, 1.6, 1.4, 1.1, 0.8, 0.7, 0.6, 0.45, 0.3, 0.2],  # 12:00 to 23:59
    ]
).ravel()
WEEKDAY_WEIGHTS = np.array([1.15, 1.05, 1.0, 1.0, 0.9, 0.55, 0.45])
SAST_OFFSET_S = 2 * 3600
DAY_S = 86_400
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday

REQUEST_TEMPLATES: Mapping[str, tuple[str, ...]] = {
    "water_outage": (
        "No water in the street since this morning.",
        "No water supply at our house for two days now.",
        "The whole section has had no water since yesterday.",
        "Taps are dry, please send a water tanker.",
    ),
    "water_leak": (
        "Burst pipe on the corner, water running down the street.",
        "Water meter leaking in front of the house.",
        "Big leak from the main next to the school.",
        "Water has been pouring out of a pipe for days.",
    ),
    "sewer_blockage": (
        "Manhole overflowing with sewage in the street.",
        "Sewer blocked, sewage coming up in the yard.",
        "Sewage running past the houses where children play.",
        "Blocked sewer line smelling badly for a week.",
    ),
    "electricity_outage": (
        "No electricity in the area since last night.",
        "Power off in our street after the storm.",
        "Whole section without electricity and it is not load shedding.",
        "Transformer blew up, no power since yesterday.",
    ),
    "streetlight": (
        "Streetlight outside our house is not working.",
        "High mast light in the section is off, it is unsafe at night.",
        "Streetlights on the main road are all out.",
        "Streetlight keeps flickering on and off.",
    ),
    "pothole": (
        "Deep pothole on the main road damaging cars.",
        "Potholes in front of the clinic.",
        "Large pothole at the intersection, taxis swerve around it.",
        "Road surface breaking up after the rains.",
    ),
    "refuse_missed": (
        "Refuse not collected this week.",
        "Bins have not been emptied for two weeks.",
        "Refuse truck skipped our street again.",
        "Bags of rubbish piling up on the pavement, no collection.",
    ),
    "housing": (
        "Still waiting for the title deed of my RDP house.",
        "Asking about the progress of my housing subsidy application.",
        "RDP house has big cracks in the walls.",
        "When will the informal settlement get services or be relocated?",
    ),
}
GENERIC_TEMPLATES = (
    "Please attend to the {label} problem here.",
    "Reporting a {label} problem in our street.",
)
COMPLAINT_PREFIXES = (
    "Reported before and nothing was done. ",
    "Third time reporting this. ",
    "Still not fixed after weeks. ",
)
COMPLIMENT_TEMPLATES = (
    "Thank you for sorting out the {label} problem so quickly.",
    "The team fixed the {label} problem, well done.",
    "Very happy with how fast the {label} problem was handled.",
)


@dataclass(frozen=True)
class AccessScale:
    """An ordered access scale (0 = best) and the need that its bad levels raise."""

    need: str
    well_served: tuple[float, ...]
    deprived: tuple[float, ...]


ACCESS_SCALES: Mapping[str, AccessScale] = {
    "water_access": AccessScale(
        "water",
        (0.80, 0.15, 0.03, 0.01, 0.01, 0.0, 0.0, 0.0),
        (0.05, 0.20, 0.30, 0.15, 0.08, 0.10, 0.05, 0.07),
    ),
    "sanitation_access": AccessScale(
        "sanitation",
        (0.85, 0.08, 0.03, 0.02, 0.01, 0.01),
        (0.05, 0.03, 0.22, 0.25, 0.30, 0.15),
    ),
    "electricity_access": AccessScale(
        "electricity", (0.93, 0.04, 0.02, 0.01), (0.45, 0.30, 0.10, 0.15)
    ),
    "refuse_access": AccessScale("refuse", (0.85, 0.10, 0.04, 0.01), (0.10, 0.25, 0.35, 0.30)),
}
