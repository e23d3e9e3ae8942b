"""Ward hotspots: the values analysed, spatial weights, Gi* and Local Moran's I, and their
classes. Pure."""
