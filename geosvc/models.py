"""Every mapped table, imported in one place so the metadata is complete."""

from geosvc.requests.models import RequestEvent, ServiceRequest, ServiceType
from geosvc.surveys.models import SurveyBatch, SurveyResponse
from geosvc.wards.models import Ward, WardIndicator

__all__ = [
    "RequestEvent",
    "ServiceRequest",
    "ServiceType",
    "SurveyBatch",
    "SurveyResponse",
    "Ward",
    "WardIndicator",
]
