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

WEBPUSH_ALLOWED_NETWORKS = config(
    "BALIE_WEBPUSH_ALLOWED_NETWORKS",
    [],
    "Comma-separated CIDR networks a Web Push endpoint may point into besides public addresses "
    "(a push service in your own network; 127.0.0.0/8 for a test service on this machine). "
    "Empty: public addresses only, over https.",
)
VAPID_PRIVATE_KEY = config(
    "BALIE_VAPID_PRIVATE_KEY",
    "",
    "The installation's VAPID private key for Web Push: the 32-byte P-256 private key, "
    "base64url (`balie webpush keys` makes one). Empty: a key generated once and kept in "
    "BALIE_DATA_DIR/vapid-private-key (mode 0600). Changing it ends every push subscription.",
)
VAPID_SUBJECT = config(
    "BALIE_VAPID_SUBJECT",
    "",
    "Contact the push services may use about this installation's pushes: a mailto: or "
    "https: address. Empty: BALIE_PUBLIC_URL when it is https, else mailto:webpush@localhost.",
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "balie.connectors.webpush.apps.WebPushConfig",
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
    "balie.web.second_factor.SecondFactorMiddleware",  # two-step login before the rest
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
PGBOUNCER = config(
    "BALIE_PGBOUNCER",
    False,
    "True when PostgreSQL is reached through PgBouncer in transaction pooling mode: no "
    "server-side cursors and no prepared statements, which do not survive a connection that "
    "changes between transactions. Run `balie migrate` against PostgreSQL directly "
    "(docs/operations/scale-out.md).",
)
if PGBOUNCER and _db["ENGINE"] == "django.db.backends.postgresql":
    _db["DISABLE_SERVER_SIDE_CURSORS"] = True
    _db["OPTIONS"]["prepare_threshold"] = None
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- real-time ------------------------------------------------------------------------------
REDIS_URL = config(
    "REDIS_URL",
    "",
    "Redis URL for the channel layer when running several processes. "
    "Empty: in-memory layer (one process).",
)
REDIS_PREFIX = config(
    "BALIE_REDIS_PREFIX",
    "balie",
    "Prefix of Balie's keys (rate limits, cache) and pub/sub channel (the fan-out between "
    "nodes) in Redis, so that several installations can share one Redis server.",
)
if REDIS_URL:
    # Sockets and groups per process, events between nodes over Redis pub/sub (decision 0031).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "balie.realtime.layers.RedisFanoutLayer",
            "CONFIG": {"url": REDIS_URL, "prefix": REDIS_PREFIX, "capacity": 1500, "expiry": 30},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "balie.realtime.layers.LocalChannelLayer",
            "CONFIG": {"capacity": 1500, "expiry": 30},
        }
    }

