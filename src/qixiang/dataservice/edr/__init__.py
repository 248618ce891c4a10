"""OGC API – Environmental Data Retrieval over the stored observations, at ``/edr/``.

``api.py`` holds the routes (a django-ninja API of its own, with its OpenAPI document at
``/edr/openapi.json``), ``params.py`` parses the query parameters, ``collections.py`` describes
the datasets, ``formats/`` writes CoverageJSON, GeoJSON, CSV and NetCDF-CF, ``respond.py`` runs a
data request (access, cost, cache, ETag) and ``templates/`` renders the HTML pages.
"""
