"""The surveys' database I/O: batches and their report lines, and the stored responses."""
