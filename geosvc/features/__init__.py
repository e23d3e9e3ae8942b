"""Map layers: filtered, paged GeoJSON features, exports and vector tiles.

Every layer (incidents, survey points, wards, hotspots, needs, clusters) declares which of
the common filters (``filters.Filter``) apply to it and answers them with bound SQL; the
GeoJSON pages, the CSV and GeoPackage exports and the vector tiles all read the same
query, so an export holds exactly the features a page counted.
"""
