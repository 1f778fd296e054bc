"""Settings, all read from the environment (django-environ); the defaults give the embedded mode."""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="embedded-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# The https origin Twilio calls: webhook signatures are computed over it and
# status-callback URLs are built from it.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "compliance_center",
    "workspaces",
    "optout",
    "messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "compliance_center.middleware.ApiJsonErrorsMiddleware",
    "compliance_center.middleware.RejectNulInQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workspaces.middleware.CurrentWorkspaceMiddleware",
    # Last: turns a login refused by axes into the lockout page (workspaces/login_throttle.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compliance_center.urls"

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
                "workspaces.context_processors.workspace",
            ],
        },
    },
]

WSGI_APPLICATION = "compliance_center.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections: a one-INSERT view went from ~230 to ~2000 requests/s with them.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # Server-side binding, and each connection prepares a statement it has run 5 times: a hot
    # query is planned once per connection, not per call (the block check: 0.44 -> 0.08 ms at
    # 1M contacts; docs/decisions/0003-prepared-statements.md). Set DB_PREPARED_STATEMENTS=false
    # behind a pooler in transaction mode that cannot keep prepared statements (PgBouncer < 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling (django-axes, workspaces/login_throttle.py): LOGIN_FAILURE_LIMIT wrong passwords
# lock that account from that address (both together) for LOGIN_COOLOFF_MINUTES, on /login/ and
# /admin/ alike. Behind reverse proxies, TRUSTED_PROXY_COUNT says how many append to
# X-Forwarded-For; 0 (default) ignores the header (compliance_center/client_ip.py).
AUTHENTICATION_BACKENDS = [
    "workspaces.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_COOLOFF_MINUTES = max(1, env.int("LOGIN_COOLOFF_MINUTES", default=15))
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "workspaces.login_throttle.username_of"
AXES_LOCKOUT_CALLABLE = "workspaces.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "compliance_center.client_ip.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# "Create an account" on the login page: anyone may sign up and get a workspace of their own.
# Off, accounts come only from invitations (and `create_workspace`).
SIGNUP_ENABLED = env.bool("SIGNUP_ENABLED", default=True)

# Email (invitations, password resets): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.example.com:587 ; the default prints emails on the console.
vars().update(
    {k: v for k, v in env.email_url("EMAIL_URL", default="consolemail://").items() if v is not None}
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Compliance Center <no-reply@localhost>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, not manifest-hashed: pages work without a collectstatic step (make run, tests);
    # production images still run collectstatic so whitenoise serves from STATIC_ROOT.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Fernet key for the Twilio auth tokens stored in the database. The embedded mode derives one
# from SECRET_KEY; production sets FIELD_ENCRYPTION_KEY (Fernet.generate_key()).
FIELD_ENCRYPTION_KEY = env(
    "FIELD_ENCRYPTION_KEY",
    default=base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode(),
)

# SMS delivery: "simulator" keeps messages in the database (embedded mode), "twilio" sends them.
SMS_BACKEND = env("SMS_BACKEND", default="simulator")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="https://api.twilio.com").rstrip("/")
# Phone simulator page: embedded mode and DEBUG only, never in production.
SIMULATOR_ENABLED = env.bool("SIMULATOR_ENABLED", default=SMS_BACKEND == "simulator")
# Retries of a send that failed with a transient provider error: attempts, and the base of the
# exponential backoff in whole seconds (Celery's retry_backoff; each wait is jittered).
SEND_MAX_RETRIES = env.int("SEND_MAX_RETRIES", default=5)
SEND_RETRY_BACKOFF = max(1, env.int("SEND_RETRY_BACKOFF", default=2))
# Pacing (messaging/pacing.py): every send from a number waits for a slot of its
# messages_per_second in Redis; a slot further than PACING_MAX_WAIT_SECONDS away re-queues the
# send instead of holding a worker. Off without Redis (embedded mode: the simulator).
SEND_PACING = env.bool("SEND_PACING", default=True)
PACING_MAX_WAIT_SECONDS = env.float("PACING_MAX_WAIT_SECONDS", default=1.0)
# Broadcasts: chains of dispatch steps per sending broadcast (each hands over recipients the
# others have not locked; messaging/broadcasts/services.py).
BROADCAST_STEP_CHAINS = env.int("BROADCAST_STEP_CHAINS", default=2)
# Imports (optout/imports/): uploads are stored under IMPORT_DIR (a volume every web and worker
# process shares) and read by a task, IMPORT_SLICE_SECONDS at a time (then it queues itself
# again); larger files than IMPORT_MAX_BYTES are refused.
IMPORT_DIR = env("IMPORT_DIR", default=str(BASE_DIR / "var" / "imports"))
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=512 * 2**20)
IMPORT_SLICE_SECONDS = env.float("IMPORT_SLICE_SECONDS", default=60.0)
# An inbound row or queued message left unprocessed this long is re-queued by the sweeper.
SWEEP_AFTER_SECONDS = env.int("SWEEP_AFTER_SECONDS", default=60)
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=30.0)
# An inbound text that failed this many times is a dead letter (shown to people, left alone by
# the sweeper); between attempts the sweeper waits SWEEP_AFTER_SECONDS x 1, 2, 4 … 64.
INBOUND_MAX_ATTEMPTS = env.int("INBOUND_MAX_ATTEMPTS", default=8)
# Keyword texts (STOP, START, HELP…) are processed inside the webhook request; a lock wait longer
# than this hands the text to the `keywords` queue instead (messaging.services.inbound_receive).
KEYWORD_INLINE_LOCK_WAIT_MS = env.int("KEYWORD_INLINE_LOCK_WAIT_MS", default=2000)

