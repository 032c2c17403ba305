"""ptce settings: everything comes from environment variables, with safe local defaults.

See `.env.example` for the full list and the README's settings table.
"""

import importlib.util
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines of a local .env (real environment variables win)."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_dotenv(Path(os.environ.get("PTCE_ENV_FILE", BASE_DIR / ".env")))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The placeholder of .env.example and keys known from documentation: never in production.
KNOWN_PLACEHOLDER_KEYS = {
    "change-me-to-a-long-random-string",
    "insecure-local-development-key-do-not-use-in-production",
}
SECRET_KEY_MIN_LENGTH = 50


def check_secret_key(key: str, *, debug: bool) -> str:
    """The key, or ImproperlyConfigured when DEBUG is off and it is missing, short or a
    known placeholder (as Django's own deployment check: 50 characters, 5 different)."""
    if debug:
        return key or "insecure-local-development-key-do-not-use-in-production"
    if not key:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    if (
        key in KNOWN_PLACEHOLDER_KEYS
        or key.startswith(("change-me", "django-insecure-"))
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < 5
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY is a placeholder or too short: when DEBUG is off it must be a random "
            f"string of at least {SECRET_KEY_MIN_LENGTH} characters, e.g. the output of "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = check_secret_key(
    os.environ.get("SECRET_KEY", ""),
    debug=DEBUG or env_bool("PTCE_ALLOW_INSECURE_KEY", False),
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")


def check_site_url(url: str, *, debug: bool) -> str:
    """The site's public address (links in emails, calendar UIDs), without a final slash.

    With DEBUG on it defaults to the local demo's; with DEBUG off it must be set: a
    default would send people links to a machine that is not the site.
    """
    url = url.strip().rstrip("/")
    if not url:
        if debug:
            return "http://127.0.0.1:8000"
        raise ImproperlyConfigured(
            "SITE_URL must be set when DEBUG is off: the public address of the site, "
            "e.g. SITE_URL=https://ptce.example.org (links in emails are built from it; "
            "see .env.example)."
        )
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"SITE_URL must start with http:// or https:// (it is {url[:80]!r})."
        )
    return url


SITE_URL = check_site_url(os.environ.get("SITE_URL", ""), debug=DEBUG)
SITE_IS_HTTPS = SITE_URL.startswith("https://")

# Who runs the platform: the legal notice, the privacy policy, the contact page and the
# footer say it (demo values here; set the real ones in .env).
PTCE_OPERATOR_NAME = os.environ.get("PTCE_OPERATOR_NAME", "Association PTCE Démo")
PTCE_OPERATOR_ADDRESS = os.environ.get(
    "PTCE_OPERATOR_ADDRESS", "10 rue de la Coopération, 75011 Paris"
)
PTCE_CONTACT_EMAIL = os.environ.get("PTCE_CONTACT_EMAIL", "contact@ptce.example")
# where a person writes to exercise their rights (the operator's data protection contact)
PTCE_PRIVACY_EMAIL = os.environ.get("PTCE_PRIVACY_EMAIL", "") or PTCE_CONTACT_EMAIL
PTCE_PUBLICATION_DIRECTOR = os.environ.get(
    "PTCE_PUBLICATION_DIRECTOR", "la présidence de l’association"
)
PTCE_HOST_NAME = os.environ.get("PTCE_HOST_NAME", "Hébergeur de démonstration")
PTCE_HOST_ADDRESS = os.environ.get("PTCE_HOST_ADDRESS", "1 rue du Serveur, 59000 Lille")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "events",
    "checkin",
    "registry",
    "charter",
    "calls",
    # the pages that join the others (home, account space): imports their selectors
    "portal",
]

MIDDLEWARE = [
    # first: tasks enqueued by a request run after its response (TASKS_BACKEND=immediate)
    "core.tasks_backend.TasksAfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HEAD wherever GET is allowed, whatever the view's decorators say
    "core.middleware.HeadAsGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # a JSON API's 403, 404 and 405 in the JSON envelope, in the request's language
    "core.middleware.JsonApiErrorsMiddleware",
    # before anything reads a form's body: one in another charset than UTF-8 gets a 400
    "core.middleware.FormCharsetMiddleware",
    "django.middleware.common.CommonMiddleware",
    # no NUL or control character from the admin's query strings to the database
    "core.middleware.AdminQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.site",
            ],
            # French as an editor writes it in every template, without a {% load %}:
            # |long_date |clock |moment |short_moment |de |number (core/templatetags/french.py)
            "builtins": ["core.templatetags.french"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite (WAL, immediate transactions so writers queue instead of failing) by default;
# PostgreSQL when DATABASE_URL says so.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
        )
    }
else:
    SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "ptce.sqlite3"))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not Django's shared in-memory database: browser tests read while the
            # live server writes, which the in-memory one answers with "table is locked".
            "TEST": {"NAME": str(SQLITE_PATH.with_name("test-" + SQLITE_PATH.name))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's backend, which refuses every password while sign-ins are throttled
# (accounts/throttle.py: wrong passwords make the next try wait).
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:account"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages and time -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
# « 9 h 30 » where Django formats a time by itself (config/formats/fr/formats.py)
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# JavaScript libraries from npm (package.json + package-lock.json, installed by `make
# install` with `npm ci`), served from our own static files: never a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/jsqr", NODE_MODULES / "jsqr" / "dist"),
    # Leaflet, as django-leaflet ships it (static/leaflet/…). Not an installed app: its
    # admin module needs GeoDjango's GDAL, which ptce does not use.
    Path(importlib.util.find_spec("leaflet").origin).parent / "static",
]
_PLAIN_STATIC = DEBUG or env_bool("PTCE_PLAIN_STATIC", False)
# Documents built for organisers (badges, security lists, exports) hold personal data: a
# private folder that no URL serves (events.views.manage checks the organiser first).
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", BASE_DIR / "var" / "private"))


