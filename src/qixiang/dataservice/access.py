"""Who is asking, may they read this dataset, and can they afford it.

Every data view (EDR, MUSIC) calls it before it reads any value. The cost depends on the
stations the caller may see, so the short form is::

    principal = access.identify(request)                      # 401 for a bad or revoked key
    plan = query.plan(Selection(..., region_prefixes=access.regions_for(principal, dataset)))
    principal = access.admit(principal, dataset, quotas.plan_cost(plan))   # 401/403/429

and ``access.authorize(request, dataset, cost)`` does both steps when the cost is known.
``cost`` is in weighted calls (:func:`qixiang.dataservice.quotas.weighted_calls`: one call per
station x 10 elements x 14 days). A refusal raises :class:`AccessDenied` —
:class:`NotAuthenticated` (401), :class:`Forbidden` (403) or :class:`Throttled` (429 with
``Retry-After``); ``exc.response()`` is the JSON answer (OGC exception shape
``{"code", "description"}``) with its headers. Pass the admitted principal to
:func:`qixiang.dataservice.provenance.stamp`.

Who gets what:

- anonymous callers read only ``QIXIANG_PUBLIC_DATASETS``, at the ``public`` tier, counted per
  client address (``REMOTE_ADDR``; a proxy's ``X-Forwarded-For`` is not trusted);
- administrators, operators and forecasters read every dataset at the ``internal`` tier, limited
  to their own region when they have one;
- data users (and any other role) need an :class:`AccessGrant` an administrator approved; it
  names their datasets, regions and tier. Until then they read what anonymous callers read.
  Public datasets are open to everyone, everywhere (no region limit).

What is read from the database to answer this — a key with its user, grant and tier, a session
user's grant, a tier's limits — is reused for :data:`LOOKUP_SECONDS` (one query per key and
second instead of one per request). Saving or deleting a key, user, grant or tier in this process
forgets it at once; a change made elsewhere (another worker, ``qixiang apikey revoke``, a bulk
update) is seen within the second.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from qixiang.accounts.apikeys import LAST_USED_RESOLUTION, hash_key
from qixiang.accounts.models import ApiKey, Role, User, region_prefix
from qixiang.accounts.scoping import region_prefix_of
from qixiang.dataservice import quotas
from qixiang.dataservice.models import ALL_DATASETS, AccessGrant, Tier, split_list

LOOKUP_SECONDS = 1.0  # how long a lookup in the database is reused (see the module docstring)
INTERNAL_ROLES = (Role.ADMINISTRATOR, Role.OPERATOR, Role.FORECASTER)
PUBLIC_TIER, INTERNAL_TIER, DEFAULT_TIER = "public", "internal", "standard"
# Used when the tier rows are missing (a fresh database is seeded by migration 0002).
FALLBACK_TIERS = {
    PUBLIC_TIER: (10_000.0, 60),
    "standard": (100_000.0, 600),
    "research": (1_000_000.0, 3_000),
    INTERNAL_TIER: (None, None),
}


class AccessDenied(Exception):
    """A refused request; ``status`` is the HTTP status, ``headers`` go on the answer."""

    status = 403

    def __init__(self, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> JsonResponse:
        answer = JsonResponse({"code": str(self.status), "description": self.message},
                              status=self.status, json_dumps_params={"ensure_ascii": False})
        for name, value in self.headers.items():
            answer[name] = value
        return answer


class NotAuthenticated(AccessDenied):
    status = 401

    def __init__(self, message: str):
        super().__init__(message, {"WWW-Authenticate": 'Bearer realm="qixiang"'})


class Forbidden(AccessDenied):
    status = 403


class Throttled(AccessDenied):
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, {"Retry-After": str(retry_after)})
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Limits:
    tier: str
    daily_quota: float | None
    rate_per_minute: int | None


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller as the data service sees them."""

    key: str  # what usage and rate are counted against: "user:<id>" or "ip:<address>"
    name: str  # username, or "anonymous"
    via: str  # "key", "session", "music" or "anonymous"
    limits: Limits
    datasets: frozenset[str] | None  # None: every dataset
    regions: tuple[str, ...] = ()  # GB/T 2260 prefixes; empty: the whole country
    user: User | None = None
    client_ip: str | None = None
    refusal: str = ""  # why a signed-in user has no datasets of their own (not approved yet)
    cost: float = 0.0  # weighted calls charged for the request being served (set by admit)

    @property
    def anonymous(self) -> bool:
        return self.user is None

    def may_read(self, dataset: str) -> bool:
        return (dataset in settings.QIXIANG_PUBLIC_DATASETS or self.datasets is None
                or dataset in self.datasets)

    def covers(self, division_code: str) -> bool:
        """True when a station with ``division_code`` lies in the principal's regions."""
        if not self.regions:
            return True
        code = division_code or ""
        return any(code.startswith(prefix) for prefix in self.regions)