# CRM webhook endpoints (optout/url_rules.py, crm_http.py): in production only https URLs whose
# host resolves to public internet addresses, checked at creation and again at each delivery on
# the address connected to. True allows http and loopback/private addresses (embedded mode, tests).
CRM_ALLOW_PRIVATE_URLS = env.bool("CRM_ALLOW_PRIVATE_URLS", default=DEBUG)

# Celery: Redis when REDIS_URL is set, otherwise the embedded filesystem broker.
# Per-process caches of number owners, API tokens and keyword routing (compliance_center/
# process_cache.py): how long another process may serve a row changed elsewhere. 0 disables.
PROCESS_CACHE_SECONDS = env.int("PROCESS_CACHE_SECONDS", default=30)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = Path(env("CELERY_FILESYSTEM_DIR", default=str(BASE_DIR / ".celery")))
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
        # The default 1 s poll makes a STOP wait twice (process, then send the confirmation).
        "polling_interval": 0.05,
    }
else:
    # Redis, through our transport subclass: it keeps a worker alive when Redis goes away
    # mid-delivery (compliance_center/broker.py explains the upstream bug it guards against).
    CELERY_BROKER_TRANSPORT = "compliance_center.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message a lost worker held comes back after this long; it must exceed the longest
        # countdown of a retry (CRM deliveries: 600 s). The rows are swept much sooner anyway.
        "visibility_timeout": 900,
        "queue_order_strategy": "priority",
        # A dead or unreachable broker is noticed at once, not after the OS connect timeout: a
        # webhook's publish gives up within this and leaves the row to the sweeper.
        "socket_connect_timeout": env.float("BROKER_CONNECT_TIMEOUT", default=0.1),
        # Longer than the consumer's 1 s BRPOP; bounds a publish to a broker that hangs.
        "socket_timeout": env.float("BROKER_SOCKET_TIMEOUT", default=5.0),
        # A pooled connection idle this long is checked before use: after a Redis restart the
        # first publish reconnects instead of failing on the stale socket.
        "health_check_interval": 10,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task unless this