def calls_storage(environ=os.environ) -> dict:
    """Where the calls' files go (``CALLS_STORAGE``): ``local`` (the default, a folder under
    ``PRIVATE_FILES_ROOT``) or ``s3`` (an S3-compatible bucket). Either way private: the
    objects are written with the ``private`` ACL and every URL the storage could make is
    signed and short-lived (no custom domain, which would make unsigned ones); the app
    streams the files itself, through the views that check the right to each."""
    kind = environ.get("CALLS_STORAGE", "local").strip().lower() or "local"
    if kind == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PRIVATE_FILES_ROOT / "calls", "base_url": None},
        }
    if kind != "s3":
        raise ImproperlyConfigured(f"CALLS_STORAGE must be local or s3, not {kind!r}.")
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured("CALLS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    seconds = environ.get("CALLS_STORAGE_URL_SECONDS", "300").strip()
    if not (re.fullmatch(r"[0-9]{1,6}", seconds) and 0 < int(seconds) <= 604800):
        raise ImproperlyConfigured(
            "CALLS_STORAGE_URL_SECONDS must be a whole number of seconds, 1 to 604800."
        )
    options = {
        "bucket_name": bucket,
        "location": environ.get("CALLS_STORAGE_PREFIX", "calls").strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(seconds),
        "custom_domain": None,
        "file_overwrite": False,
        # a signed link opened in a browser downloads the file, never shows it inline
        "object_parameters": {"ContentDisposition": "attachment"},
    }
    for option, name in (
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),
        # without keys, boto3's own chain (instance role, AWS_* variables, profile)
        ("access_key", "AWS_S3_ACCESS_KEY_ID"),
        ("secret_key", "AWS_S3_SECRET_ACCESS_KEY"),
    ):
        if environ.get(name, "").strip():
            options[option] = environ[name].strip()
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    },
    # the calls' files (applications' attachments, the calls' documents): private, served
    # only through views that check the right to them
    "calls": calls_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if _PLAIN_STATIC
            else "core.staticfiles.ManifestStaticFilesStorage"
        )
    },
}
# Without collectstatic (demo, tests): serve from the apps' static folders.
WHITENOISE_USE_FINDERS = _PLAIN_STATIC

# --- Email --------------------------------------------------------------------------------
# Demo: files under var/mail. Production: EMAIL_BACKEND=smtp plus EMAIL_HOST etc.
_EMAIL_BACKENDS = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = os.environ.get("EMAIL_BACKEND", "file")
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PTCE <ne-pas-repondre@ptce.example>")
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "5"))

# --- Background tasks (Django tasks API, django-tasks backport) ----------------------------
# "immediate": run in the web process after commit; a task enqueued by a request runs once
# its response has gone (demo, tests: core/tasks_backend.py).
# "database": queued in the database, run by `manage.py db_worker` (production).
_TASKS_BACKENDS = {
    "immediate": "core.tasks_backend.AfterResponseBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
_tasks_backend = os.environ.get("TASKS_BACKEND", "immediate")
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS.get(_tasks_backend, _tasks_backend)}}

# --- Map of poles ------------------------------------------------------------------------
# The tile server (an address with {z}/{x}/{y}; empty: no background, the poles only) and
# the attribution its licence asks for.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = os.environ.get(
    "MAP_TILES_ATTRIBUTION",
    '© <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>',
)

# --- Cache ---------------------------------------------------------------------------------
# Per process by default (demo, tests). With REDIS_URL, one cache for every worker process:
# the door's rate limit is then truly per device, and a cached page is computed once.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "ptce"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SITE_IS_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind the TLS proxy, the person's address is the last of X-Forwarded-For (rate limits).
PTCE_BEHIND_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if PTCE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The registration forms send an email to the address typed: registrations per visitor's
# address in 10 minutes (generous: a venue's Wi-Fi is one address) and per email address
# in an hour. Counted in the cache (shared by every process with REDIS_URL).
PTCE_REGISTRATION_LIMIT_PER_IP = int(os.environ.get("PTCE_REGISTRATION_LIMIT_PER_IP", "30"))
PTCE_REGISTRATION_LIMIT_PER_ADDRESS = int(
    os.environ.get("PTCE_REGISTRATION_LIMIT_PER_ADDRESS", "5")
)
# In production over https: redirect http and tell browsers to stay on https.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# HSTS is on by default (one year) when the site is served over https (SITE_URL), never
# for a local http demo; SECURE_HSTS_SECONDS=0 turns it off.
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "") or (31_536_000 if SITE_IS_HTTPS and not DEBUG else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)

# Private areas: every response under these paths is sent with Cache-Control: no-store
# (organiser pages and their downloads, the account space, the door's API with its list of
# names). Downloads elsewhere that hold personal data are marked by their views.
PTCE_NO_STORE_PATHS = ["/gestion/", "/compte/", "/api/accueil/", "/admin/"]

# How long a personal link (ticket, cancel, correct) stays valid, in days.
PTCE_PERSONAL_LINK_MAX_AGE_DAYS = int(os.environ.get("PTCE_PERSONAL_LINK_MAX_AGE_DAYS", "400"))
# How long a document built for organisers (badges, security list, exports) is kept, in hours.
PTCE_DOCUMENT_MAX_AGE_HOURS = int(os.environ.get("PTCE_DOCUMENT_MAX_AGE_HOURS", "24"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
