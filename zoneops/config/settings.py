"""The one settings module of ZoneOps, driven by environment variables.

Safe defaults give a local run on the embedded SQLite; a deployment sets DEBUG=false,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README.md).
"""

import contextlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from zoneops.config.env import (
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    private_dir,
    private_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
# The database, uploads and the key are the owner's only. A read-only place still runs with
# DATABASE_URL, MEDIA_ROOT and SECRET_KEY elsewhere.
with contextlib.suppress(OSError):
    private_dir(DATA_DIR)
# Only inside a pytest run (pytest sets PYTEST_VERSION) or when asked explicitly.
TESTING = env_bool("ZONEOPS_TESTING") or bool(os.environ.get("PYTEST_VERSION"))

DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if TESTING:
        return "tests-only-" + "x" * 50
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # A read-only data folder still runs, with a key that lasts one process.
    with contextlib.suppress(OSError):
        if not private_file(key_file, key):  # another process made it meanwhile
            key = key_file.read_text().strip()
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",  # admin.site is ours (common.sites), not unfold's default
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.simple_history",
    "zoneops.common.sites.BackOfficeAdminConfig",  # django.contrib.admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_tasks_db",  # the background jobs' queue, in our own database (zoneops worker)
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "zoneops.common",
    "zoneops.casework",
    "zoneops.orgs",
    "zoneops.notifications",
    "zoneops.enterprises",
    "zoneops.industry",
    "zoneops.parks",
    "zoneops.projects",
    "zoneops.blockers",
    "zoneops.meetings",
    "zoneops.approvals",
    "zoneops.supervision",
    "zoneops.funds",
    "zoneops.targets",
    "zoneops.indicators",
    "zoneops.briefings",
    "zoneops.cockpit",
    "zoneops.chains",
    "zoneops.workbench",
    "zoneops.search",
    "zoneops.portal",
    "zoneops.api",
    "zoneops.demo",
]

MIDDLEWARE = [
    # The request id and the access line (zoneops.common.requestlog), then /healthz and /readyz
    # answered before the host check and the HTTPS redirect (zoneops.common.health).
    "zoneops.common.requestlog.RequestLogMiddleware",
    "zoneops.common.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zoneops.common.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "zoneops.api.middleware.ApiJsonErrorsMiddleware",
]

ROOT_URLCONF = "zoneops.config.urls"
WSGI_APPLICATION = "zoneops.config.wsgi.application"
ASGI_APPLICATION = "zoneops.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: the embedded SQLite in the data folder unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'zoneops.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite, creating the file readable by its owner only (zoneops.common.sqlite).
    DATABASES["default"]["ENGINE"] = "zoneops.common.sqlite"
    # Tests run in memory, as on Django's own engine: pytest-django knows SQLite only by that
    # engine's name, and under xdist gave each worker a file test_<path>_gwN instead.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # Concurrent use of one file: WAL, a busy timeout and IMMEDIATE write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # A covering index (INCLUDE) serves PostgreSQL's index-only reads; SQLite builds the same
    # index on its key columns, which is what it needs, so Django's warning says nothing here.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "ZONEOPS_PG_JIT"
):
    # No JIT compilation on our connections. PostgreSQL compiles a query whose estimated cost
    # passes jit_above_cost (100,000); on the large zone only the pipeline summaries' queries
    # (0.1-0.2 s) pass it, and each paid 14-22 ms to compile for no faster execution (EXPLAIN
    # ANALYZE with and without, 2026-12-07); the chain map's node query paid 73 ms of 152.
    # ZONEOPS_PG_JIT=true leaves the server's setting as it is.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env_int("ZONEOPS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ZONEOPS_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# An address trying many user names is locked too, at a higher limit (zoneops.orgs.lockout).
