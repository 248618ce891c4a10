"""JSON API routes of the stations app."""

from ninja import Router

router = Router(tags=["stations"])
