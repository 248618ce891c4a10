"""The JSON API (django-ninja): each app adds its router here; OpenAPI docs at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="qixiang API", version="0.1.0", urls_namespace="api")


def _mount() -> None:
    from qixiang.ingest.api import router as ingest_router
    from qixiang.monitoring.api import router as monitoring_router
    from qixiang.observations.api import router as observations_router
    from qixiang.quality.api import router as quality_router
    from qixiang.stations.api import router as stations_router
    from qixiang.supervision.api import router as supervision_router

    api.add_router("/ingest", ingest_router)
    api.add_router("/stations", stations_router)
    api.add_router("/observations", observations_router)
    api.add_router("/monitoring", monitoring_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/quality", quality_router)


_mount()
