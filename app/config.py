"""Configuration read from the environment, with embedded defaults that work out of the box."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"


def _secret_key() -> str:
    """Use SECRET_KEY, else a key kept in instance/ so sessions survive a restart."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'civiquest.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# The scopes an organisation client may hold (clients.scopes gives them their translated labels).
CLIENT_SCOPES = {
    "readings:write": "Deliver meter readings for linked meters (the utility's connector).",
    "vouchers:validate": "Look vouchers up and mark them used, for the client's reward partner (a till).",
    "stats:read": "Read the protected participation statistics and the export history.",
}


def oidc_providers(environ=os.environ) -> dict[str, dict]:
    """The OpenID Connect providers named in OIDC_PROVIDERS ("city,state"), each configured by OIDC_<NAME>_…
    variables; a provider missing its issuer, client id or secret is left out, so nothing shows half-configured."""
    providers = {}
    for name in filter(None, (part.strip().lower() for part in environ.get("OIDC_PROVIDERS", "").split(","))):

        def setting(key: str, default: str | None = None, name=name) -> str | None:
            return environ.get(f"OIDC_{name.upper()}_{key}", default) or default

        issuer, client_id, secret = setting("ISSUER"), setting("CLIENT_ID"), setting("CLIENT_SECRET")
        if not (issuer and client_id and secret):
            continue
        providers[name] = {
            "issuer": issuer.rstrip("/"),
            "client_id": client_id,
            "client_secret": secret,
            "label": {
                "en": setting("LABEL_EN", name.title()),
                "de": setting("LABEL_DE", setting("LABEL_EN", name.title())),
            },
            "email_claim": setting("EMAIL_CLAIM", "email"),
            "name_claim": setting("NAME_CLAIM", "preferred_username"),
            "language_claim": setting("LANGUAGE_CLAIM", "locale"),
            "neighbourhood_claim": setting("NEIGHBOURHOOD_CLAIM"),
            "scope": setting("SCOPE", "openid email profile"),
            # Optional: a claim listing groups (e.g. "groups"), and "group=role,…" pairs giving a role to members.
            "role_claim": setting("ROLE_CLAIM"),
            "role_map": dict(pair.split("=", 1) for pair in (setting("ROLE_MAP") or "").split(",") if "=" in pair),
        }
    return providers


