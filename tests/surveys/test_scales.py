"""Access scales: best first, codes are positions, and they fit the survey_response columns."""

from __future__ import annotations

import pytest

from geosvc.demo.distributions import ACCESS_SCALES
from geosvc.surveys.scales import SCALES, Service
from geosvc.surveys.tables import survey_response


def test_water_follows_the_census_sources_best_first() -> None:
    assert SCALES[Service.WATER].levels == (
        "piped_in_dwelling",
        "piped_in_yard",
        "communal_tap_within_200m",
        "communal_tap_further",
        "borehole_or_well",
        "tanker",
        "surface_water",
        "none",
    )


@pytest.mark.parametrize("service", list(Service))
def test_codes_are_positions_and_none_is_worst(service: Service) -> None:
    scale = SCALES[service]
    assert scale.service is service
    assert [scale.code(level) for level in scale.levels] == list(range(len(scale.levels)))
    assert [scale.level(code) for code in range(len(scale.levels))] == list(scale.levels)
    assert scale.levels[-1] == "none"
    assert len(set(scale.levels)) == len(scale.levels)


@pytest.mark.parametrize("service", list(Service))
def test_each_scale_has_its_survey_response_column(service: Service) -> None:
    column = SCALES[service].column
    assert column == f"{service}_access"
    assert column in survey_response.columns


def test_unknown_level_and_code_are_refused_with_the_scale() -> None:
    with pytest.raises(ValueError, match="'tap' is not a water level"):
        SCALES[Service.WATER].code("tap")
    with pytest.raises(ValueError, match="0 to 4"):
        SCALES[Service.REFUSE].level(5)
    with pytest.raises(ValueError, match="-1 is not a refuse level code"):
        SCALES[Service.REFUSE].level(-1)


@pytest.mark.parametrize("service", list(Service))
def test_demo_codes_lie_on_the_scales(service: Service) -> None:
    # The demo draws codes 0..len-1 of its own distributions; they must be codes here too.
    demo = ACCESS_SCALES[SCALES[service].column]
    assert len(demo.well_served) == len(demo.deprived) <= len(SCALES[service].levels)
