"""``python -m etl`` runs the ``geosvc`` command."""

from etl.cli import app

app(prog_name="geosvc")
