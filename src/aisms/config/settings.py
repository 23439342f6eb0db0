"""Settings from the environment.

AISMS_DATA_DIR    database, uploads and the generated secret key (default ~/.local/share/aisms)
DATABASE_URL      e.g. postgres://user@127.0.0.1:5432/aisms (default: SQLite in the data directory)
AISMS_DEBUG       "1" turns Django's debug mode on (never in production)
AISMS_PROFILE     "local" (default: plain HTTP on 127.0.0.1) or "production" (HTTPS-only cookies, HSTS)
AISMS_ALLOWED_HOSTS  comma-separated host names (default: 127.0.0.1,localhost)
AISMS_HTTP_ALLOWED_HOSTS  comma-separated hosts the product may fetch from (feeds, TAXII, a language model);
                  "*.example.org" allows subdomains; loopback is always allowed
AISMS_TASKS_BACKEND  "database" (default: jobs queue in the database, run by `aisms serve` or `aisms worker`)
                  or "immediate" (jobs run at once in the caller; used by the tests)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from aisms.config.data_dir import data_dir, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent.parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = os.environ.get("AISMS_DEBUG", "") == "1"
PROFILE = os.environ.get("AISMS_PROFILE", "local")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("AISMS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "aisms.apps.accounts",
    "aisms.apps.jobs",
    "aisms.apps.catalogue",
    "aisms.apps.context",
    "aisms.apps.assets",
    "aisms.apps.risks",
    "aisms.apps.controls",
    "aisms.apps.people",
    "aisms.apps.threatmodels",
    "aisms.apps.devsec",
    "aisms.apps.intel",
    "aisms.apps.audits",
    "aisms.apps.compliance",
    "aisms.apps.suppliers",
    "aisms.apps.posture",
    "aisms.reports",
    "aisms.isms_code",
    "aisms.apps.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "aisms.apps.web.middleware.ContentSecurityPolicyMiddleware",
    "aisms.apps.web.middleware.RejectNullCharactersMiddleware",
]

ROOT_URLCONF = "aisms.config.urls"
WSGI_APPLICATION = "aisms.config.wsgi.application"

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
                "aisms.apps.web.context.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'aisms.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [p for p in [REPO_DIR / "static_vendor"] if p.is_dir()]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "uploads"

# Uploads: nothing larger than this is read into memory or accepted.
AISMS_MAX_UPLOAD_BYTES = int(os.environ.get("AISMS_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = AISMS_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Secure defaults.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PROFILE == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("AISMS_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]

# Reverse proxies in front of aisms (0: none): the client address for rate limits is then read from
# X-Forwarded-For, that many hops from the right (aisms.config.client_address).
AISMS_TRUSTED_PROXIES = int(os.environ.get("AISMS_TRUSTED_PROXIES", "0") or 0)

# Links in e-mails point here.
AISMS_BASE_URL = os.environ.get("AISMS_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("AISMS_FROM_EMAIL", "aisms@localhost")
EMAIL_BACKEND = os.environ.get("AISMS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AISMS_LOG_LEVEL", "WARNING")},
}

# Background jobs (Django's tasks API, django-tasks backport): queued in the database by default.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
AISMS_TASKS_BACKEND = os.environ.get("AISMS_TASKS_BACKEND", "database")
if AISMS_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ValueError(f"AISMS_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[AISMS_TASKS_BACKEND]}}

# Outbound HTTP (feeds, TAXII, an optional language model): only to these hosts, loopback always.
_DEFAULT_FETCH_HOSTS = "www.cisa.gov,services.nvd.nist.gov,epss.empiricalsecurity.com,api.first.org"
AISMS_HTTP_ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("AISMS_HTTP_ALLOWED_HOSTS", _DEFAULT_FETCH_HOSTS).split(",")
    if h.strip()
]
AISMS_HTTP_TIMEOUT_S = float(os.environ.get("AISMS_HTTP_TIMEOUT_S", "30"))

# API tokens: default lifetime when the user does not choose one.
AISMS_TOKEN_DEFAULT_DAYS = 90
AISMS_TOKEN_MAX_DAYS = 366

# Optional language-model assistant for threat modelling (an OpenAI-compatible chat endpoint, for example a
# model served locally): off unless AISMS_LLM_URL is set. Its host is added to the allowed hosts for it only.
AISMS_LLM_URL = os.environ.get("AISMS_LLM_URL", "")
AISMS_LLM_MODEL = os.environ.get("AISMS_LLM_MODEL", "")
AISMS_LLM_API_KEY = os.environ.get("AISMS_LLM_API_KEY", "")
