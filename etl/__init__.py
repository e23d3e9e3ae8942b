"""The ``geosvc`` command line: thin commands that call into the ``geosvc`` core."""