AXES_HANDLER = "zoneops.orgs.lockout.LockoutHandler"
ZONEOPS_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("ZONEOPS_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "orgs/lockout.html"
# The enterprise login (/enterprise/) gets its own lockout page; the back office keeps the above.
AXES_LOCKOUT_CALLABLE = "zoneops.enterprises.views.lockout"
# The client's address is REMOTE_ADDR: behind a proxy, `zoneops serve` sets it from the trusted
# proxy's X-Forwarded-For (ZONEOPS_TRUSTED_PROXY below).

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT")) if env_str("STATIC_ROOT") else DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT")) if env_str("MEDIA_ROOT") else DATA_DIR / "media"
# Uploads are kept readable by the owner only, and served by zoneops.common.files' view alone.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Where `zoneops backup` writes (zoneops.common.backup): best another disk or a mounted share.
ZONEOPS_BACKUP_DIR = (
    Path(env_str("ZONEOPS_BACKUP_DIR")) if env_str("ZONEOPS_BACKUP_DIR") else DATA_DIR / "backups"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Security: strict by default outside DEBUG; HTTPS can be switched off for a plain-HTTP LAN.
HTTPS = env_bool("ZONEOPS_HTTPS", default=not (DEBUG or TESTING))
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a reverse proxy (ZONEOPS_BEHIND_PROXY), `zoneops serve` (waitress) believes the
# X-Forwarded-Proto and X-Forwarded-For of that one peer: it sets the request's scheme and
# REMOTE_ADDR from them, which Django (HTTPS redirect, secure cookies) and the login lockout read.
# From any other peer the headers are dropped, so a client reaching the server directly can
# claim neither HTTPS nor another client's address. By default the proxy is on the same machine.
BEHIND_PROXY = env_bool("ZONEOPS_BEHIND_PROXY")
ZONEOPS_TRUSTED_PROXY = (env_str("ZONEOPS_TRUSTED_PROXY") or "127.0.0.1") if BEHIND_PROXY else None
# Proxies in a chain that each add to X-Forwarded-For (a CDN in front of the proxy: 2).
ZONEOPS_TRUSTED_PROXY_COUNT = env_int("ZONEOPS_PROXY_COUNT", 1)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (zoneops.common.middleware): everything from our own origin, nothing
# inline but styles (the templates, unfold and Swagger UI set style attributes), no frames.
ZONEOPS_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The back office's Alpine.js (shipped with unfold) evaluates its x-data expressions as code.
ZONEOPS_CSP_PATHS = {"/admin/": {"script-src": ["'unsafe-eval'"]}}
# Pages and answers with people's and enterprises' data are never kept by a browser or proxy:
# the API, the enterprise's pages, the back office (the admin's own views already said so) and
# the uploaded files.
ZONEOPS_NO_STORE_PATHS = ["/api/", "/enterprise/", "/admin/", "/files/"]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Messages (e.g. a new API token, shown once) stay on the server, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Where a project is placed (DESIGN.md, parks; the rule is zoneops/parks/placement.py):
# 重大项目 (investment in 万元 or land in 亩 at or above these) take their own site; a project
# below the small threshold goes into an incubator when it is a tech project (its flag, or its
# industry's code in the tech list); the rest go into a park. The own-site industries (codes)
# take their own site whatever their size (a 商业综合体 is not a park's tenant).
ZONEOPS_MAJOR_PROJECT_THRESHOLD = env_int("ZONEOPS_MAJOR_PROJECT_THRESHOLD", 100000)
ZONEOPS_SMALL_PROJECT_THRESHOLD = env_int("ZONEOPS_SMALL_PROJECT_THRESHOLD", 5000)
ZONEOPS_MAJOR_PROJECT_LAND_MU = env_int("ZONEOPS_MAJOR_PROJECT_LAND_MU", 300)
ZONEOPS_TECH_INDUSTRIES = env_list(
    "ZONEOPS_TECH_INDUSTRIES",
    ["icv", "aiot", "electronics", "biomedicine", "rnd", "new-materials", "aerospace"],
)
ZONEOPS_OWN_SITE_INDUSTRIES = env_list("ZONEOPS_OWN_SITE_INDUSTRIES", ["commercial"])
# 行政许可法 第32条: incomplete materials are named all at once (一次性告知) within this many
# working days of receipt; a case may ask for them (补正) once, within this window.
ZONEOPS_CASE_MATERIALS_NOTICE_DAYS = env_int("ZONEOPS_CASE_MATERIALS_NOTICE_DAYS", 5)

# The largest workbook an import accepts, and the largest site photo.
ZONEOPS_IMPORT_MAX_BYTES = env_int("ZONEOPS_IMPORT_MAX_BYTES", 20 * 2**20)
# Rows a chunked register (a large one: projects) checks and writes at a time: an import's
# memory then follows this, not the file's size (zoneops.common.importing).
ZONEOPS_IMPORT_CHUNK_ROWS = env_int("ZONEOPS_IMPORT_CHUNK_ROWS", 10_000)
# A workbook whose largest sheet's XML (unpacked) is over this many MB is read row by row
# (openpyxl, read-only) instead of parsed whole (python-calamine, fast, but about 1.6 MB of
# memory per MB of XML): a reader's memory then stays bounded whatever the file's size. The
# 100,000-row bench workbook (about 100 MB of XML) stays with calamine.
ZONEOPS_IMPORT_STREAM_ABOVE_MB = env_int("ZONEOPS_IMPORT_STREAM_ABOVE_MB", 128)
ZONEOPS_PHOTO_MAX_BYTES = env_int("ZONEOPS_PHOTO_MAX_BYTES", 10 * 2**20)

# Background work (zoneops.common.job_services): django-tasks with its database backend, so
# nothing else is installed; `zoneops worker` runs the queue (several of them on PostgreSQL).
# The test suite runs a job where it is started (the same task function, no worker), unless a
# test switches to the database backend and runs the worker loop itself.
TASK_QUEUES = env_list("ZONEOPS_TASK_QUEUES", ["default"])
TASKS = {
    "default": {
        "BACKEND": env_str(
            "ZONEOPS_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": TASK_QUEUES,
    }
}
# A workbook with more data rows than this is previewed and imported as a background job;
# a list with more rows than this is exported as one.
ZONEOPS_IMPORT_BACKGROUND_ROWS = env_int("ZONEOPS_IMPORT_BACKGROUND_ROWS", 5000)
ZONEOPS_EXPORT_BACKGROUND_ROWS = env_int("ZONEOPS_EXPORT_BACKGROUND_ROWS", 20_000)
# A running job with no progress and no heartbeat of its worker for this long is interrupted
# (its worker died); a job writes its progress at most once per ZONEOPS_JOB_PROGRESS_SECONDS.
ZONEOPS_JOB_STALE_SECONDS = env_int("ZONEOPS_JOB_STALE_SECONDS", 300)
ZONEOPS_JOB_PROGRESS_SECONDS = float(env_str("ZONEOPS_JOB_PROGRESS_SECONDS", "1"))
ZONEOPS_WORKER_BEAT_SECONDS = env_int("ZONEOPS_WORKER_BEAT_SECONDS", 15)
# /readyz says 503 when no worker beat for this long (jobs would wait in the queue).
ZONEOPS_WORKER_SEEN_SECONDS = env_int("ZONEOPS_WORKER_SEEN_SECONDS", 60)
# Reminders and notifications (zoneops.notifications, `zoneops remind`).
# E-mail through Django's mail: the console backend (printed) unless a backend is named; SMTP
# with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_* below.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "zoneops@localhost")
# SMS for enterprise users: a dotted path to the sender (a callable taking phone and text, or
# a class of them); the default prints the message.
ZONEOPS_SMS_SENDER = env_str(
    "ZONEOPS_SMS_SENDER", "zoneops.notifications.channels.ConsoleSmsSender"
)
# The address a digest's links start with (the e-mail and robot messages are read elsewhere).
ZONEOPS_SITE_URL = env_str("ZONEOPS_SITE_URL", "http://127.0.0.1:8000")
# A failed send is tried again after 5, 10, 20… minutes, at most this many times in all, then
# stays failed and flagged in the back office.
ZONEOPS_DELIVERY_RETRY_BASE_SECONDS = env_int("ZONEOPS_DELIVERY_RETRY_BASE_SECONDS", 300)
ZONEOPS_DELIVERY_MAX_ATTEMPTS = env_int("ZONEOPS_DELIVERY_MAX_ATTEMPTS", 6)

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Logs on standard error: JSON lines (ZONEOPS_LOG_FORMAT=json, what `zoneops serve` uses unless
# told otherwise) or text (the default for the demo and the commands). Every line of a request
# carries its request id and user (zoneops.common.requestlog); each request ends with one line of
# the logger zoneops.access (ZONEOPS_ACCESS_LOG=false silences it).
LOG_FORMAT = "json" if env_str("ZONEOPS_LOG_FORMAT", "text").lower() == "json" else "text"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "zoneops.common.requestlog.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "zoneops.common.requestlog.JsonLinesFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(username)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "zoneops.access": {
            "level": "INFO" if env_bool("ZONEOPS_ACCESS_LOG", default=not TESTING) else "WARNING"
        },
    },
}

# The cache: Redis when REDIS_URL is set (shared by every server and worker: sessions, the
# cached figures and their generations), else files in the data folder, which the web server
# and the worker beside it on one machine share (in each process's memory, a background import
# would leave the web server's figures stale). Tests always use memory.
REDIS_URL = "" if TESTING else env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("ZONEOPS_CACHE_PREFIX", "zoneops"),
        }
    }
elif TESTING:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "zoneops",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Sessions in the cache with the database behind it: two servers on one Redis share them, and a
# restarted Redis loses none.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long a cached figure lives at most (zoneops.common.caching): a write invalidates it at
# once; this bounds what a write the invalidation cannot see (a raw SQL fix) leaves
# stale. 0 turns the figures' cache off.
ZONEOPS_CACHE_SECONDS = env_int("ZONEOPS_CACHE_SECONDS", 300)

from zoneops.config.unfold import (  # noqa: E402  the admin's look and sidebar
    NAV_GROUPS,
    NAV_THIRD_PARTY,
    UNFOLD,
)

ZONEOPS_NAV_GROUPS = NAV_GROUPS
ZONEOPS_NAV_THIRD_PARTY = NAV_THIRD_PARTY

__all__ = ["UNFOLD", "ZONEOPS_NAV_GROUPS", "ZONEOPS_NAV_THIRD_PARTY", "_"]