# Stopping a node (balie.ops.server): SIGTERM drains it.
DRAIN_DELAY_SECONDS = config(
    "BALIE_DRAIN_DELAY_SECONDS",
    0,
    "After SIGTERM, how long `balie serve` keeps serving while /readyz already answers 503, "
    "so a load balancer that polls it stops sending new connections (e.g. 5 behind a "
    "balancer that checks every 2 s; 0 on one server).",
)
DRAIN_SECONDS = config(
    "BALIE_DRAIN_SECONDS",
    20,
    "After that, at most how many seconds requests and sends in flight may take before they "
    "are cancelled and the node exits (sockets are closed at once with code 1012, so their "
    "pages reconnect elsewhere). Keep the service manager's stop timeout above "
    "BALIE_DRAIN_DELAY_SECONDS + BALIE_DRAIN_SECONDS (+ 30 s for an embedded worker).",
)
# Routing (conversations.actions.availability): an agent's console says it is alive every minute.
OFFLINE_AFTER_SECONDS = config(
    "BALIE_OFFLINE_AFTER_SECONDS",
    300,
    "An agent whose console has not been heard from for this many seconds gets no new "
    "conversations, and (checked every minute) is set offline: their open conversations of "
    "teams with round-robin or capacity routing go to another agent or back to the queue.",
)

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
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
    "balie.accounts.backends.PasswordBackend",  # refuses members of password-less organisations
    "balie.accounts.oidc.StaffOIDCBackend",  # an organisation's own OpenID Connect provider
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
# Two-factor (django-otp TOTP + recovery codes) and per-organisation OpenID Connect
# (mozilla-django-oidc, configured per organisation in accounts.SingleSignOn):
# docs/guides/sso-and-2fa.md, decision 0034.
TWO_FACTOR_ENFORCED = config(
    "BALIE_TWO_FACTOR_ENFORCED",
    True,
    "Require a confirmed second factor (an authenticator app's code, a recovery code, or the "
    "organisation's identity provider's MFA where trusted) from administrators, records "
    "managers, auditors and Woo coordinators before any console page, API call with the "
    "session or staff socket. Switch off only for tests; never in production.",
)
OTP_TOTP_ISSUER = config(
    "BALIE_TOTP_ISSUER",
    "Balie",
    "Name the authenticator app shows next to Balie's codes.",
)
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp: after n wrong codes, wait 2^(n-1) seconds
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_RECOVERY_CODES = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "console:sso_callback"
OIDC_TIMEOUT = config(
    "BALIE_OIDC_TIMEOUT_SECONDS",
    10,
    "Seconds Balie waits for an organisation's identity provider (discovery, keys, token).",
)
OIDC_CLOCK_SKEW_SECONDS = config(
    "BALIE_OIDC_CLOCK_SKEW_SECONDS",
    60,
    "Seconds of clock difference allowed when checking an ID token's exp, iat and nbf.",
)
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = False
OIDC_STORE_ACCESS_TOKEN = False
# Residents' optional DigiD login through the organisation's broker (accounts.residents,
# docs/guides/resident-digid.md).
RESIDENT_BSN_DIGEST_KEY = config(
    "BALIE_RESIDENT_BSN_DIGEST_KEY",
    "",
    "Key from which each organisation's key for the BSN digest (HMAC-SHA256, to find an "
    "identified resident again) is derived. Empty: derived from BALIE_SECRET_KEY. Set it to "
    "rotate the secret key without losing the link between residents and their history.",
)
RESIDENT_SESSION_IDLE_SECONDS = config(
    "BALIE_RESIDENT_SESSION_IDLE_SECONDS",
    15 * 60,
    "Seconds without activity after which a resident's DigiD login ends.",
)
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

# --- file storage (decision 0032) -------------------------------------------------------------
from balie.conf.storage import S3Options, default_storage_setting  # noqa: E402

