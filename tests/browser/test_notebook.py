"""The planner's notebook, executed end to end against the demo database."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.browser.conftest import DemoSite

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "planner_walkthrough.ipynb"


def _outputs(notebook: Any) -> list[dict[str, Any]]:
    return [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]


def _text(output: dict[str, Any]) -> str:
    if output["output_type"] == "stream":
        return str(output["text"])
    data = output.get("data", {})
    return "\n".join(str(value) for value in data.values())


def test_the_planner_walkthrough_runs_against_the_demo_database(
    demo_site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    monkeypatch.setenv("GEOSVC_DATABASE_URL", demo_site.database_url)
    monkeypatch.setenv("GEOSVC_NOTEBOOK_MUNICIPALITY", "JHB")
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, when one fails

    outputs = _outputs(notebook)
    assert not [out for out in outputs if out["output_type"] == "error"]
    text = "\n".join(_text(out) for out in outputs)
    found = re.search(r"The greatest need in JHB is (\w+): a household-weighted score of", text)
    assert found, "the notebook names the service of greatest need"
    # two folium maps, drawn as Leaflet documents
    maps = [o for o in outputs if "L.map(" in o.get("data", {}).get("text/html", "")]
    assert len(maps) == 2
    # the ward profile: its name and the incidents chart
    assert re.search(
        r"City of Johannesburg Metropolitan Municipality Ward \d+: [\d,]+ households", text
    )
    assert any(
        'class="incidents-chart"' in o.get("data", {}).get("image/svg+xml", "") for o in outputs
    )
    assert "households surveyed" in text
