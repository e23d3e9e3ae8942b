"""The ward profile and the planner's options as pydantic models (the API's documented shape)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WardFacts(BaseModel):
    """Who the ward is: its code, name, municipality and size."""

    code: str = Field(examples=["79800060"])
    name: str = Field(examples=["City of Johannesburg Metropolitan Municipality Ward 60"])
    ward_no: int | None = None
    municipality_code: str | None = Field(None, examples=["JHB"])
    municipality_name: str | None = None
    province: str | None = None
    households: float | None = Field(None, examples=[9306])
    population: float | None = None
    area_ha: float | None = None


class RunFacts(BaseModel):
    """The analysis run the profile was read from."""

    id: int
    finished_at: datetime | None
    period: str = Field(description="The run's period: its needs and scoreboard cover it.")
    statistic: str = Field(examples=["gi_star"])
    permutations: int | None = None
    now: str | None = Field(None, description="The moment the run judged backlog and overdue at.")


class NeedComponent(BaseModel):
    """One component of a needs score: raw value, 0..1 normalised value, points contributed."""

    component: str = Field(examples=["survey"])
    raw: float | None = None
    normalised: float | None = None
    contribution: float | None = Field(None, description="Points of the 0-100 score.")


class ServiceNeed(BaseModel):
    """The ward's needs score for one service group, with its components."""

    service: str = Field(examples=["water"])
    name: str = Field(examples=["Water"])
    score: float | None = Field(None, description="0-100; None without enough evidence.")
    rank: int | None = Field(None, description="1 = the greatest need among the ranked wards.")
    ranked: int = Field(description="How many wards are ranked for the service.")
    coverage: float = Field(description="Share of the weights with evidence, 0..1.")
    components: list[NeedComponent]


class NeedsSection(BaseModel):
    """The ward's needs by service, greatest first."""

    period: str
    services: list[ServiceNeed]


class ServiceHotspot(BaseModel):
    """The ward's hotspot class for one service in the period, and its trend."""

    model_config = ConfigDict(populate_by_name=True)

    service: str
    name: str
    class_: str = Field(alias="class", serialization_alias="class", examples=["hot_95"])
    label: str = Field(examples=["Hot spot, 95% confidence"])
    incidents: int
    rate: float | None = Field(None, description="Incidents per 1,000 households.")
    z: float | None = None
    p_sim: float | None = Field(None, description="Permutation pseudo p-value.")
    q: float | None = Field(None, description="False-discovery-rate q-value.")
    confidence: float | None = None
    trend: str | None = Field(None, description="Pattern over the months (Mann-Kendall).")


class HotspotSection(BaseModel):
    """The ward's hotspot classes by service."""

    period: str
    statistic: str
    services: list[ServiceHotspot]


class IncidentSeries(BaseModel):
    """Incidents per month of one service group (or all of them)."""

    service: str
    name: str
    counts: list[int]


class IncidentsSection(BaseModel):
    """Incidents (requests and complaints) lodged in the ward per calendar month."""

    months: list[str] = Field(examples=[["2026-09", "2026-10", "2026-11"]])
    timezone: str
    total: list[int]
    services: list[IncidentSeries]


class SurveyService(BaseModel):
    """Survey coverage of one service: households that answered and the share below basic."""

    service: str
    households: int
    basic_level: str = Field(examples=["communal_tap_within_200m"])
    share_below_basic: float | None = None


class NamedNeed(BaseModel):
    """A need surveyed households named, with the share naming it."""

    need: str
    share: float


class SurveySection(BaseModel):
    """What community development workers found in the ward's households."""

    households_surveyed: int
    last_collected_at: datetime | None
    services: list[SurveyService]
    top_needs: list[NamedNeed]


class ServiceStandards(BaseModel):
    """How requests of one service group (or ``all``) were answered in the ward."""

    service: str
    name: str
    requests: int
    backlog: int | None = Field(None, description="Open at the run's moment.")
    overdue: int | None = Field(None, description="Open past their due date.")
    acknowledged_within_standard: float | None = None
    closed_within_standard: float | None = None
    median_working_days_to_close: float | None = None
    escalations: int | None = None
    satisfaction: float | None = None
    nps: float | None = None
    rank: int | None = None
    ranked: int = 0
    suppressed: bool = Field(description="Too few requests to rank.")


class StandardsSection(BaseModel):
    """Backlog and service-standard performance: overall and by service."""

    period: str
    overall: ServiceStandards | None
    services: list[ServiceStandards]


class WardProfile(BaseModel):
    """Everything a planner reads about one ward."""

    ward: WardFacts
    run: RunFacts
    period: str
    needs: NeedsSection
    hotspots: HotspotSection
    incidents: IncidentsSection
    survey: SurveySection
    standards: StandardsSection


class ServiceOption(BaseModel):
    """A service the planner can map, and which measures exist for it."""

    code: str
    name: str
    kind: str = Field(description="group or type")
    group: str
    codes: list[str] = Field(description="The service types it covers (for clusters).")
    needs: bool
    hotspots: bool


class PlannerOptions(BaseModel):
    """What the planner page can show from the newest run, and how it is classified."""

    run: RunFacts
    services: list[ServiceOption]
    periods: dict[str, list[str]] = Field(description="Periods with results, per measure.")
    municipalities: list[dict[str, str]]
    legends: dict[str, Any]
