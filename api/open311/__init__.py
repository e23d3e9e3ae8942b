"""The Open311 GeoReport v2 server: ``router`` serves it under ``/open311/v2``."""
