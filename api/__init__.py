"""The FastAPI application: thin routers over the ``geosvc`` core."""
