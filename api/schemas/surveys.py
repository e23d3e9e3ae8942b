"""Survey batch resources as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class IssueOut(BaseModel):
    """One line of a batch's report."""

    row: int = Field(description="The row as numbered in a spreadsheet (the header is row 1).")
    submission_id: str | None
    outcome: str = Field(description="rejected, warning, replaced or unchanged.")
    field: str
    value: str | None
    reason: str


class BatchOut(BaseModel):
    """A survey batch: what was uploaded, how far its load is, and what became of its rows."""

    id: int
    filename: str
    source_format: str
    schema_name: str
    uploaded_by: str
    uploaded_at: datetime
    status: str = Field(description="processing, loaded, rejected (all-or-nothing) or failed.")
    repeated: bool = Field(
        False, description="This upload is a file uploaded before: its first batch is returned."
    )
    all_or_nothing: bool
    file_size: int
    rows_total: int
    rows_processed: int
    rows_loaded: int
    rows_replaced: int
    rows_unchanged: int
    rows_rejected: int
    rows_warned: int
    wards: list[str]
    finished_at: datetime | None
    error: str | None
    report_csv: str = Field(description="Where to download the per-row report as CSV.")
    issues: list[IssueOut] = Field(
        default_factory=list, description="The first report lines (see report for all)."
    )


class SchemaOut(BaseModel):
    """A survey schema the server knows."""

    name: str
    title: str
    services: list[str]
