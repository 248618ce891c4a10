from django.contrib import admin

from qixiang.stations.models import Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("cma_id", "wmo_index", "wigos_id", "name", "province", "division_code",
                    "latitude", "longitude", "elevation", "active")
    list_filter = ("province", "active")
    search_fields = ("cma_id", "wmo_index", "wigos_id", "name")
