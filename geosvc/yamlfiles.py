"""YAML files that ship with geosvc or are named by path: import mappings, survey schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from geosvc.errors import GeosvcError


def bundled_names(folder: Path) -> list[str]:
    """The names of the YAML files shipped in ``folder``, without their suffix."""
    return sorted(p.stem for p in folder.glob("*.yaml"))


def bundled_or_path(
    name_or_path: str | Path, folder: Path, missing: str, error: type[GeosvcError]
) -> Path:
    """The file ``name_or_path`` names: a path, or a file bundled in ``folder`` by name.

    Raises ``error`` with ``missing`` (formatted with ``name`` and ``known``) when neither.
    """
    path = Path(name_or_path)
    if not path.exists() and str(name_or_path) in bundled_names(folder):
        path = folder / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(bundled_names(folder))
        raise error(missing.format(name=name_or_path, known=known))
    return path


def read_yaml(path: Path, what: str, error: type[GeosvcError]) -> Any:
    """The YAML document in ``path``; ``error`` saying it cannot be read as ``what``."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path.name} cannot be read as {what}.") from exc


def first_problem(exc: ValidationError) -> tuple[list[str], str]:
    """The location (its steps) and the message of the first problem pydantic found."""
    first = exc.errors()[0]
    return [str(p) for p in first["loc"]], first["msg"].removeprefix("Value error, ")
