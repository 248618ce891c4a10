"""Routes of the dataservice app."""

from django.urls import path  # noqa: F401

from qixiang.dataservice import portal, service_api
from qixiang.dataservice.edr.api import api as edr_api

app_name = "dataservice"
urlpatterns: list = [
    path("edr/", edr_api.urls),  # OGC API – EDR (docs/api.md)
    path("music-ws/", service_api.music_api.urls),  # /music-ws/api: 天擎 MUSIC (docs/api.md)
    path("provenance/", service_api.provenance_api.urls),  # /provenance/keys, /provenance/<id>
    path("portal/", portal.portal, name="portal"),
    path("portal/register/", portal.register, name="register"),
    path("portal/keys/new/", portal.new_key, name="new_key"),
    path("portal/keys/<str:prefix>/revoke/", portal.revoke_key, name="revoke_key"),
    path("portal/music/new/", portal.new_music_credential, name="new_music_credential"),
]
