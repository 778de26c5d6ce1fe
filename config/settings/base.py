"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

# --- tenancy ---------------------------------------------------------------------------------
# Apps whose tables live in the public schema only (tenant registry, operators).
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "console",
    "daphne",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "accounts",
    "allauth",
    "allauth.account",
]
# Apps whose tables exist once per tenant schema. Users, sessions and allauth live here, so a
# tenant's accounts and logins never exist on another tenant's domain.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.sites",
    "accounts",
    "allauth",
    "allauth.account",
    "realtime",
    "school",
    "clinic",
    "people",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
# New tenants are made from this pre-migrated schema (tenants.schema_script replays its DDL,
# rendered by pg_dump; a fraction of a second instead of a full migrate, at any tenant count).
TENANT_BASE_SCHEMA = "aviso_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# The pg_dump that renders it: PostgreSQL's client of the server's major version or newer.
TENANT_PG_DUMP = env("AVISO_PG_DUMP", default="pg_dump")
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "config.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files on any host, whatever the database and the tenant: the stylesheet of the
    # error pages (unknown host, suspended tenant, database outage) must load on their host.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that queries: PostgreSQL down means a 503 page, never a 500.
    "config.outage.DatabaseOutageMiddleware",
    "tenants.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: a signed-in user's own language comes first.
    "accounts.language.LanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.language.page_locale",
                "tenants.context_processors.tenant",
                "realtime.context_processors.realtime",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer fails a request in seconds (then the 503 page), not after
# the kernel's TCP timeout of minutes.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
    "DATABASE_CONNECT_TIMEOUT", default=3
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: cache, channel layer, celery broker ---------------------------------------------
REDIS_URL = env("REDIS_URL")
# Every Redis key this deployment writes starts with this, so runs (and test runs) never mix.
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="aviso")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX,
        # Tenant-aware keys: one tenant's cached values are never read on another's domain.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    # redis-py closes idle sockets and caps its async pool (channels_redis#422):
                    # bounded timeouts and an explicit pool size instead of the defaults.
                    "socket_timeout": 10,
                    "socket_connect_timeout": 5,
                    "socket_keepalive": True,
                    "health_check_interval": 15,
                    # No retry_on_timeout: a retried read can swallow the cancellation of a
                    # closing consumer (seen as event loops that never finished shutting down).
                    "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=200),
                }
            ],
            "prefix": f"{REDIS_KEY_PREFIX}:asgi",
            # Over capacity channels-redis drops silently; the database is the record and
            # clients catch up by sequence number, but a roomier buffer keeps the fast path fast.
            "capacity": 1000,
            "channel_capacity": {"http.request": 200, "websocket.send*": 200},
            "expiry": 60,
            # Groups expire after this long without a refresh; consumers re-join on every
            # connect, so a long-lived socket must outlive it (see realtime.consumers).
            "group_expiry": 86400,
        },
    }
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:",
    # How long an unacknowledged task waits before another worker gets it (after a worker
    # died mid-task). Must exceed CELERY_TASK_TIME_LIMIT, or running tasks are handed out twice.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:"}
