"""Service requests: catalogue, lifecycle, service standards, escalation and duplicates."""