def tier_row(code: str) -> Tier:
    """The tier called ``code``, made from :data:`FALLBACK_TIERS` if it is missing."""
    quota, rate = FALLBACK_TIERS.get(code, FALLBACK_TIERS[PUBLIC_TIER])
    row, _created = Tier.objects.get_or_create(
        code=code, defaults={"name": code, "daily_quota": quota, "rate_per_minute": rate})
    return row


def _one(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


class _Recent:
    """Values read from the database, each reused for :data:`LOOKUP_SECONDS`."""

    MAX_ENTRIES = 100_000

    def __init__(self) -> None:
        self._values: dict = {}

    def get(self, key, read: Callable[[], object]):
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and now < hit[0]:
            return hit[1]
        value = read()
        if len(self._values) >= self.MAX_ENTRIES:
            self._values.clear()
        self._values[key] = (now + LOOKUP_SECONDS, value)
        return value

    def clear(self) -> None:
        self._values.clear()


_tiers, _keys, _grants, _anonymous = _Recent(), _Recent(), _Recent(), _Recent()


def forget(**_kwargs) -> None:
    """Drop every reused lookup (a key, user, grant or tier changed in this process)."""
    for recent in (_tiers, _keys, _grants, _anonymous):
        recent.clear()


for _model in (ApiKey, User, AccessGrant, Tier):
    for _signal in (post_save, post_delete):
        _signal.connect(forget, sender=_model, weak=False,
                        dispatch_uid=f"qixiang.access.forget.{_model.__name__}.{id(_signal)}")


def tier_limits(code: str) -> Limits:
    return _tiers.get(code, lambda: _read_tier_limits(code))


def _read_tier_limits(code: str) -> Limits:
    row = _one(f"SELECT daily_quota, rate_per_minute FROM {Tier._meta.db_table} WHERE code = %s",
               [code])
    if row is not None:
        return Limits(code, row[0], row[1])
    quota, rate = FALLBACK_TIERS.get(code, FALLBACK_TIERS[PUBLIC_TIER])
    return Limits(code, quota, rate)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def anonymous_principal(request: HttpRequest) -> Principal:
    ip = client_ip(request)
    return _anonymous.get(ip, lambda: Principal(
        key=f"ip:{ip or 'unknown'}", name="anonymous", via="anonymous",
        limits=_read_tier_limits(PUBLIC_TIER), datasets=frozenset(), client_ip=ip))


# The hot path reads a key, its user, grant and tier in one statement (no ORM query building:
# this runs on every data request).
_GRANT_COLUMNS = "g.status, g.datasets, g.regions, t.code, t.daily_quota, t.rate_per_minute"
_GRANT_JOIN = (f"LEFT JOIN {AccessGrant._meta.db_table} g ON g.user_id = u.id "
               f"LEFT JOIN {Tier._meta.db_table} t ON t.id = g.tier_id")
# In the model's field order, as Model.from_db expects them.
_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields if f.attname in {
    "id", "username", "is_active", "is_superuser", "role", "region_code"})
_UNSET = object()


def _grant_of(user_id: int) -> tuple | None:
    row = _one(f"SELECT {_GRANT_COLUMNS} FROM {User._meta.db_table} u {_GRANT_JOIN} "
               f"WHERE u.id = %s", [user_id])
    return row if row is not None and row[0] is not None else None


def principal_for_user(user: User, *, via: str, ip: str | None = None,
                       grant: tuple | None | object = _UNSET) -> Principal:
    """The principal of an authenticated ``user`` (``grant``: the row of
    :data:`_GRANT_COLUMNS` when the caller already read it); raises :class:`AccessDenied`
    for a disabled account."""
    if not user.is_active:
        raise NotAuthenticated(_("This account is disabled."))
    common = {"key": f"user:{user.pk}", "name": user.get_username(), "via": via,
              "user": user, "client_ip": ip}
    if user.is_superuser or user.role in INTERNAL_ROLES:
        prefix = region_prefix_of(user)
        return Principal(limits=tier_limits(INTERNAL_TIER), datasets=None,
                         regions=(prefix,) if prefix else (), **common)
    if grant is _UNSET:
        grant = _grants.get(user.pk, lambda: _grant_of(user.pk))
    if grant is None or grant[0] != AccessGrant.Status.APPROVED:
        refusal = (_("This account has not registered for the data service; register at "
                     "/portal/register.") if grant is None else
                   _("Data access for this account is %(status)s.")
                   % {"status": AccessGrant.Status(grant[0]).label})
        return Principal(limits=tier_limits(PUBLIC_TIER), datasets=frozenset(),
                         refusal=refusal, **common)
    _status, datasets_text, regions_text, tier, quota, rate = grant
    datasets = split_list(datasets_text)
    regions = (tuple(region_prefix(code) for code in split_list(regions_text))
               or ((user.region_prefix,) if user.region_prefix else ()))
    return Principal(
        limits=Limits(tier, quota, rate),
        datasets=None if ALL_DATASETS in datasets else frozenset(datasets), regions=regions,
        **common)