# A worker acknowledges a task when it is done and reserves one message per process: it never
# holds a batch of other tenants' tasks behind a slow one (they stay in the queue for any free
# process), and a task lost with its worker is delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task unless
# told to reuse it: each task paid a new PostgreSQL connection (a backend forked, Django's
# session set up) on the CPU the sockets deliver with (bench/README.md, "Publishing from
# Celery"). Reused for this many tasks, then closed and opened afresh, as CONN_MAX_AGE
# recycles a web process's. One broken meanwhile (a PostgreSQL restart) fails its task, which
# retries on a new connection (config/celery.py DatabaseRetryTask); tenant-schemas-celery
# sets each task's schema on it, whatever the last task's was (tests/config/test_celery_db.py).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=500)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 600
# Each tenant's run of a beat job (tenants.tasks.fan_out_to_tenants) is interrupted after the
# soft limit (SoftTimeLimitExceeded inside the task: it stops between two committed items) and
# its process killed after the hard one, so one tenant's stuck run cannot hold a worker process
# while a thousand other tenants wait. Well under the reminders' 15-minute interval; the next
# run picks up where it stopped (the jobs are idempotent). Enforced by the prefork pool.
AVISO_TENANT_TASK_SOFT_TIME_LIMIT = env.int("AVISO_TENANT_TASK_SOFT_TIME_LIMIT", default=240)
AVISO_TENANT_TASK_TIME_LIMIT = env.int("AVISO_TENANT_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"  # a path, not a name: the public site and tenants have different URLconfs
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# "none" for invited people and operators; a clinic's patients who sign up themselves must
# verify their address before they can sign in (people.adapter.SignUpVerificationStage).
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "people.adapter.TenantAccountAdapter"
# "Change e-mail address" on the account page: the new address replaces the old one once the
# link sent to it is opened.
ACCOUNT_CHANGE_EMAIL = True
# A patient signing up on a clinic gives their name too.
ACCOUNT_SIGNUP_FORM_CLASS = "people.sign_up_form.PatientSignUpForm"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Aviso <no-reply@aviso.localhost>")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- languages, formats, time zones ----------------------------------------------------------
# Every page, e-mail and notification is in one of these (accounts/language.py picks which:
# the user's own choice, else the tenant's default; Accept-Language for anonymous pages).
LANGUAGES = [("en", "English"), ("es-mx", "Español (México)")]
LANGUAGE_CODE = "en"
USE_I18N = True
# Catalogues: locale/es_MX/LC_MESSAGES/django.po and djangojs.po. The .mo files are built by
# ./run, ./run-tests, .ci/run and the image (`manage.py compilemessages`), never committed.
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date, one date-time and one time format per language (config/formats/<locale>/).
FORMAT_MODULE_PATH = "config.formats"
# Off on purpose: with it on, every number a template prints gets the separator, ids and seqs
# in links, data- attributes, form values and scripts included ("1,234" from id 1000 on, which
# the page's own forms then refuse). Amounts are grouped by |money, other figures people read
# by |number ({% load aviso_format %}), both with the language's separators.
USE_THOUSAND_SEPARATOR = False
# Pages show times in the tenant's zone (Tenant.timezone, activated per request); the public
# site and everything stored are UTC.
TIME_ZONE = "UTC"
USE_TZ = True
# A refused form token gets the product's styled 403 (config.errors), not Django's own page.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- static ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- product ---------------------------------------------------------------------------------
# Scheme used in links we send by e-mail (invitations, password resets).
AVISO_URL_SCHEME = env("AVISO_URL_SCHEME", default="https")
# Port appended to tenant links in e-mails and printed URLs ("" in production behind :443).
AVISO_PUBLIC_PORT = env("AVISO_PUBLIC_PORT", default="")
# Domain of the operators' public site.
AVISO_PUBLIC_DOMAIN = env("AVISO_PUBLIC_DOMAIN", default="localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            # A refused request (403, 400) is the client's mistake: one line, no traceback.
            "filters": ["client_errors_plain"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "filters": {"client_errors_plain": {"()": "config.logging.ClientErrorsWithoutTraceback"}},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- real-time sockets -----------------------------------------------------------------------
AVISO_WS_RATE_PER_SECOND = env.float("AVISO_WS_RATE_PER_SECOND", default=10.0)
AVISO_WS_RATE_BURST = env.int("AVISO_WS_RATE_BURST", default=30)
# Messages refused for rate before the socket is closed (4429).
AVISO_WS_FLOOD_STRIKES = env.int("AVISO_WS_FLOOD_STRIKES", default=50)
# Notification catalogues beyond each app's own `notifications` module (tests, benchmarks).
AVISO_EXTRA_NOTIFICATION_MODULES: list[str] = env.list(
    "AVISO_EXTRA_NOTIFICATION_MODULES", default=[]
)
# How often each process checks the database for notifications Redis did not bring to its
# sockets (one query per tenant with sockets on the process, whatever their number).
AVISO_WS_RESYNC_SECONDS = env.float("AVISO_WS_RESYNC_SECONDS", default=30.0)
# Live events a process may have waiting for its sockets; beyond that it drops them (like the
# channel layer's capacity) and its sockets catch up from the database instead.
AVISO_HUB_CAPACITY = env.int("AVISO_HUB_CAPACITY", default=1000)
# Threads (each with its own DB connection) that run the sockets' database calls.
AVISO_WS_DB_THREADS = env.int("AVISO_WS_DB_THREADS", default=4)
# Connections per Daphne process for the reads a socket makes as it opens (realtime.socket_sql).
AVISO_WS_DB_CONNECTIONS = env.int("AVISO_WS_DB_CONNECTIONS", default=4)
# Presence: each live socket refreshes its entry this often; entries older than the TTL
# (0 means three heartbeats) are gone, so a dead process's users drop out by themselves.
AVISO_PRESENCE_HEARTBEAT_SECONDS = env.float("AVISO_PRESENCE_HEARTBEAT_SECONDS", default=15.0)
AVISO_PRESENCE_TTL_SECONDS = env.float("AVISO_PRESENCE_TTL_SECONDS", default=0.0)

# --- operators' console ----------------------------------------------------------------------
# Bearer token for Prometheus scrapers of /metrics (empty: only signed-in operators).
AVISO_METRICS_TOKEN = env("AVISO_METRICS_TOKEN", default="")
AVISO_MONITOR_SECONDS = env.float("AVISO_MONITOR_SECONDS", default=2.0)
AVISO_OPERATOR_SESSION_CHECK_SECONDS = env.float(
    "AVISO_OPERATOR_SESSION_CHECK_SECONDS", default=10.0
)

# Beat fans each job out to every active tenant of a kind (tenants.tasks.fan_out_to_tenants),
# so each run happens inside that tenant's schema.
CELERY_BEAT_SCHEDULE = {
    "school-invoices-daily": {
        "task": "tenants.tasks.fan_out_to_tenants",
        "schedule": env.float("AVISO_INVOICES_EVERY_SECONDS", default=24 * 3600),
        "kwargs": {"kind": "school", "task_name": "school.tasks.invoices_daily"},
    },
    "clinic-appointment-reminders": {
        "task": "tenants.tasks.fan_out_to_tenants",
        "schedule": env.float("AVISO_REMINDERS_EVERY_SECONDS", default=15 * 60),
        "kwargs": {"kind": "clinic", "task_name": "clinic.tasks.appointment_reminders"},
    },
}
