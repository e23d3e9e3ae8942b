"""Bodies the API reads and writes."""