FILE_STORAGE = config(
    "BALIE_FILE_STORAGE",
    "local",
    "Where the bytes of attachments are kept, each named after its SHA-256 and stored once: "
    "`local` (the folder files in BALIE_DATA_DIR) or `s3` (a private bucket of an "
    "S3-compatible object store: AWS S3, MinIO, Ceph, …; see the BALIE_S3_* settings). "
    "Several nodes need `s3` (or one shared folder).",
)
FILE_DOWNLOADS = config(
    "BALIE_FILE_DOWNLOADS",
    "stream",
    "How a permitted download is answered: `stream` (Balie sends the bytes) or `signed` "
    "(with BALIE_FILE_STORAGE=s3 only: a redirect to a link to the object store, signed for "
    "BALIE_SIGNED_URL_SECONDS; the store must then be reachable from browsers). The "
    "permission check and the audit record come first either way.",
)
SIGNED_URL_SECONDS = config(
    "BALIE_SIGNED_URL_SECONDS",
    60,
    "How long a signed download link is valid, in seconds (BALIE_FILE_DOWNLOADS=signed). "
    "Anyone holding the link can fetch the file until then: keep it short.",
)
S3_BUCKET = config("BALIE_S3_BUCKET", "", "Bucket for BALIE_FILE_STORAGE=s3 (private).")
S3_PREFIX = config(
    "BALIE_S3_PREFIX",
    "",
    "Key prefix in the bucket (e.g. `utrecht-prod/`), so that one bucket can serve several "
    "installations.",
)
S3_ENDPOINT_URL = config(
    "BALIE_S3_ENDPOINT_URL",
    "",
    "Address of an S3-compatible store other than AWS (e.g. `https://minio.example.nl:9000`). "
    "Empty: AWS S3 in BALIE_S3_REGION.",
)
S3_PUBLIC_ENDPOINT_URL = config(
    "BALIE_S3_PUBLIC_ENDPOINT_URL",
    "",
    "With BALIE_FILE_DOWNLOADS=signed: the store's address as browsers reach it, when that "
    "differs from BALIE_S3_ENDPOINT_URL (links are signed for it). Empty: the same.",
)
S3_REGION = config("BALIE_S3_REGION", "", "Region of the bucket (e.g. `eu-central-1`).")
S3_ACCESS_KEY_ID = config(
    "BALIE_S3_ACCESS_KEY_ID",
    "",
    "Access key for the bucket. Empty: boto3's standard chain (AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the instance's or pod's role).",
)
S3_SECRET_ACCESS_KEY = config(
    "BALIE_S3_SECRET_ACCESS_KEY", "", "Secret of BALIE_S3_ACCESS_KEY_ID (set both or neither)."
)
S3_ADDRESSING_STYLE = config(
    "BALIE_S3_ADDRESSING_STYLE",
    "",
    "`path` (bucket in the path) or `virtual` (bucket in the host name). Empty: `path` with "
    "BALIE_S3_ENDPOINT_URL, `virtual` for AWS.",
)
S3_VERIFY_TLS = config(
    "BALIE_S3_VERIFY_TLS", True, "Check the store's TLS certificate. Turn off only for tests."
)
S3_CA_BUNDLE = config(
    "BALIE_S3_CA_BUNDLE",
    "",
    "Path of a CA bundle (PEM) for a store with a certificate of the municipality's own CA.",
)
S3_SSE = config(
    "BALIE_S3_SSE",
    "",
    "Server-side encryption asked for every object: `AES256` (keys managed by the store) or "
    "`aws:kms` (with BALIE_S3_SSE_KMS_KEY_ID). Empty: the bucket's default encryption.",
)
S3_SSE_KMS_KEY_ID = config(
    "BALIE_S3_SSE_KMS_KEY_ID", "", "KMS key for BALIE_S3_SSE=aws:kms. Empty: the store's default."
)
S3_CONNECT_TIMEOUT = config(
    "BALIE_S3_CONNECT_TIMEOUT", 5, "Seconds to wait for a connection to the store."
)
S3_READ_TIMEOUT = config(
    "BALIE_S3_READ_TIMEOUT", 30, "Seconds to wait for the store's answer on a connection."
)
S3_MAX_ATTEMPTS = config(
    "BALIE_S3_MAX_ATTEMPTS",
    3,
    "Attempts per request to the store (the first included) before an upload or download "
    "fails (a server error, logged with the endpoint and bucket).",
)
STORAGES = {
    "default": default_storage_setting(
        FILE_STORAGE,
        location=str(DATA_DIR / "files"),
        downloads=FILE_DOWNLOADS,
        s3=S3Options(
            bucket=S3_BUCKET,
            endpoint_url=S3_ENDPOINT_URL,
            public_endpoint_url=S3_PUBLIC_ENDPOINT_URL,
            region=S3_REGION,
            access_key_id=S3_ACCESS_KEY_ID,
            secret_access_key=S3_SECRET_ACCESS_KEY,
            prefix=S3_PREFIX,
            addressing_style=S3_ADDRESSING_STYLE,
            verify_tls=S3_VERIFY_TLS,
            ca_bundle=S3_CA_BUNDLE,
            sse=S3_SSE,
            sse_kms_key_id=S3_SSE_KMS_KEY_ID,
            connect_timeout=S3_CONNECT_TIMEOUT,
            read_timeout=S3_READ_TIMEOUT,
            max_attempts=S3_MAX_ATTEMPTS,
        ),
    ),
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
METRICS_TOKEN = config(
    "BALIE_METRICS_TOKEN",
    "",
    "Bearer token Prometheus sends to read /metrics (`Authorization: Bearer <token>`); a "
    "long random string, e.g. `openssl rand -hex 32`. Empty: /metrics is off (404).",
)
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
