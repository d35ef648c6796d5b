"""Request and response bodies of the HTTP API, one module per area: the OpenAPI document is generated from these.

A router imports the modules of the bodies it reads and answers; :mod:`api.schemas.common` holds what they share.
"""
