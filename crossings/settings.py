"""One settings module for every environment, driven by environment variables.

CROSSINGS_MODE picks the environment:

- ``production`` (the default): every secret must come from the environment; HTTPS-only cookies,
  HSTS, CSP. A missing secret stops start-up with a message saying which variable to set.
- ``demo``: what ``make demo`` runs on a laptop. Secrets are generated once into ``var/`` and reused, so
  a second run reads the same encrypted data. Plain HTTP on 127.0.0.1.
- ``test``: fixed, public throw-away keys; fast password hashing.

Secure by default: forgetting to set the mode gives the strict production behaviour, not the lax one.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
import fontpkg_noto_sans_khmer
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("CROSSINGS_VAR_DIR", PROJECT_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number of at least ``minimum``; anything else stops the start with the variable's name."""
    value = env(name, str(default)).strip()
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


MODE = env("CROSSINGS_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"CROSSINGS_MODE must be production, demo or test, not {MODE!r}.")
PRODUCTION = MODE == "production"


def _demo_secrets() -> dict[str, str]:
    """Secrets for a laptop demo, created once in var/ and reused so encrypted data stays readable."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "demo-secrets.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    data = {"secret_key": secrets.token_urlsafe(50), "field_keys": Fernet.generate_key().decode()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    return data


if MODE == "production":
    missing = [n for n in ("CROSSINGS_SECRET_KEY", "CROSSINGS_FIELD_KEYS") if not env(n)]
    if missing:
        raise ImproperlyConfigured(
            "Production mode needs " + " and ".join(missing) + " in the environment. "
            "Generate field keys with `crossings generate-field-key`. "
            "For a local demo use CROSSINGS_MODE=demo (what `make demo` does)."
        )
    SECRET_KEY = env("CROSSINGS_SECRET_KEY")
    FIELD_KEYS = env_list("CROSSINGS_FIELD_KEYS")
elif MODE == "demo":
    _secrets = _demo_secrets()
    SECRET_KEY = env("CROSSINGS_SECRET_KEY") or _secrets["secret_key"]
    FIELD_KEYS = env_list("CROSSINGS_FIELD_KEYS") or [_secrets["field_keys"]]
else:  # test: public keys, never used for real data
    SECRET_KEY = "test-only-" + "x" * 50
    FIELD_KEYS = env_list("CROSSINGS_FIELD_KEYS") or ["h4Q1Wv0mR4Zl1x7d1bqvY8m3GZb3Qx2ZxY1pQm0r7Ug="]

DEBUG = env_bool("CROSSINGS_DEBUG", False)
ALLOWED_HOSTS = env_list("CROSSINGS_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production mode needs CROSSINGS_ALLOWED_HOSTS (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CROSSINGS_CSRF_TRUSTED_ORIGINS")
# The reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto are believed;
# from anyone else both headers are dropped. Empty: no proxy is trusted.
CROSSINGS_TRUSTED_PROXIES = env_list("CROSSINGS_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "crossings.accounts",
    "crossings.audit",
    "crossings.people",
    "crossings.cases",
    "crossings.legal",
    "crossings.reception",
    "crossings.calls",
    "crossings.bonds",
    "crossings.accompaniment",
    "crossings.exchange",
    "crossings.reminders",
    "crossings.outreach",
    "crossings.stats",
    "crossings.webhooks",
    "crossings.demo",
]

MIDDLEWARE = [
    # First: X-Forwarded-For / -Proto count only from CROSSINGS_TRUSTED_PROXIES.
    "crossings.accounts.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON compressed (WhiteNoise serves static files compressed already). Django's GZip adds
    # random padding against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "crossings.accounts.middleware.UserLanguageMiddleware",
    "crossings.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crossings.urls"
WSGI_APPLICATION = "crossings.wsgi.application"

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
                "crossings.accounts.context.navigation",
                "crossings.badges.badges",
                "crossings.legal.views.banner",
            ],
            # {% load places %}: a place code shown by name in the reader's language, on any app's page
            "libraries": {"places": "crossings.gazetteer_fields", "team": "crossings.team"},
        },
    }
]

# --- Database ---------------------------------------------------------------------------------------
# SQLite is a real default, tuned for several processes: WAL so readers never block the writer, a busy
# timeout instead of "database is locked", IMMEDIATE transactions so a write transaction takes the lock at
# BEGIN rather than failing half-way when it first writes.
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'crossings.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "crossings.sqlite_backend"  # writers queue on a lock file: see there
    # Tests use an in-memory database, as they would with Django's own engine name (pytest-django would
    # otherwise derive per-worker file names from NAME for an engine it does not recognise).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;PRAGMA temp_store=MEMORY;PRAGMA cache_size=-20000"
        ),
    }
    if MODE != "test":
        VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if MODE == "test":
    # Argon2 is deliberately slow; tests hash hundreds of passwords. Production is checked separately.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "crossings.accounts.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout per account (from any address), with an exponential backoff: 5 failures lock it for 1 minute,
# each further failure or lockout doubles that, up to 30 minutes (crossings/accounts/lockout.py).
AXES_FAILURE_LIMIT = int(env("CROSSINGS_LOCKOUT_FAILURES", "5"))
CROSSINGS_LOCKOUT_FIRST_MINUTES = float(env("CROSSINGS_LOCKOUT_FIRST_MINUTES", "1"))
CROSSINGS_LOCKOUT_MAX_MINUTES = float(env("CROSSINGS_LOCKOUT_MAX_MINUTES", "30"))
AXES_COOLOFF_TIME = "crossings.accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
# A try while locked is refused and counted as a lockout (doubling the lock), but does not restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "token"]
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Roles that must pass a TOTP second factor before they see anything.
TWO_FACTOR_ROLES = env_list("CROSSINGS_2FA_ROLES", "org_admin,supervisor,legal_advocate")
OTP_TOTP_ISSUER = "Crossings"
# A new user enrols an authenticator only with a one-time set-up code from an administrator; it lasts this
# many hours (`crossings user enrol USER`, or "Issue a two-factor set-up code" in the back office).
CROSSINGS_ENROLMENT_HOURS = int(env("CROSSINGS_ENROLMENT_HOURS", "72"))

# A form sent after the session ended is kept (encrypted) this long, to be shown again after the login
# (crossings/accounts/keep.py).
CROSSINGS_DRAFT_MINUTES = env_int("CROSSINGS_DRAFT_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = int(env("CROSSINGS_SESSION_SECONDS", str(8 * 3600)))  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CROSSINGS_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# No inline script, no third-party origin: everything the pages need is served from here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("km", "ខ្មែរ")]
# The project catalogue first; then Django's own messages in Khmer, kept by hand (makemessages never writes
# there), so they win over Django's incomplete Khmer catalogue.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
LANGUAGE_COOKIE_NAME = "crossings_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("CROSSINGS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The Khmer font comes from its PyPI package (with its OFL licence) and is served from here, never a CDN.
STATICFILES_DIRS = [BASE_DIR / "static", ("fonts", fontpkg_noto_sans_khmer.ROOT / "files")]
STORAGES = {
    # Uploaded files (documents, manifests, photos, consent scans): encrypted at rest, crossings/storage.py.
    "default": {"BACKEND": "crossings.storage.EncryptedFileStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if MODE == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = MODE == "test"
# Uploaded documents live outside any static root and are served only through permission-checked views.
MEDIA_ROOT = Path(env("CROSSINGS_MEDIA_ROOT", str(VAR_DIR / "private")))
# No URL serves this prefix: uploads are streamed by views that check scope and log the read. (Django needs
# some value, and the test server would otherwise serve MEDIA_ROOT under "/".)
MEDIA_URL = "/private-files-are-never-served-directly/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Every upload limit is in crossings/uploads.py; this handler, first, keeps no more of a file than the
# largest of them and refuses a request body far past it unread.
FILE_UPLOAD_HANDLERS = [
    "crossings.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email ------------------------------------------------------------------------------------------
# Never the console backend: alerts name people, and standard output is the server log. The demo writes
# mail to files in var/outbox (directory 0700, files 0600); tests keep it in memory.
EMAIL_BACKEND = env(
    "CROSSINGS_EMAIL_BACKEND",
    {
        "production": "django.core.mail.backends.smtp.EmailBackend",
        "demo": "crossings.mail.PrivateOutboxBackend",
        "test": "django.core.mail.backends.locmem.EmailBackend",
    }[MODE],
)
EMAIL_FILE_PATH = Path(env("CROSSINGS_EMAIL_OUTBOX", str(VAR_DIR / "outbox")))
EMAIL_HOST = env("CROSSINGS_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = env("CROSSINGS_FROM_EMAIL", "crossings@localhost")
# Where the site is reached, for the links in e-mails (a mail has no page to be relative to). Production:
# required and https (a deployment check, crossings/legal/checks.py).
CROSSINGS_BASE_URL = env(
    "CROSSINGS_BASE_URL",
    "" if PRODUCTION else ("http://testserver" if MODE == "test" else "http://127.0.0.1:8000"),
)

# --- Logging: no personal data, ever. Messages name ids and actions, not people. ----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env("CROSSINGS_LOG_LEVEL", "WARNING" if MODE == "test" else "INFO"),
    },
    "loggers": {
        # Axes logs user names and addresses; attempts are kept in its own table (back office), not the log.
        "axes": {"level": "ERROR"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Background work -------------------------------------------------------------------------------------
# Django's task interface (django-tasks backport) with its database backend: tasks are rows in this
# database and `crossings db_worker` runs them, so no broker is needed (make demo starts one worker beside
# gunicorn). Tests run tasks immediately, in the process that enqueued them.
TASKS = {
    "default": {
        "BACKEND": env(
            "CROSSINGS_TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if MODE == "test"
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# --- Webhooks (docs/webhooks.md) -------------------------------------------------------------------------
# In production a webhook goes over https to a public address only (no SSRF into the private network);
# tests and the demo may also send plain http to a receiver on this machine.
WEBHOOKS_LOCAL_TARGETS = env_bool("CROSSINGS_WEBHOOKS_LOCAL_TARGETS", not PRODUCTION)
# Seconds to wait for a receiver: a slow one delays the worker, never a request.
WEBHOOKS_TIMEOUT = float(env("CROSSINGS_WEBHOOKS_TIMEOUT", "5"))

# --- Crossings ------------------------------------------------------------------------------------------
API_PAGE_SIZE = 50
# Reception: follow-ups after arrival (months) and the weights of the reintegration score (see
# docs/reintegration-score.md; unlisted weights stay 1).
RECEPTION_FOLLOW_UP_MONTHS = [int(m) for m in env_list("CROSSINGS_FOLLOW_UP_MONTHS", "1,3,6,12")]
REINTEGRATION_WEIGHTS: dict[str, dict[str, float]] = {}
# axes.W006 asks for the client address in the lockout key. Keyed by address, anyone sharing the clinic's
# Wi-Fi or the reverse proxy's address could lock every colleague out, and an attacker rotating addresses
# would never be locked: the lock is per account on purpose, with a backoff (crossings/accounts/lockout.py).
SILENCED_SYSTEM_CHECKS: list[str] = ["axes.W006"]

# Detention clocks and the consular-interview alert (docs/legal-deadlines.md). The court-ordered notice
# period (e.g. Chhoeun v. Marin, C.D. Cal. No. 8:17-cv-01898) is off until set: verify the term against
# the order in force before setting it.
CROSSINGS_COURT_NOTICE_DAYS = env_int("CROSSINGS_COURT_NOTICE_DAYS", 0) or None
# N or more people of one organisation with a consular interview within the last D days (today included).
CROSSINGS_INTERVIEW_ALERT_PEOPLE = env_int("CROSSINGS_INTERVIEW_ALERT_PEOPLE", 3, minimum=1)
CROSSINGS_INTERVIEW_ALERT_DAYS = env_int("CROSSINGS_INTERVIEW_ALERT_DAYS", 14, minimum=1)
