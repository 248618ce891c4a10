"""Django settings for qixiang, read from the environment.

Every setting a deployer may change is a ``QIXIANG_*`` environment variable, documented in
docs/configuration.md. The defaults give the embedded set-up: SQLite in WAL mode under ``var/``,
the in-process message bus, and the demo network when no source is configured.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("QIXIANG_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_from_url(url: str | None) -> dict:
    """Django DATABASES entry for ``url``: ``postgresql://user:pass@host:port/name`` or SQLite."""
    if not url or url.startswith("sqlite"):
        path = urlparse(url).path if url else ""
        name = Path(path) if path not in ("", "/") else VAR_DIR / "qixiang.sqlite3"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # Tests use a file, not Django's shared-cache in-memory database: live-server tests
            # run the server, the ingest and background loaders on several threads, and only a
            # file in WAL mode gives each its own connection with busy waiting instead of table
            # locks. One file per process, so parallel runs never meet.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"qixiang-test-{os.getpid()}.sqlite3")},
            # Keep each thread's connection: opening one (and its PRAGMAs and schema read)
            # costs ~4 ms, more than a cached data-service answer.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"QIXIANG_DATABASE_URL: unsupported scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
    }


SECRET_KEY = os.environ.get("QIXIANG_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = _env_bool("QIXIANG_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("QIXIANG_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("QIXIANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # /api/docs then serves Swagger UI from ninja's own static files, not a CDN
    "qixiang.accounts",
    "qixiang.stations",
    "qixiang.observations",
    "qixiang.ingest",
    "qixiang.monitoring",
    "qixiang.quality",
    "qixiang.dataservice",
    "qixiang.supervision",
    "qixiang",  # the package itself: base templates, shared static files and translations
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "qixiang.urls"
ASGI_APPLICATION = "qixiang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("QIXIANG_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"  # display zone: Beijing time; storage is UTC (USE_TZ)
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even when serving from the finders
STATICFILES_DIRS: list = []  # each app's static/ and the package's static/ via the finders
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic step to forget

# --- qixiang -----------------------------------------------------------------------------------
# The message bus: "inprocess" (default) or an MQTT broker URL such as mqtt://localhost:1883.
QIXIANG_BUS = os.environ.get("QIXIANG_BUS", "inprocess")
# Topic the ingest subscribes to; sensors publish JSON or any decodable payload under it.
QIXIANG_INGEST_TOPIC = os.environ.get("QIXIANG_INGEST_TOPIC", "qixiang/obs/#")
# A folder watched for files to ingest (empty: none).
QIXIANG_WATCH_DIR = os.environ.get("QIXIANG_WATCH_DIR", "")
# Run the simulated demo network: "auto" runs it when no other source is configured.
QIXIANG_DEMO = os.environ.get("QIXIANG_DEMO", "auto")
# Quality control: a site TOML file merged over the packaged QC parameters
# (science/qc/qc.toml and quality/platform.toml); empty: the packaged defaults.
QIXIANG_QC_CONFIG = os.environ.get("QIXIANG_QC_CONFIG", "")
# Optional boundary GeoJSON drawn on maps (none shipped: a map of China needs an approved map).
QIXIANG_BOUNDARY_GEOJSON = os.environ.get("QIXIANG_BOUNDARY_GEOJSON", "")
# Lightning-protection supervision: Fernet keys for ID numbers at rest (comma-separated, newest
# first), the key of the lookup hashes (never rotated: it names persons), the site QR token keys
# ("version:key", comma-separated, newest first) and how long a printed QR code stays valid.
# Keys not given are generated once under var/keys/; back that folder up with the database.
QIXIANG_SUPERVISION_PII_KEYS = os.environ.get("QIXIANG_SUPERVISION_PII_KEYS", "")
QIXIANG_SUPERVISION_LOOKUP_KEY = os.environ.get("QIXIANG_SUPERVISION_LOOKUP_KEY", "")
QIXIANG_SUPERVISION_QR_KEYS = os.environ.get("QIXIANG_SUPERVISION_QR_KEYS", "")
QIXIANG_SUPERVISION_QR_DAYS = int(os.environ.get("QIXIANG_SUPERVISION_QR_DAYS", "1095"))
# Font embedded in supervision PDFs (subject files): a .ttf/.otf/.ttc path, "path#index" for a face
# of a collection; empty: the first CJK font found (Debian fonts-noto-cjk, fonts-wqy-*).
QIXIANG_PDF_FONT = os.environ.get("QIXIANG_PDF_FONT", "")
# How often `qixiang run` sweeps supervision deadlines (overdue, escalation, reminders), seconds.
QIXIANG_SUPERVISION_SWEEP_SECONDS = float(
    os.environ.get("QIXIANG_SUPERVISION_SWEEP_SECONDS", "3600"))
# Uploaded files (inspection photos, reports, hazard evidence), stored under their sha256.
MEDIA_ROOT = VAR_DIR / "media"
# Data service: datasets anyone may read without a key (comma-separated ids; empty: none).
QIXIANG_PUBLIC_DATASETS = [
    d.strip() for d in os.environ.get("QIXIANG_PUBLIC_DATASETS", "").split(",") if d.strip()
]
# Private keys of the data service (provenance signing, sealed MUSIC secrets), made at first use.
QIXIANG_KEY_DIR = Path(os.environ.get("QIXIANG_KEY_DIR", VAR_DIR / "keys")).resolve()
# MUSIC (天擎) signing: how far a request's timestamp may be from our clock, in seconds.
QIXIANG_MUSIC_MAX_SKEW = int(os.environ.get("QIXIANG_MUSIC_MAX_SKEW", "300"))
# Each data answer's access-log row and quota charge go to a journal file per process (here),
# loaded into the database every QIXIANG_JOURNAL_SECONDS; quota totals spent by other processes
# are re-read as often.
QIXIANG_JOURNAL_DIR = Path(os.environ.get("QIXIANG_JOURNAL_DIR", VAR_DIR / "journal")).resolve()
QIXIANG_JOURNAL_SECONDS = float(os.environ.get("QIXIANG_JOURNAL_SECONDS", "0.5"))
# EDR: a data request asking for more values (stations x parameters x times) is refused (413).
QIXIANG_EDR_MAX_VALUES = int(os.environ.get("QIXIANG_EDR_MAX_VALUES", "2000000"))
# EDR position queries answer with the nearest station within this many km.
QIXIANG_EDR_NEAREST_KM = float(os.environ.get("QIXIANG_EDR_NEAREST_KM", "25"))
# In-process cache of hot data-service responses: size (MB) and longest life (seconds).
QIXIANG_EDR_CACHE_MB = float(os.environ.get("QIXIANG_EDR_CACHE_MB", "256"))
QIXIANG_EDR_CACHE_SECONDS = float(os.environ.get("QIXIANG_EDR_CACHE_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("QIXIANG_LOG_LEVEL", "INFO")},
    "loggers": {"django": {"level": "WARNING"}},
}

LANGUAGE_COOKIE_NAME = "qixiang_language"
