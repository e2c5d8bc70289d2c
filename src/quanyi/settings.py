"""Django settings. Everything an operator sets comes from QUANYI_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from quanyi import config
from quanyi.access import passwords

BASE_DIR = Path(__file__).resolve().parent
QUANYI_DATA_DIR = config.data_dir()
QUANYI_REGION = os.environ.get("QUANYI_REGION", "110000")
QUANYI_CHECKPOINT_DIR = Path(
    os.environ.get("QUANYI_CHECKPOINT_DIR", str(QUANYI_DATA_DIR / "checkpoints"))
).resolve()
# Independent copies of the checkpoint log (another disk, another host's mount), separated by
# the path separator; and the signing key when it lives outside the data dir.
QUANYI_CHECKPOINT_WITNESSES = [
    part for part in os.environ.get("QUANYI_CHECKPOINT_WITNESSES", "").split(os.pathsep) if part
]
QUANYI_SIGNING_KEY_FILE = os.environ.get("QUANYI_SIGNING_KEY_FILE", "")
# The master key of the encrypted identities (core.crypto): outside the database, mode 600;
# keep it (and its backup) apart from the database's backups.
QUANYI_DATA_KEY_FILE = Path(
    os.environ.get("QUANYI_DATA_KEY_FILE") or str(QUANYI_DATA_DIR / "data.key")
).resolve()

SECRET_KEY = config.secret_key(QUANYI_DATA_DIR)
DEBUG = os.environ.get("QUANYI_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("QUANYI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # its Swagger UI then comes from our static files, not from a CDN
    "quanyi.core",
    "quanyi.audit",
    "quanyi.registry",
    "quanyi.access",
    "quanyi.workflow",
    "quanyi.rulebook",
    "quanyi.staff",
    "quanyi.contributions",
    "quanyi.personal_accounts",
    "quanyi.benefits",
    "quanyi.reports",
    "quanyi.enrollment",
    "quanyi.disclosure",
    "quanyi.statements",
    "quanyi.portals",
    "quanyi.records",
    "quanyi.web",
    "quanyi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "quanyi.web.middleware.KeptMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "quanyi.web.middleware.ChosenLanguageMiddleware",
    # Before anything reads the body (CSRF reads a form's).
    "quanyi.web.middleware.UploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "quanyi.access.middleware.SessionLimitsMiddleware",
    "quanyi.audit.middleware.ChainGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "quanyi.access.middleware.RefusalMiddleware",
    "quanyi.web.middleware.ProblemMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quanyi.urls"
WSGI_APPLICATION = "quanyi.wsgi.application"

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
                "quanyi.web.context.navigation",
            ],
        },
    },
]


def _database(url: str) -> dict[str, Any]:
    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE: every transaction takes the write lock at BEGIN, so two writers never
        # read the same audit chain head; WAL lets readers go on meanwhile.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON;",
        }
        db["CONN_MAX_AGE"] = 0
    db["ATOMIC_REQUESTS"] = True
    return db


DATABASES = {"default": _database(config.database_url(QUANYI_DATA_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = QUANYI_DATA_DIR / "static"  # created by ``quanyi init``
WHITENOISE_USE_FINDERS = True

# --- accounts and login hardening (等级保护 level 3) ---------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Uploads through the web and the API (files given to the CLI have no limit): a whole request,
# an import file among them, at most QUANYI_MAX_UPLOAD_MB; an attachment QUANYI_MAX_ATTACHMENT_MB.
# Uploaded files above Django's in-memory size go to a temporary file, never held in memory.
QUANYI_MAX_UPLOAD_MB = int(os.environ.get("QUANYI_MAX_UPLOAD_MB", "200"))
QUANYI_MAX_ATTACHMENT_MB = int(os.environ.get("QUANYI_MAX_ATTACHMENT_MB", "20"))
DATA_UPLOAD_MAX_MEMORY_SIZE = QUANYI_MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Registry data seals this many days after it was last written (003 §5; docs/workflow.md).
QUANYI_SEAL_AFTER_DAYS = int(os.environ.get("QUANYI_SEAL_AFTER_DAYS", "30"))
# Lines per unit of work when posting a month: one transaction and one audit event each.
QUANYI_POST_UNIT_LINES = int(os.environ.get("QUANYI_POST_UNIT_LINES", "20000"))
# Beneficiaries per unit of work of a benefit payment run (``benefits.payments``).
QUANYI_PAY_UNIT = int(os.environ.get("QUANYI_PAY_UNIT", "5000"))
QUANYI_PASSWORD_POLICY = os.environ.get("QUANYI_PASSWORD_POLICY", "default")
# Enumeration stopped (001 art. 22; disclosure.limits): distinct id numbers a reader may look up
# per window, by role ("querier=100,operator=300"; unset roles keep the built-in limits), and
# how long each look-up waits once a reader is near the limit.
QUANYI_LOOKUP_LIMITS = os.environ.get("QUANYI_LOOKUP_LIMITS", "")
QUANYI_LOOKUP_WINDOW = int(os.environ.get("QUANYI_LOOKUP_WINDOW", "3600"))
QUANYI_LOOKUP_DELAY = float(os.environ.get("QUANYI_LOOKUP_DELAY", "1.0"))
AUTH_PASSWORD_VALIDATORS = passwords.validators(QUANYI_PASSWORD_POLICY)
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lockout records hold the blind index of an id number typed as a user name, never the number.
AXES_USERNAME_CALLABLE = "quanyi.core.crypto.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_TIME = None  # locked until the sysadmin unlocks (audited)
AXES_LOCKOUT_TEMPLATE = "access/locked.html"
AXES_VERBOSE = False
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = 30 * 60  # idle timeout: every request pushes expiry 30 minutes on
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
QUANYI_SESSION_ABSOLUTE_SECONDS = 12 * 3600
OTP_TOTP_ISSUER = "quanyi"
# A code taken one step early (the device's tolerance; ``demo --otp`` prints the next step's when
# this one's was used) must not move the device's clock: re-learnt each time, it would run ahead
# of the authenticator app until the app's codes fell outside it, and its last used step would
# lie in the future, which ``audit verify`` reports.
OTP_TOTP_SYNC = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "console": {"()": "quanyi.core.logs.ConsoleFilter"},
        "masking": {"()": "quanyi.core.logs.MaskingFilter"},
    },
    "formatters": {"timed": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["masking", "console"]},
        "command_line": {
            "class": "quanyi.core.logs.CommandLineFile",
            "formatter": "timed",
            "filters": ["masking"],
        },
    },
    "root": {
        "handlers": ["console", "command_line"],
        "level": os.environ.get("QUANYI_LOG_LEVEL", "WARNING"),
    },
}
