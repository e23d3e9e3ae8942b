"""Which attribute of a boundary file holds which ward property.

Real files name their fields differently (the MDB shapefile says ``Code`` and
``Parent_cod``, the enriched GeoJSON ``ward_id`` and ``muni_code``), so each property has
a list of usual names, matched without regard to case, and the user can name any field.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from geosvc.errors import SourceFileError

CANDIDATES: dict[str, tuple[str, ...]] = {
    "code": ("ward_id", "wardid", "ward_code", "wardcode", "code", "ward"),
    "name": ("ward_name", "wardname", "name"),
    "ward_no": ("ward_no", "wardno", "ward_num", "ward_number"),
    "municipality_code": ("muni_code", "municipality_code", "cat_b", "parent_cod", "munic_code"),
    "municipality_name": (
        "municipality",
        "municipality_name",
        "muni_name",
        "municname",
        "municipali",
    ),
    "district": ("district", "district_name", "districtname"),
    "province": ("province", "province_name", "prov_name", "provname"),
    "area_ha": ("area_ha", "area"),
}


@dataclass(frozen=True)
class FieldMap:
    """The source field for each ward property; None where the file has none."""

    code: str | None = None
    name: str | None = None
    ward_no: str | None = None
    municipality_code: str | None = None
    municipality_name: str | None = None
    district: str | None = None
    province: str | None = None
    area_ha: str | None = None

    def items(self) -> list[tuple[str, str | None]]:
        """(property, source field) pairs in declaration order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


def resolve_fields(columns: list[str], chosen: FieldMap, label: str) -> FieldMap:
    """Fill in the fields the user did not name; refuse names the file does not have."""
    by_lower = {c.lower(): c for c in columns if c != "geometry"}
    resolved: dict[str, str | None] = {}
    for prop, named in chosen.items():
        if named is not None:
            if named.lower() not in by_lower:
                known = ", ".join(by_lower.values())
                raise SourceFileError(f"{label} has no field {named!r}; its fields are {known}.")
            resolved[prop] = by_lower[named.lower()]
        else:
            resolved[prop] = _first_present(CANDIDATES[prop], by_lower)
    result = replace(chosen, **resolved)
    if result.code is None:
        raise SourceFileError(
            f"{label} has no ward code field (looked for {', '.join(CANDIDATES['code'])}); "
            "name it with --code-field."
        )
    return result


def _first_present(candidates: tuple[str, ...], by_lower: dict[str, str]) -> str | None:
    for name in candidates:
        if name in by_lower:
            return by_lower[name]
    return None
