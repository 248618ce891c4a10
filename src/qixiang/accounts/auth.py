"""Authentication for the JSON API, shared by every router.

``api_key_auth`` accepts an API key as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``;
``key_or_session`` also accepts a logged-in browser session (with its CSRF token). Pass either
as ``auth=`` to a django-ninja route; a request without valid credentials gets 401. The route then
finds the user in ``request.auth`` (and ``request.user``) and checks the role with
:func:`require_role`, which answers 403.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from qixiang.accounts.apikeys import user_for_key
from qixiang.accounts.models import Role, User


def _authenticate(request: HttpRequest, key: str | None) -> User | None:
    user = user_for_key(key)
    if user is not None:
        request.user = user
    return user


class BearerKey(HttpBearer):
    """``Authorization: Bearer <API key>``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return _authenticate(request, token)


class HeaderKey(APIKeyHeader):
    """``X-API-Key: <API key>``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _authenticate(request, key)


class LoggedIn(SessionAuth):
    """A logged-in browser session, CSRF-checked. Unlike ninja's ``django_auth`` it checks CSRF
    only for a logged-in user, so a request with neither key nor session gets 401, not 403."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


api_key_auth = [BearerKey(), HeaderKey()]
key_or_session = [*api_key_auth, LoggedIn()]


def has_role(user: User, *roles: Role | str) -> bool:
    """True when ``user`` holds one of ``roles``; a superuser holds every role."""
    return bool(user.is_active and (user.is_superuser or user.role in roles))


def require_role(request: HttpRequest, *roles: Role | str) -> User:
    """The authenticated user if they hold one of ``roles``; otherwise 403 naming the roles."""
    user = getattr(request, "auth", None) or request.user
    if not has_role(user, *roles):
        allowed = ", ".join(str(Role(r).label) for r in roles)
        raise HttpError(403, _("Your role may not do this; allowed roles: %(roles)s")
                        % {"roles": allowed})
    return user