class Config:
    """Settings for a running Civiquest; every value can come from the environment."""

    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite's `synchronous` pragma; None keeps SQLite's default (FULL: every commit waits for the disk).
    SQLITE_SYNCHRONOUS = None
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Berlin")
    REDIS_URL = os.environ.get("REDIS_URL")

    # Sessions: HttpOnly and SameSite=Lax always; Secure is added per request over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Each log-in is a session on the server (accounts.sessions): it ends after this many days unused,
    # and after this many days in all, whatever happens; then the resident logs in again.
    SESSION_IDLE_DAYS = int(os.environ.get("SESSION_IDLE_DAYS", "14"))
    SESSION_MAX_DAYS = int(os.environ.get("SESSION_MAX_DAYS", "30"))
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # Who may show the public neighbourhood leaderboard (/embed/...) in an iframe: a CSP frame-ancestors
    # source list, e.g. "https://www.city.example https://*.city.example"; "*" lets any site embed it.
    # Every other page refuses to be framed.
    EMBED_FRAME_ANCESTORS = os.environ.get("EMBED_FRAME_ANCESTORS", "*")

    # Rewards: who issues the Open Badges, and how long a voucher stays valid (unless its reward ends sooner).
    BADGE_ISSUER_NAME = os.environ.get("BADGE_ISSUER_NAME", "Civiquest")
    BADGE_ISSUER_URL = os.environ.get("BADGE_ISSUER_URL")  # the city's website; defaults to this site
    BADGE_ISSUER_EMAIL = os.environ.get("BADGE_ISSUER_EMAIL")
    VOUCHER_VALID_DAYS = int(os.environ.get("VOUCHER_VALID_DAYS", "90"))

    # Data sharing: the data controller named on consent receipts, and how long raw readings and trips are kept.
    SHARING_JURISDICTION = os.environ.get("SHARING_JURISDICTION", "DE")
    # Texts residents read have a German twin (`_DE`), used for German readers (app.bilingual.setting); an empty
    # one falls back to the main value.
    SHARING_CONTROLLER_NAME = os.environ.get("SHARING_CONTROLLER_NAME", "City administration (Civiquest)")
    SHARING_CONTROLLER_NAME_DE = os.environ.get("SHARING_CONTROLLER_NAME_DE", "Stadtverwaltung (Civiquest)")
    SHARING_CONTROLLER_CONTACT = os.environ.get("SHARING_CONTROLLER_CONTACT", "Data protection officer")
    SHARING_CONTROLLER_CONTACT_DE = os.environ.get("SHARING_CONTROLLER_CONTACT_DE", "Datenschutzbeauftragte Stelle")
    SHARING_CONTROLLER_ADDRESS = os.environ.get("SHARING_CONTROLLER_ADDRESS", "Town hall")
    SHARING_CONTROLLER_ADDRESS_DE = os.environ.get("SHARING_CONTROLLER_ADDRESS_DE", "Rathaus")
    SHARING_CONTROLLER_EMAIL = os.environ.get("SHARING_CONTROLLER_EMAIL", "privacy@civiquest.example")
    SHARING_CONTROLLER_PHONE = os.environ.get("SHARING_CONTROLLER_PHONE", "")
    RETENTION_MONTHS = int(os.environ.get("RETENTION_MONTHS", "24"))
    # Statistics: a published cell must rest on at least this many residents (small-cell suppression).
    STATS_MIN_RESIDENTS = int(os.environ.get("STATS_MIN_RESIDENTS", "5"))
    STATS_PUBLISHER = os.environ.get("STATS_PUBLISHER", "City statistics office")
    STATS_PUBLISHER_DE = os.environ.get("STATS_PUBLISHER_DE", "Statistikamt der Stadt")
    # Open data: epsilon spent per differentially private release, and the total each dataset may spend.
    STATS_DP_EPSILON = float(os.environ.get("STATS_DP_EPSILON", "0.5"))
    STATS_DP_TOTAL_EPSILON = float(os.environ.get("STATS_DP_TOTAL_EPSILON", "2.0"))

    # Notifications: at most this many nudges per resident and calendar week (digest, consent expiry and
    # account news not counted). Email goes out only when SMTP_HOST is set; otherwise everything stays in-app.
    NUDGES_PER_WEEK = int(os.environ.get("NUDGES_PER_WEEK", "3"))
    # Energy advice is sent when the 4-week forecast exceeds the resident's baseline by more than this.
    ADVICE_THRESHOLD_PERCENT = float(os.environ.get("ADVICE_THRESHOLD_PERCENT", "10"))
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_USE_TLS = os.environ.get("SMTP_USE_TLS", "true").lower() in ("1", "true", "yes")  # STARTTLS
    SMTP_SENDER = os.environ.get("SMTP_SENDER", "Civiquest <no-reply@civiquest.example>")
    # The site's public address (e.g. https://civiquest.example) for links in emails sent by jobs.
    SITE_URL = os.environ.get("SITE_URL")

    # Requests larger than this are refused (413) as they arrive, before anything reads them whole:
    # room for the largest upload (a 2 MB CSV file) and the form around it.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(3 * 1024 * 1024)))
    # The API's JSON bodies: at most this many bytes and this deep, checked before they are parsed.
    MAX_JSON_BYTES = 256 * 1024
    MAX_JSON_DEPTH = 32

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock

    LANGUAGES = ("en", "de")
    BABEL_DEFAULT_LOCALE = "en"
    # How English pages write dates, times and numbers: en_GB gives "7 Mar 2027" and 24-hour times, which
    # European readers cannot misread; en_US would give "Mar 7, 2027" and "3:00 PM". German is always de.
    ENGLISH_LOCALE = os.environ.get("ENGLISH_LOCALE", "en_GB")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    # Counted in Redis when REDIS_URL is set, else in the database (app.rate_limits): either way shared by
    # every process, so the limits hold with several gunicorn workers.
    RATELIMIT_STORAGE_URI = REDIS_URL or "civiquest+db://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")  # per address and account
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute;300 per hour")
    # Street lookups (registration, profile, API) per client address: far more than a person types.
    LOOKUP_RATE_LIMIT = os.environ.get("LOOKUP_RATE_LIMIT", "30 per minute;300 per hour")

    # The accessibility statement (BITV 2.0): where its feedback form's messages go (and in which language they
    # are framed), how soon the city answers, and the enforcement body a resident may turn to after that.
    ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "accessibility@civiquest.example")
    ACCESSIBILITY_CONTACT_LANGUAGE = os.environ.get("ACCESSIBILITY_CONTACT_LANGUAGE", "de")
    ACCESSIBILITY_FEEDBACK_RATE_LIMIT = os.environ.get("ACCESSIBILITY_FEEDBACK_RATE_LIMIT", "5 per hour")
    ACCESSIBILITY_RESPONSE_WEEKS = int(os.environ.get("ACCESSIBILITY_RESPONSE_WEEKS", "6"))
    ACCESSIBILITY_ENFORCEMENT_BODY = os.environ.get(
        "ACCESSIBILITY_ENFORCEMENT_BODY",
        "Schlichtungsstelle nach § 16 BGG beim Beauftragten der Bundesregierung für die Belange von Menschen mit "
        "Behinderungen, Mauerstraße 53, 10117 Berlin, info@schlichtungsstelle-bgg.de",
    )
    ACCESSIBILITY_ENFORCEMENT_URL = os.environ.get(
        "ACCESSIBILITY_ENFORCEMENT_URL", "https://www.schlichtungsstelle-bgg.de"
    )

    # Password reset by email: the link works once, for this many minutes; requests are limited per address
    # asked for (and so per account) and per client address.
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "3 per hour;10 per day")
    PASSWORD_RESET_ADDRESS_RATE_LIMIT = os.environ.get("PASSWORD_RESET_ADDRESS_RATE_LIMIT", "10 per hour")

    # Argon2id cost: the library's recommended defaults (RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # "in-app": every web process runs the scheduler, a database lease picks one leader;
    # "off": run `flask scheduler run` as its own process instead.
    SCHEDULER_MODE = os.environ.get("SCHEDULER_MODE", "in-app")
    SCHEDULER_LEASE_SECONDS = 60
    # The nightly scores check logs every running total that differs from what it adds up; with this on,
    # it repairs them as well. Off by default: a difference is a bug to find, and repairing hides it.
    SCORES_CHECK_FIX = os.environ.get("SCORES_CHECK_FIX", "false").lower() in ("1", "true", "yes")

    # Sign-in with the city's identity providers (OpenID Connect); none unless OIDC_PROVIDERS names them.
    OIDC_PROVIDERS = oidc_providers()

    # Organisation clients (partner systems): how long a client-credentials access token lives, and how often one
    # address may ask /oauth/token for one (a guessed secret costs a request like a guessed password).
    CLIENT_TOKEN_LIFETIME = int(os.environ.get("CLIENT_TOKEN_LIFETIME", "900"))
    OAUTH_TOKEN_RATE_LIMIT = os.environ.get("OAUTH_TOKEN_RATE_LIMIT", "30 per minute")
    # The utility's bulk delivery of meter readings: its own bound on the (compressed) body, far above
    # MAX_CONTENT_LENGTH since it is streamed and never held whole; the rows a request may carry.
    CONNECTOR_MAX_BODY_BYTES = int(os.environ.get("CONNECTOR_MAX_BODY_BYTES", str(200 * 1024 * 1024)))
    CONNECTOR_MAX_ROWS = int(os.environ.get("CONNECTOR_MAX_ROWS", "100000"))
    # The key of the route grid's contributor hashes (tracks.services.contributor); empty: SECRET_KEY. Keep it
    # stable: erasure finds a resident's grid rows again only with the key they were written with.
    ROUTE_GRID_KEY = os.environ.get("ROUTE_GRID_KEY", "")

    API_TITLE = "Civiquest API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "info": {
            "description": "Civiquest's JSON API. People authenticate with a session or a personal access token; "
            "partner systems (organisation clients) with an OAuth 2.0 client-credentials token from /oauth/token, "
            "on the operations that name its scope."
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal access token."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
                "clientCredentials": {
                    "type": "oauth2",
                    "description": "An organisation client's access token (OAuth 2.0 client credentials).",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": CLIENT_SCOPES}},
                },
            }
        },
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    }


class TestConfig(Config):
    """Settings for the test suite: fast hashing, no scheduler, no rate limits unless a test asks."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLITE_SYNCHRONOUS = "OFF"  # a test database need not survive a power cut; commits skip the fsync
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SCHEDULER_MODE = "off"
    OIDC_PROVIDERS = {}  # tests that sign in with a provider start one and configure it
    SMTP_HOST = None  # tests that send email start their own SMTP server
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
