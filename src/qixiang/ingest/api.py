"""JSON API routes of the ingest app."""

from ninja import Router

router = Router(tags=["ingest"])
