from django.apps import AppConfig


class QixiangConfig(AppConfig):
    """The package as an app, so its templates/, static/ and locale/ are found."""

    name = "qixiang"
    verbose_name = "qixiang"
