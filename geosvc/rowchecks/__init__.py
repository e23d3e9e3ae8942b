"""One row-check engine for bulk files: request imports and survey batches alike.

A chunk's checks record their findings in an ``IssueLog`` (``issues``), remember the
identifiers met in earlier chunks in ``SeenIds`` (``seen``), place points in wards
(``location``) and write report lines in one format (``report``). Each domain keeps its
own columns and its own reasons.
"""