# is set: a new PostgreSQL connection per task. Reuse it for this many tasks; celery.py still drops
# a broken or CONN_MAX_AGE-old connection after each task, as Django does after each request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses the broker reconnects forever (its tasks are idempotent): it never exits
# because Redis was away too long.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# On a lost connection, tasks in progress (acks_late) are cancelled and come back from the
# broker; every task here can run twice without harm (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Each worker writes its heartbeat to the database this often (compliance_center/heartbeat.py);
# /healthz/worker counts a worker alive for three of them.
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=10.0)
# Queues by urgency, consumed in this order ("priority" below): keyword texts (STOP first of
# all), other inbound texts, sends, CRM webhooks. A STOP never waits behind a campaign's replies,
# a send or a slow CRM.
# Each queue has its own exchange and routing key: bare Queue("x") objects would all be bound to
# the default exchange and key, and every task would be delivered to every queue.
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("keywords", "inbound", "outbound", "broadcasts", "webhooks", "maintenance")
)
CELERY_TASK_DEFAULT_QUEUE = "outbound"
# Every job is named in compliance_center.dispatch.Job; its queue is decided here.
CELERY_TASK_ROUTES = {
    "messaging.tasks.inbound_process": {"queue": "inbound"},
    "messaging.tasks.message_deliver": {"queue": "outbound"},
    "messaging.tasks.message_reconcile": {"queue": "outbound"},
    "messaging.tasks.double_opt_in_request_send": {"queue": "outbound"},
    "optout.tasks.consent_maintenance": {"queue": "maintenance"},
    "optout.tasks.webhook_delivery_attempt": {"queue": "webhooks"},
    "messaging.tasks.messaging_sweep": {"queue": "maintenance"},
    "optout.tasks.webhook_deliveries_sweep": {"queue": "maintenance"},
    # Broadcasts: preparing (the set-based resolution of recipients), the dispatch steps that hand
    # recipients to the send path, and imports; their sweepers.
    "messaging.tasks.broadcast_prepare": {"queue": "broadcasts"},
    "messaging.tasks.broadcast_step": {"queue": "broadcasts"},
    "optout.tasks.import_process": {"queue": "broadcasts"},
    "messaging.tasks.broadcasts_sweep": {"queue": "maintenance"},
    "optout.tasks.imports_sweep": {"queue": "maintenance"},
}
CELERY_BEAT_SCHEDULE = {
    "messaging-sweep": {
        "task": "messaging.tasks.messaging_sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "webhook-deliveries-sweep": {
        "task": "optout.tasks.webhook_deliveries_sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "consent-maintenance": {
        "task": "optout.tasks.consent_maintenance",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "broadcasts-sweep": {
        "task": "messaging.tasks.broadcasts_sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "imports-sweep": {
        "task": "optout.tasks.imports_sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
}
# No task may hang a worker process: a soft limit raises inside the task, the hard one kills it
# (its row is then swept again). The SMS and CRM calls have their own, shorter timeouts.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["workspaces.authentication.WorkspaceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "compliance_center.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "compliance_center.api_errors.exception_handler",
    # DRF's JSON parser, refusing bodies nested too deep (compliance_center/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "compliance_center.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "compliance_center.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": None,
    # `?format=csv` is ours (CSV exports), not DRF's renderer switch.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Compliance Center API",
    "DESCRIPTION": "Consent, block lists and compliant sending for shared business numbers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ from installed assets (drf-spectacular-sidecar): no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": f"/{STATIC_URL}favicon.svg",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components: `minLength` where the API refuses a blank string.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ConsentSourceEnum": "optout.models.ConsentSource.choices",
        "OptOutScopeEnum": "optout.models.OptOutScope.choices",
    },
}

# Content-Security-Policy (django-csp) on every answer: scripts, styles and everything else from
# this origin only, never inline (templates/base.html loads static/js/app.js; htmx is told not to
# inject its indicator style); no plugin, no framing, forms post only here. `data:` images are the
# icons inside Swagger UI's stylesheet (/api/docs/, served from drf-spectacular-sidecar).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

if not DEBUG:
    _https = PUBLIC_BASE_URL.startswith("https://")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_https)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Served over https (behind TLS termination that sets X-Forwarded-Proto): plain http is
    # redirected, except /healthz, which the container's health check calls on 127.0.0.1 over
    # http; and browsers are told to use https only (HSTS).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_https)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _https else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
