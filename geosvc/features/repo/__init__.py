"""The map layers' SQL: filters as WHERE clauses, each layer's columns and tables, tiles.

The modules beside this package validate and orchestrate; every string of SQL they run is
built here (``clauses`` for the common filters, one module per layer, ``layer_query`` to
read a layer's rows, ``tiles`` to cut vector tiles).
"""
