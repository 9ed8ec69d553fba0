"""Balie settings: one module, every value read from the environment through ``config``.

``docs/configuration.md`` is generated from these declarations (``balie settings-doc``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from balie.conf.env import config
from balie.conf.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

DEMO_SECRET_KEY = "balie-demo-only-not-secret"  # noqa: S105 - refused by `balie serve`

DATA_DIR = Path(
    config(
        "BALIE_DATA_DIR",
        "data",
        "Directory for the embedded SQLite database and uploaded files.",
    )
).resolve()

SECRET_KEY = config(
    "BALIE_SECRET_KEY",
    DEMO_SECRET_KEY,
    "Django secret key. `balie serve` refuses to start with the demo default.",
)
DEBUG = config("BALIE_DEBUG", False, "Show Django debug pages. Never in production.")
ALLOWED_HOSTS = config(
    "BALIE_ALLOWED_HOSTS",
    ["localhost", "127.0.0.1", "[::1]"],
    "Comma-separated host names Balie answers to.",
)
CSRF_TRUSTED_ORIGINS = config(
    "BALIE_CSRF_TRUSTED_ORIGINS",
    [],
    "Comma-separated origins (scheme://host) trusted for form posts behind a proxy.",
)
PUBLIC_URL = config(
    "BALIE_PUBLIC_URL",
    "http://127.0.0.1:8000",
    "Public base URL, used in the embed snippet and printed links.",
)
WEBHOOKS_ALLOWED_NETWORKS = config(
    "BALIE_WEBHOOKS_ALLOWED_NETWORKS",
    [],
    "Comma-separated CIDR networks outgoing webhooks may reach besides public addresses "
    "(receivers in your own network; 127.0.0.0/8 for this machine). Empty: public only.",
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "balie.tenants",
    "balie.accounts",
    "balie.conversations",
    "balie.archive",
    "balie.search",
    "balie.records",
    "balie.imports",
    "balie.woo",
    "balie.connectors",
    "balie.connectors.sms.apps.SmsConfig",
    "balie.connectors.whatsapp.apps.WhatsAppConfig",
    "balie.connectors.email.apps.EmailConfig",
    "balie.integrations.klantinteracties",
    "balie.integrations.webhooks",
    "balie.integrations.notificaties",
    "balie.realtime",
    "balie.api",
    "balie.web",
    "balie.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "balie.web.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "balie.web.middleware.ConsoleLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "balie.web.middleware.AuditContextMiddleware",
    "balie.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "balie.conf.urls"
ASGI_APPLICATION = "balie.conf.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- database -------------------------------------------------------------------------------
DATABASE_URL = config(
    "DATABASE_URL",
    "",
    "Database URL (postgres://user@host/name or sqlite:///path). Empty: SQLite in BALIE_DATA_DIR.",
)
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=None)
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "balie.sqlite3")}
_db.setdefault("CONN_MAX_AGE", None)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers continue while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked";
    # synchronous=FULL makes an acknowledged message survive a power cut, not only a crash
    # (group commit spreads its fsync over a batch); secure_delete overwrites what is deleted
    # (destruction), so no destroyed text lingers in free pages of the file.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            " PRAGMA secure_delete=ON;"
        ),
    }
    _db.setdefault("TEST", {"NAME": str(DATA_DIR / "test-balie.sqlite3")})
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: Balie's queries are short, and at millions of rows PostgreSQL's cost estimate
    # passes jit_above_cost, so a 40 ms search spent 80 ms more compiling (decision 0014).
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"]["options"] = (_db["OPTIONS"].get("options", "") + " -c jit=off").strip()
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- real-time ------------------------------------------------------------------------------
REDIS_URL = config(
    "REDIS_URL",
    "",
    "Redis URL for the channel layer when running several processes. "
    "Empty: in-memory layer (one process).",
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1500, "expiry": 30},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "balie.realtime.layers.LocalChannelLayer",
            "CONFIG": {"capacity": 1500, "expiry": 30},
        }
    }

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Limits against abuse of the resident chat, declared in conf/ratelimits.py.
from balie.conf.ratelimits import (  # noqa: E402, F401 - beside the real-time settings
    LIMIT_FRAMES_PER_IP,
    LIMIT_FRAMES_PER_TOKEN,
    LIMIT_MESSAGES_PER_CONVERSATION,
    LIMIT_SOCKETS_PER_IP,
    LIMIT_UNSENT_UPLOAD_BYTES,
    LIMIT_UNSENT_UPLOADS,
    LIMIT_UPLOAD_BYTES_PER_IP,
    LIMIT_UPLOAD_BYTES_PER_TOKEN,
    LIMIT_UPLOADS_PER_IP,
    LIMIT_UPLOADS_PER_TOKEN,
    NEW_CHATS_PER_HOUR,
    RESIDENT_FRAMES_PER_10S,
    STAFF_FRAMES_PER_10S,
    UNSENT_UPLOADS_MAX_AGE_HOURS,
)

STAFF_SESSION_RECHECK_SECONDS = config(
    "BALIE_STAFF_SESSION_RECHECK_SECONDS",
    60,
    "Seconds after which a staff socket reads its session again on its next frame or event "
    "(a logout or deactivation closes the user's sockets at once; this bounds how long a lost "
    "notice could keep one open).",
)

# --- background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DAILY_JOBS_HOUR = config(
    "BALIE_DAILY_JOBS_HOUR",
    3,
    "Local hour (0-23) from which the daily jobs (archive integrity check, retention review, "
    "search partitions) are enqueued.",
)
CHECKPOINT_KEY = config(
    "BALIE_CHECKPOINT_KEY",
    "",
    "Key of the HMAC-SHA256 that signs `balie verify --export-checkpoint` lines. Keep it out "
    "of the database and its backups; without it no checkpoint is written or checked.",
)
TSA_URL = config(
    "BALIE_TSA_URL",
    "",
    "Address of an RFC 3161 time-stamping authority. When set, each checkpoint line that "
    "`balie verify --export-checkpoint` writes carries the TSA's signed time-stamp over it, "
    "which `--checkpoint` checks. Empty: checkpoints carry no time-stamp.",
)
TSA_CERTIFICATE = config(
    "BALIE_TSA_CERTIFICATE",
    "",
    "PEM file with the TSA's certificate, or the certificate(s) of the CA that issued it. "
    "When set, a time-stamp only holds if signed by one of them (or a certificate they "
    "issued directly); empty: the token's own certificate is checked but not trusted.",
)
TSA_TIMEOUT_SECONDS = config(
    "BALIE_TSA_TIMEOUT_SECONDS",
    10,
    "Seconds to wait for the time-stamping authority's answer.",
)

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "balie.accounts.passwords.BalieArgon2PasswordHasher",  # OWASP's m=19 MiB, t=2, p=1
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_HASH_CONCURRENCY = config(
    "BALIE_PASSWORD_HASH_CONCURRENCY",
    2,
    "Password hashes (logins, password changes) one process computes at the same time; each "
    "takes about 19 MiB. Further logins wait their turn, so a storm of logins cannot exhaust "
    "the memory.",
)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [  # run by every way of setting a password (accounts.passwords)
    {
        "NAME": "balie.accounts.passwords.LengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
AXES_FAILURE_LIMIT = config(
    "BALIE_LOGIN_FAILURE_LIMIT", 5, "Failed logins before an account is locked."
)
AXES_COOLOFF_TIME = timedelta(
    minutes=config("BALIE_LOGIN_LOCKOUT_MINUTES", 15, "Minutes a locked account stays locked.")
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Against guessing spread over many addresses: a per-user-name wait, never a lockout.
LOGIN_THROTTLE_FAILURES = config(
    "BALIE_LOGIN_THROTTLE_FAILURES",
    10,
    "Failed logins for one user name, from any address, after which each further attempt "
    "for that name must wait BALIE_LOGIN_THROTTLE_DELAY_SECONDS (the account is not locked).",
)
LOGIN_THROTTLE_WINDOW_MINUTES = config(
    "BALIE_LOGIN_THROTTLE_WINDOW_MINUTES",
    15,
    "Minutes over which failed logins for one user name are counted for the throttle.",
)
LOGIN_THROTTLE_DELAY_SECONDS = config(
    "BALIE_LOGIN_THROTTLE_DELAY_SECONDS",
    30,
    "Seconds a throttled user name waits after its last failed login before the next try.",
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
DEMO = SECRET_KEY == DEMO_SECRET_KEY  # `balie demo` (and the tests) on http://127.0.0.1
SESSION_COOKIE_SECURE = (
    config(
        "BALIE_SECURE_COOKIES",
        True,
        "Send the session and CSRF cookies over HTTPS only. Always off in the demo (the demo "
        "secret key), which runs on plain http://127.0.0.1.",
    )
    and not DEMO
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "balie.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["balie.api.permissions.IsStaffPrincipal"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "balie.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "balie.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Balie API",
    "DESCRIPTION": "Conversations between a municipality and its residents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "balie.api.schema.precise_requests",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "balie.conversations.models.Channel",
        "StatusEnum": "balie.conversations.models.Status",
        "ConversationKindEnum": "balie.conversations.models.ConversationKind",
        "HoldKindEnum": "balie.archive.models.holds.HoldKind",
        "DestructionListStatusEnum": "balie.archive.models.destruction.ListStatus",
        "DestructionItemStatusEnum": "balie.archive.models.destruction.ItemStatus",
        "WooStatusEnum": "balie.woo.models.Status",
        "WooDecisionEnum": "balie.woo.models.Decision",
        "RedactionStateEnum": "balie.woo.models.RedactionState",
    },
}

# --- messages and files ---------------------------------------------------------------------
MAX_MESSAGE_CHARS = config("BALIE_MAX_MESSAGE_CHARS", 4000, "Longest message text accepted.")
EDIT_WINDOW_MINUTES = config(
    "BALIE_EDIT_WINDOW_MINUTES",
    60,
    "Minutes during which residents and staff may edit or delete their own message.",
)
MAX_UPLOAD_BYTES = config(
    "BALIE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, "Largest attachment accepted, in bytes."
)
MAX_IMAGE_PIXELS = config(
    "BALIE_MAX_IMAGE_PIXELS", 40_000_000, "Largest image accepted, in pixels (width x height)."
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- imports ------------------------------------------------------------------------------
IMPORT_MAX_BYTES = config(
    "BALIE_IMPORT_MAX_BYTES",
    512 * 1024 * 1024,
    "Largest chat export accepted for import (txt, xml, json or zip), in bytes.",
)
IMPORT_STAGING_DIR = config(
    "BALIE_IMPORT_STAGING_DIR",
    "",
    "Folder for console uploads of chat exports awaiting review (private: folder 0700, files "
    "0600; overwritten and removed when confirmed, cancelled or a day old). Empty: "
    "imports-staging in BALIE_DATA_DIR.",
) or str(DATA_DIR / "imports-staging")

# --- search -----------------------------------------------------------------------------
SEARCH_MAX_RESULTS = config(
    "BALIE_SEARCH_MAX_RESULTS",
    10_000,
    "Most results one search counts, ranks and pages through: beyond it a search says "
    "'10,000 or more' and shows the best or newest of the most recently added 10,000 "
    "(refining the search finds the rest). Higher values make broad searches slower.",
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = (
    config(
        "BALIE_STATIC_ROOT",
        "",
        "Where `balie collectstatic` puts static files for a web server to serve. "
        "Balie also serves them itself, from memory (balie.conf.staticfiles).",
    )
    or None
)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = config("BALIE_TIME_ZONE", "Europe/Amsterdam", "Time zone used in the interfaces.")
USE_TZ = True

# --- security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"  # the resident chat view relaxes this for the embed frame only
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = config(
    "BALIE_HSTS_SECONDS",
    0,
    "Strict-Transport-Security max-age in seconds, sent on HTTPS responses (0: no header). "
    "Once browsers have seen it they refuse plain HTTP to this host for that long: start "
    "small (300), then a year (31536000) when HTTPS works everywhere.",
)
# Content-Security-Policy and Permissions-Policy: balie.web.security.SecurityHeadersMiddleware

# --- logging --------------------------------------------------------------------------------
LOG_FORMAT = config("BALIE_LOG_FORMAT", "console", "Log format: 'console' or 'json'.")
LOG_LEVEL = config("BALIE_LOG_LEVEL", "INFO", "Log level of Balie's own loggers.")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
