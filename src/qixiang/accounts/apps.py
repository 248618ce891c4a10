from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qixiang.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from qixiang.accounts import roles

        # No sender: every app's post_migrate, after auth has made that app's permissions.
        post_migrate.connect(roles.on_post_migrate, dispatch_uid="qixiang.accounts.role_groups")
        post_save.connect(roles.on_user_saved, sender=self.get_model("User"),
                          dispatch_uid="qixiang.accounts.user_role_group")
