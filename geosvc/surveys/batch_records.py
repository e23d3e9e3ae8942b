"""What a survey batch is: an uploaded file, what became of it, and its row counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Batch:
    """One uploaded file and what became of it."""

    id: int
    filename: str
    source_format: str
    schema_name: str
    uploaded_by: str
    uploaded_at: datetime
    status: str
    file_hash: str
    file_size: int
    all_or_nothing: bool
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

    @property
    def finished(self) -> bool:
        """Whether the load is over, one way or another."""
        return self.status != "processing"


@dataclass(frozen=True)
class NewBatch:
    """What is known of an upload before its rows are read."""

    filename: str
    source_format: str
    schema_name: str
    uploaded_by: str
    file_hash: str
    file_size: int
    all_or_nothing: bool


@dataclass(frozen=True)
class Counts:
    """A finished load's row counts; ``total`` is every data row of the file."""

    total: int
    loaded: int
    replaced: int
    unchanged: int
    rejected: int
    warned: int
