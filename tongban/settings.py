"""Tongban settings: one module, driven by environment variables (12-factor).

Every knob is read here and nowhere else. Defaults are safe for the demo (SQLite in
``var/``); production sets ``TONGBAN_PRODUCTION=1`` and must then provide a real
``SECRET_KEY``, ``ALLOWED_HOSTS`` and key material (``manage.py check --deploy``
is clean in that mode).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


PRODUCTION = env_bool("TONGBAN_PRODUCTION")
DEBUG = env_bool("TONGBAN_DEBUG", default=False)
TESTING = env_bool("TONGBAN_TESTING", default="pytest" in sys.modules)
# Demo mode enables the demo accounts and their login hints; never in production.
DEMO_MODE = env_bool("TONGBAN_DEMO") and not PRODUCTION
TONGBAN_NODE = os.environ.get("TONGBAN_NODE", "single")

_INSECURE_DEV_KEY = "tongban-insecure-development-key-do-not-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _INSECURE_DEV_KEY)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set in production (TONGBAN_PRODUCTION=1).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The top layer first: its templates (base layout, error pages) are the ones used.
    "tongban.site",
    "tongban.core",
    "tongban.accounts",
    "tongban.audit",
    "tongban.workcalendar",
    "tongban.dictionaries",
    "tongban.catalog",
    "tongban.cases",
    "tongban.notify",
    "tongban.supervision",
    "tongban.reports",
    "tongban.documents",
    "tongban.portal",
    "tongban.bulletin",
    "tongban.mail",
    "tongban.citizens",
    "tongban.qa",
    "tongban.ratings",
    "tongban.partners",
    "tongban.accounts.admin_site.TongbanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongban.core.middleware.ContentSecurityPolicyMiddleware",
    "tongban.core.middleware.RequestContextMiddleware",
    "tongban.core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tongban.citizens.middleware.CitizenMiddleware",
    "tongban.accounts.middleware.SessionLifetimeMiddleware",
    "tongban.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tongban.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite (embedded default) runs in WAL mode with IMMEDIATE transactions so that a
# writer takes the write lock at BEGIN instead of failing with "database is locked"
# halfway through a business action.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the statistics are large single statements that the cost
    # model would compile, and compiling took longer than running them (1.3 s of 1.4 s
    # for a year of 1,000,000 cases); the rest of the workload is short OLTP queries.
    session_options = ["-c jit=off"]
    if TESTING:
        # The test runner empties tables between transactional tests; the audit log's
        # trigger refuses TRUNCATE unless the session says so (see audit migration 0004).
        session_options.append("-c tongban.audit_allow_truncate=on")
    DATABASES["default"]["OPTIONS"] = {"options": " ".join(session_options)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache and background work --------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def _test_cache_url(url: str) -> str:
    """Under the test runner, each worker's cache in a Redis database of its own (1,
    2, …; the queue keeps the URL's): tests empty the cache between them, and
    Redis empties a whole database, which must not take another worker's cache or a
    job queued for the worker process with it."""
    from urllib.parse import urlsplit, urlunsplit

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{1 + int(worker or 0)}"))


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _test_cache_url(REDIS_URL) if TESTING else REDIS_URL,
            "KEY_PREFIX": os.environ.get("TONGBAN_CACHE_PREFIX", "tongban"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Huey: embedded SQLite storage by default, Redis to scale out (several workers).
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("TONGBAN_HUEY_NAME", "tongban"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("TONGBAN_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": os.environ.get("TONGBAN_HUEY_NAME", "tongban"),
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("TONGBAN_WORKERS", 2), "worker_type": "thread"},
    }
if TESTING and not env_bool("TONGBAN_TEST_REAL_QUEUE"):
    HUEY["immediate"] = True

# --- Identity -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Usernames match regardless of case through the user manager's natural key.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING and not env_bool("TONGBAN_TEST_REAL_HASHER"):
    # Tests hash thousands of passwords; one test checks the production setting.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("TONGBAN_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "tongban.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "tongban.accounts.passwords.CharacterClassValidator"},
    {"NAME": "tongban.accounts.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
TONGBAN_PASSWORD_MAX_AGE_DAYS = env_int("TONGBAN_PASSWORD_MAX_AGE_DAYS", 90)  # 0 disables
TONGBAN_LOCKOUT_THRESHOLD = env_int("TONGBAN_LOCKOUT_THRESHOLD", 5)
TONGBAN_LOCKOUT_MINUTES = env_int("TONGBAN_LOCKOUT_MINUTES", 30)
TONGBAN_DORMANT_DAYS = env_int("TONGBAN_DORMANT_DAYS", 90)
TONGBAN_SESSION_ABSOLUTE_HOURS = env_int("TONGBAN_SESSION_ABSOLUTE_HOURS", 12)

# Citizen accounts of the portal (citizens app): SMS verification codes and the
# public progress query's rate limit (0 turns it off, e.g. for the benchmark).
TONGBAN_CITIZEN_CODE_MINUTES = env_int("TONGBAN_CITIZEN_CODE_MINUTES", 10)
TONGBAN_CITIZEN_CODE_ATTEMPTS = env_int("TONGBAN_CITIZEN_CODE_ATTEMPTS", 5)
TONGBAN_CITIZEN_CODE_RESEND_SECONDS = env_int("TONGBAN_CITIZEN_CODE_RESEND_SECONDS", 60)
TONGBAN_CITIZEN_CODES_PER_MOBILE_DAY = env_int("TONGBAN_CITIZEN_CODES_PER_MOBILE_DAY", 10)
TONGBAN_CITIZEN_CODES_PER_IP_DAY = env_int("TONGBAN_CITIZEN_CODES_PER_IP_DAY", 30)
TONGBAN_PROGRESS_RATE_LIMIT = env_int("TONGBAN_PROGRESS_RATE_LIMIT", 10)  # queries per IP
TONGBAN_PROGRESS_RATE_WINDOW = env_int("TONGBAN_PROGRESS_RATE_WINDOW", 60)  # seconds
# Per-citizen limits (security.md): open drafts, applications a day; questions and
# ratings a day (per mobile or account), questions an hour per IP.
TONGBAN_CITIZEN_MAX_DRAFTS = env_int("TONGBAN_CITIZEN_MAX_DRAFTS", 20)
TONGBAN_CITIZEN_MAX_APPLICATIONS_PER_DAY = env_int("TONGBAN_CITIZEN_MAX_APPLICATIONS_PER_DAY", 10)
TONGBAN_QA_DAILY_LIMIT = env_int("TONGBAN_QA_DAILY_LIMIT", 5)
TONGBAN_QA_IP_HOURLY_LIMIT = env_int("TONGBAN_QA_IP_HOURLY_LIMIT", 20)
TONGBAN_RATING_DAILY_LIMIT = env_int("TONGBAN_RATING_DAILY_LIMIT", 10)
# Working days to answer a question, and to follow up a bad rating.
TONGBAN_QA_LIMIT_DAYS = env_int("TONGBAN_QA_LIMIT_DAYS", 5)
TONGBAN_RATING_FOLLOW_UP_DAYS = env_int("TONGBAN_RATING_FOLLOW_UP_DAYS", 5)
# A plain primary-key view beside the progress query, for `python -m bench portal` only.
TONGBAN_BENCH_VIEWS = env_bool("TONGBAN_BENCH_VIEWS")

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("TONGBAN_SESSION_IDLE_MINUTES", 30) * 60  # idle timeout
SESSION_SAVE_EVERY_REQUEST = True  # sliding idle window
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The refused form in the layout and language of its part of the site, not Django's page.
CSRF_FAILURE_VIEW = "tongban.site.errors.csrf_failure"

# Encryption of personal data at rest (security.md "Data"). Keys come only from the
# environment; the demo/test default is a fixed development key.
TONGBAN_DATA_KEY = os.environ.get(
    "TONGBAN_DATA_KEY", "" if PRODUCTION else "00112233445566778899aabbccddeeff"
)
TONGBAN_INDEX_KEY = os.environ.get("TONGBAN_INDEX_KEY", "" if PRODUCTION else SECRET_KEY)
TONGBAN_AUDIT_KEY = os.environ.get("TONGBAN_AUDIT_KEY", "" if PRODUCTION else SECRET_KEY)
if PRODUCTION and not (TONGBAN_DATA_KEY and TONGBAN_INDEX_KEY and TONGBAN_AUDIT_KEY):
    raise RuntimeError("TONGBAN_DATA_KEY, TONGBAN_INDEX_KEY and TONGBAN_AUDIT_KEY must be set.")
TONGBAN_AUDIT_RETENTION_DAYS = max(180, env_int("TONGBAN_AUDIT_RETENTION_DAYS", 180))
TONGBAN_AUDIT_CHECKPOINT_EVERY = env_int("TONGBAN_AUDIT_CHECKPOINT_EVERY", 1000)

# --- Working days ---------------------------------------------------------------
TONGBAN_WARN_DAYS = env_int("TONGBAN_WARN_DAYS", 2)
TONGBAN_RED_AFTER_DAYS = env_int("TONGBAN_RED_AFTER_DAYS", 3)
# Automatic urging of an overdue step: "daily" (each working day it stays overdue) or
# "once".
TONGBAN_URGE_MODE = os.environ.get("TONGBAN_URGE_MODE", "daily")
# How often a process re-reads the calendar's version (another process may have edited
# the holidays). Tests pin it: a version check in the middle of a page would change the
# page's query count, and every calendar edit invalidates this process's copy anyway.
TONGBAN_CALENDAR_CHECK_SECONDS = float(
    os.environ.get("TONGBAN_CALENDAR_CHECK_SECONDS", "3600" if TESTING else "1")
)
# Cases the demo simulates on its first start (a few in the tests' demo loads).
TONGBAN_DEMO_CASES = env_int("TONGBAN_DEMO_CASES", 40 if TESTING else 400)
# Case numbers: TS-2026-SCJG-000123.
TONGBAN_CASE_PREFIX = os.environ.get("TONGBAN_CASE_PREFIX", "TS")
# Working days the applicant's pledge (容缺受理) may run at most.
TONGBAN_PLEDGE_MAX_DAYS = env_int("TONGBAN_PLEDGE_MAX_DAYS", 20)

# Notifications (docs/notifications.md): one backend per channel ("*" for the rest);
# the console backend logs. Real ones: tongban.notify.backends.smpp.SmppBackend,
# tongban.notify.backends.http.HttpGatewayBackend, tongban.notify.backends.email.SmtpBackend.
TONGBAN_NOTIFY_BACKENDS = {
    "sms": os.environ.get("TONGBAN_SMS_BACKEND", "tongban.notify.backends.console.ConsoleBackend"),
    "email": os.environ.get(
        "TONGBAN_EMAIL_BACKEND", "tongban.notify.backends.console.ConsoleBackend"
    ),
    "*": "tongban.notify.backends.console.ConsoleBackend",
}
# Retries: exponential backoff from one minute, capped; a message still failing after
# GIVE_UP_HOURS (or MAX_ATTEMPTS tries) fails for good and the system administrators
# are told.
TONGBAN_NOTIFY_MAX_ATTEMPTS = env_int("TONGBAN_NOTIFY_MAX_ATTEMPTS", 20)
TONGBAN_NOTIFY_GIVE_UP_HOURS = env_int("TONGBAN_NOTIFY_GIVE_UP_HOURS", 4)
TONGBAN_NOTIFY_BACKOFF_CAP_MINUTES = env_int("TONGBAN_NOTIFY_BACKOFF_CAP_MINUTES", 30)
# Staff with an e-mail address also get their notifications by e-mail.
TONGBAN_NOTIFY_EMAIL = env_bool("TONGBAN_NOTIFY_EMAIL", True)
# Dispatch right after commit (through the worker queue); off for bulk simulation.
TONGBAN_OUTBOX_EAGER = env_bool("TONGBAN_OUTBOX_EAGER", True)
# SMS: at most this many per mobile number per local day; none to citizens in quiet hours.
TONGBAN_SMS_DAILY_CAP = env_int("TONGBAN_SMS_DAILY_CAP", 20)
TONGBAN_SMS_QUIET_HOURS = os.environ.get("TONGBAN_SMS_QUIET_HOURS", "21:00-08:00")
# Citizen SMS the citizen is waiting for right now (a verification code) ignore them.
TONGBAN_SMS_QUIET_EXEMPT = env_list("TONGBAN_SMS_QUIET_EXEMPT", "citizen_verification")
TONGBAN_SMPP_HOST = os.environ.get("TONGBAN_SMPP_HOST", "127.0.0.1")
TONGBAN_SMPP_PORT = env_int("TONGBAN_SMPP_PORT", 2775)
TONGBAN_SMPP_SYSTEM_ID = os.environ.get("TONGBAN_SMPP_SYSTEM_ID", "")
TONGBAN_SMPP_PASSWORD = os.environ.get("TONGBAN_SMPP_PASSWORD", "")
TONGBAN_SMPP_SOURCE_ADDR = os.environ.get("TONGBAN_SMPP_SOURCE_ADDR", "")
TONGBAN_SMPP_TIMEOUT = env_int("TONGBAN_SMPP_TIMEOUT", 10)
TONGBAN_SMS_HTTP_URL = os.environ.get("TONGBAN_SMS_HTTP_URL", "")
TONGBAN_SMS_HTTP_SECRET = os.environ.get("TONGBAN_SMS_HTTP_SECRET", "")
TONGBAN_SMS_HTTP_TIMEOUT = env_int("TONGBAN_SMS_HTTP_TIMEOUT", 10)
# Outgoing mail (Django's SMTP backend reads these).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tongban@localhost")

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tongban" / "locale"]
# Django's own Chinese for these reads wrongly ("不允许是用空字符串"); the project
# catalogue in LOCALE_PATHS comes first and says it right.
DJANGO_MESSAGES_CORRECTED = [_("Null characters are not allowed.")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Third-party front-end assets are installed from the npm registry at set-up
# (package.json); nothing third-party is committed.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/quill", NODE_MODULES / "quill" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploaded files live outside any web root and are only served through access checks.
MEDIA_ROOT = Path(os.environ.get("TONGBAN_MEDIA_ROOT", VAR_DIR / "files"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Web security --------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("TONGBAN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Client IP: only trust X-Forwarded-For when a reverse proxy is configured to set it.
TONGBAN_TRUSTED_PROXY_COUNT = env_int("TONGBAN_TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGBAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # run_huey adds its own handler; without this every worker line prints twice.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Internal mail: the default mailbox quota per user (MB); the system administrator
# may set per-user overrides.
TONGBAN_MAIL_QUOTA_MB = env_int("TONGBAN_MAIL_QUOTA_MB", 200)

SITE_NAME = _("Tongban e-government platform")
CITY_NAME = os.environ.get("TONGBAN_CITY_NAME", "天水市")
