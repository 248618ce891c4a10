"""One permission group per role, and each user kept in the group of their role.

A role's group is named after the role's value (``forecaster``) and holds the model permissions
that :data:`ROLE_PERMISSIONS` grants, written as ``app_label.codename`` patterns (``*`` as a
wildcard) so that apps added later (warnings, supervision, data service) are covered as soon as
they are installed. Groups are brought up to date after every ``migrate`` (``post_migrate``).
Permissions are only ever added: what a bureau's administrator granted a group by hand stays.

A user joins the group of their ``role`` whenever they are saved, and leaves the other role
groups; groups that are not role groups are left alone.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.contrib.auth.models import Group, Permission

from qixiang.accounts.models import Role

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Everything, including users, groups and API keys.
    Role.ADMINISTRATOR: ("*",),
    # Runs the flow: stations, ingest, observations (corrections), products, monitoring.
    Role.OPERATOR: ("stations.*", "ingest.*", "observations.*", "monitoring.*", "products.*",
                    "accounts.view_user", "accounts.view_apikey"),
    # Reads observations and products; drafts and edits warnings.
    Role.FORECASTER: ("stations.view_*", "observations.view_*", "products.view_*",
                      "warnings.view_*", "warnings.add_*", "warnings.change_*"),
    # Reads what the data service offers; its own grants and usage are shown in the portal,
    # not through model permissions (those would expose every user's access log).
    Role.DATA_USER: ("stations.view_station", "observations.view_observation",
                     "products.view_*"),
    # Lightning-protection supervision, and the stations for context.
    Role.REGULATOR: ("stations.view_station", "supervision.*"),
}


def permission_names(patterns: tuple[str, ...], available: list[str]) -> list[str]:
    """The ``app_label.codename`` names in ``available`` that any pattern matches."""
    return [name for name in available if any(fnmatchcase(name, p) for p in patterns)]


def sync_role_groups() -> dict[str, Group]:
    """Create the role groups and add the permissions their role grants; returns them by role."""
    permissions = {f"{p.content_type.app_label}.{p.codename}": p
                   for p in Permission.objects.select_related("content_type")}
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = permission_names(ROLE_PERMISSIONS[role], list(permissions))
        have = set(group.permissions.values_list("pk", flat=True))
        missing = [permissions[n] for n in wanted if permissions[n].pk not in have]
        if missing:
            group.permissions.add(*missing)
        groups[role.value] = group
    return groups


def assign_role_group(user) -> None:
    """Put ``user`` in the group of their role and out of the other role groups."""
    group, _ = Group.objects.get_or_create(name=user.role)
    others = user.groups.filter(name__in=[r.value for r in Role]).exclude(pk=group.pk)
    if others.exists():
        user.groups.remove(*others)
    user.groups.add(group)


def on_post_migrate(sender, **kwargs) -> None:
    """``post_migrate`` is sent once per app, after its permissions exist: add them."""
    sync_role_groups()


def on_user_saved(sender, instance, created: bool, raw: bool = False, update_fields=None,
                  **kwargs) -> None:
    """Keep the user's role group in step with ``role`` (not on fixture loads or bare logins)."""
    if raw or (update_fields is not None and "role" not in update_fields):
        return
    assign_role_group(instance)