@dataclass(slots=True)
class _KeyEntry:
    key_id: int
    principal: Principal
    touch_at: float  # monotonic time when ``last_used_at`` is next due


def _read_key(hashed: str) -> _KeyEntry:
    """The unrevoked key ``hashed`` with its user, grant and tier (one query), as a principal;
    raises :class:`NotAuthenticated` otherwise."""
    user_columns = ", ".join(f"u.{name}" for name in _USER_FIELDS)
    row = _one(
        f"SELECT k.id, k.last_used_at, {user_columns}, {_GRANT_COLUMNS} "
        f"FROM {ApiKey._meta.db_table} k JOIN {User._meta.db_table} u ON u.id = k.user_id "
        f"{_GRANT_JOIN} WHERE k.hashed_key = %s AND k.revoked = %s", [hashed, False])
    if row is None:
        raise NotAuthenticated(_("The API key is unknown or revoked."))
    key_id, last_used = row[0], row[1]
    user_values = row[2:2 + len(_USER_FIELDS)]
    grant = row[2 + len(_USER_FIELDS):]
    user = User.from_db("default", list(_USER_FIELDS), list(user_values))
    principal = principal_for_user(user, via="key", grant=grant if grant[0] is not None else None)
    if isinstance(last_used, str):  # SQLite through a raw cursor
        last_used = datetime.fromisoformat(last_used)
    if last_used is not None and timezone.is_naive(last_used):
        last_used = timezone.make_aware(last_used, UTC)
    due_in = 0.0 if last_used is None else (
        LAST_USED_RESOLUTION - (timezone.now() - last_used)).total_seconds()
    return _KeyEntry(key_id, principal, time.monotonic() + due_in)


def principal_for_key(key: str, ip: str | None = None) -> Principal:
    """The principal owning the unrevoked API ``key``; raises :class:`NotAuthenticated`
    otherwise. Notes when the key was last used (once a minute)."""
    hashed = hash_key(key.strip())
    entry = _keys.get(hashed, lambda: _read_key(hashed))
    now = time.monotonic()
    if now >= entry.touch_at:
        entry.touch_at = now + LAST_USED_RESOLUTION.total_seconds()
        ApiKey.objects.filter(pk=entry.key_id).update(last_used_at=timezone.now())
    principal = entry.principal
    return principal if principal.client_ip == ip else dataclasses.replace(principal,
                                                                           client_ip=ip)


def presented_key(request: HttpRequest) -> str | None:
    """The API key the request carries (Bearer or ``X-API-Key``), or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    key = request.META.get("HTTP_X_API_KEY", "").strip()
    return key or None


def identify(request: HttpRequest) -> Principal:
    """Who the request comes from (remembered on the request); raises
    :class:`NotAuthenticated` for a key that is unknown, revoked or of a disabled account."""
    cached = getattr(request, "_qixiang_principal", None)
    if cached is not None:
        return cached
    ip = client_ip(request)
    key = presented_key(request)
    if key is not None:
        principal = principal_for_key(key, ip)
    elif getattr(request, "user", None) is not None and request.user.is_authenticated:
        principal = principal_for_user(request.user, via="session", ip=ip)
    else:
        principal = anonymous_principal(request)
    request._qixiang_principal = principal
    return principal


def admit(principal: Principal, dataset: str, cost: float) -> Principal:
    """Check ``dataset`` is in scope, take a rate token and charge ``cost`` (weighted calls);
    returns the principal, or raises :class:`AccessDenied`."""
    if not principal.may_read(dataset):
        if principal.anonymous:
            raise NotAuthenticated(_("Dataset %(dataset)s needs an API key.")
                                   % {"dataset": dataset})
        raise Forbidden(principal.refusal or _("Your access does not include dataset "
                                               "%(dataset)s.") % {"dataset": dataset})
    limits = principal.limits
    try:
        quotas.rate_limiter.take(principal.key, limits.rate_per_minute)
        quotas.usage_meter.charge(principal.key, cost, limits.daily_quota)
    except quotas.OverLimit as exc:
        raise Throttled(str(exc), exc.retry_after) from None
    return dataclasses.replace(principal, cost=float(cost))


def regions_for(principal: Principal, dataset: str) -> tuple[str, ...] | None:
    """The division-code prefixes ``principal`` may read in ``dataset``, as
    ``query.Selection.region_prefixes`` takes them: None when nothing limits them."""
    if not principal.regions or dataset in settings.QIXIANG_PUBLIC_DATASETS:
        return None
    return principal.regions


def authorize(request: HttpRequest, dataset: str, cost: float) -> Principal:
    """Identify the caller and admit them to ``dataset`` at ``cost`` weighted calls; raises
    :class:`AccessDenied` (401, 403 or 429) otherwise."""
    return admit(identify(request), dataset, cost)
