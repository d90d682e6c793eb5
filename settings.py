"""All configuration, read once from the environment (and `.env`), passed down from there."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from consultation.artist_settings import ArtistSettings
from consultation.calendar_rules import RULES
from consultation.currency import DEFAULT_RATES, DEFAULT_RATES_DATE, rate_problems
from consultation.lead import Policy, TourStop
from consultation.prices import STANDARD

# Secrets and addresses production cannot run without. Named in one error when missing.
PRODUCTION_REQUIRED = (
    "DATABASE_URL",
    "TEMPORAL_ADDRESS",
    "CONTACT_KEY_SECRET",
    "ADMIN_API_KEY",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "ARTIST_WHATSAPP_NUMBER",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "PUBLIC_BASE_URL",
    "PAYLOAD_MASTER_KEYS",
)


# With DEMO_MODE on, /demo hands anyone the artist's one-tap links and lets them post messages
# as any client: it may only ever run on the sandbox adapters, with no credential that reaches
# Meta or Stripe.
DEMO_FORBIDDEN_CREDENTIALS = ("WHATSAPP_ACCESS_TOKEN", "STRIPE_SECRET_KEY")


def wa_id(number: str) -> str:
    """A phone number in international format (`+44 7700 900123`, `447700900123`) as WhatsApp
    writes it in a delivery's `wa_id`: digits only, country code first. Every number in the
    settings is compared with a `wa_id`, so all of them are normalised here, once."""
    digits = number.strip()
    try:
        parsed = phonenumbers.parse(digits if digits.startswith("+") else "+" + digits)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number in international format: {error}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a possible phone number (international format, country code first)")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


class Settings(BaseSettings):
    # hide_input_in_errors: a refused value (a secret, a phone number) stays out of the error
    # printed at start-up.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=True, hide_input_in_errors=True
    )

    APP_ENV: Literal["dev", "test", "production"] = "dev"
    PUBLIC_BASE_URL: str = "http://localhost:8000"  # where the artist's links and pages live

    DATABASE_URL: str = ""
    TEMPORAL_ADDRESS: str = "localhost:7233"
    TEMPORAL_NAMESPACE: str = "default"
    TEMPORAL_TASK_QUEUE: str = "leads"
    TEMPORAL_UI_URL: str = "http://localhost:8233"
    # A Temporal cluster beyond this box (temporal_connection.py). TLS is on when asked for or
    # when any TLS file or an API key is given; each PEM setting holds the PEM text or a path.
    TEMPORAL_TLS: bool = False
    TEMPORAL_TLS_CLIENT_CERT: str = ""  # mTLS (self-hosted, or Temporal Cloud with certificates)
    TEMPORAL_TLS_CLIENT_KEY: str = ""
    TEMPORAL_TLS_SERVER_CA: str = ""  # a private CA; empty trusts the system's roots
    TEMPORAL_TLS_SERVER_NAME: str = ""  # when the certificate's name differs from the address
    TEMPORAL_API_KEY: str = ""  # Temporal Cloud API key (instead of client certificates)

    # Operations. Prometheus metrics: the API serves /metrics (with a bearer token when
    # METRICS_TOKEN is set); the worker serves its own on WORKER_METRICS_PORT and the Temporal
    # SDK's on TEMPORAL_METRICS_PORT (0 turns either off).
    METRICS_TOKEN: str = ""
    # Sealing workflow payloads (sealing/): `id:base64-32-bytes,...`, the first one current
    # (make one with `python -m sealing.new_master_key`). Empty: payloads are not sealed
    # (dev and tests); production requires it.
    PAYLOAD_MASTER_KEYS: str = ""
    # Finished leads' personal data is erased this many days after they finished (0: never).
    RETENTION_DAYS: int = Field(default=0, ge=0)
    # Requests per client address, `attempts/seconds` (0: no limit); more get 429 with
    # Retry-After. Counted per API process (api/rate_limits.py).
    RATE_LIMIT_LINKS: str = "60/60"  # the artist's /a/ link pages
    RATE_LIMIT_ADMIN: str = "600/60"  # /admin and /codec (before the key is checked)
    # Meta and Stripe: a few addresses carry all their traffic, and a WhatsApp number may send
    # up to 1,000 messages/s, each reply followed by up to three status webhooks. The limit is
    # against floods, never against Meta: 6000/60 refused a flash day (bench/RESULTS.md).
    RATE_LIMIT_WEBHOOKS: str = "60000/60"
    # OpenTelemetry tracing (telemetry/tracing.py): off unless an OTLP/HTTP endpoint is given,
    # e.g. http://otel-collector:4318; spans name the service `<OTEL_SERVICE_NAME>-api|worker`.
    OTEL_EXPORTER_OTLP_ENDPOINT: str = ""
    OTEL_SERVICE_NAME: str = "inkflow"
    # "json": one JSON object a line (production); "plain": readable lines (make run sets it).
    LOG_FORMAT: Literal["json", "plain"] = "json"
    # /docs (Swagger UI, served offline) and /openapi.json: on except in production by default.
    DOCS_ENABLED: bool | None = None
    WORKER_METRICS_PORT: int = Field(default=9464, ge=0, le=65535)
    # The worker yields the CPU to the API when they share a machine (make run, one compose
    # host): a webhook must be answered in milliseconds, a turn can wait its moment, and what
    # waits is durable. On a machine of its own it changes nothing (bench/RESULTS.md, issue 14).
    WORKER_NICENESS: int = Field(default=5, ge=0, le=19)
    TEMPORAL_METRICS_PORT: int = Field(default=9465, ge=0, le=65535)

    # Keys the HMAC that turns a WhatsApp contact into a workflow id, so phone numbers never
    # reach Temporal (it stores ids and search attributes in plain text).
    CONTACT_KEY_SECRET: str = "dev-only-contact-key-secret"
    ADMIN_API_KEY: str = ""

    # "sandbox" stores outbound messages for the demo page; "cloud" calls the WhatsApp Cloud API.
    WHATSAPP_MODE: Literal["sandbox", "cloud"] = "sandbox"
    WHATSAPP_VERIFY_TOKEN: str = ""
    WHATSAPP_APP_SECRET: str = ""
    WHATSAPP_ACCESS_TOKEN: str = ""
    WHATSAPP_PHONE_NUMBER_ID: str = ""
    WHATSAPP_API_BASE_URL: str = "https://graph.facebook.com"
    WHATSAPP_API_VERSION: str = "v21.0"

    # "sandbox" takes deposits on a local page (demo); "stripe" uses Stripe Checkout.
    STRIPE_MODE: Literal["sandbox", "stripe"] = "sandbox"
    STRIPE_SECRET_KEY: str = ""
    STRIPE_WEBHOOK_SECRET: str = "whsec_sandbox_dev_only"
    STRIPE_API_BASE_URL: str = "https://api.stripe.com"
    ACTION_TOKEN_TTL_DAYS: int = 7

    # Templates approved for this number in Meta's WhatsApp Manager (comma-separated names).
    # Empty means "all in consultation.templates" — true only in the sandbox.
    WHATSAPP_APPROVED_TEMPLATES: str = ""

    # Campaigns (platform_facts B7). The portfolio's messaging limit, unique users per rolling
    # 24 h, as Meta shows it in WhatsApp Manager; campaigns pace under it and under the rate.
    # Ask clients for marketing consent (buttons) at the end of a consultation and at booking.
    MARKETING_CONSENT_ASK: bool = True
    WHATSAPP_MESSAGING_LIMIT: Literal["250", "2000", "10000", "100000", "unlimited"] = "250"
    CAMPAIGN_RATE_PER_SECOND: float = Field(default=80.0, ge=1.0, le=1000.0)
    # What Meta charges per delivered marketing template, in pence, for the compose page's
    # estimate (its rate card for the recipients' country).
    CAMPAIGN_MESSAGE_PRICE_PENCE: float = Field(default=4.0, ge=0)
    # A reply, enquiry, deposit or booking this many days after a campaign message counts for it.
    CAMPAIGN_ATTRIBUTION_DAYS: int = Field(default=14, ge=1, le=90)

    # The lead log in Google Sheets (a service account with editor access to the spreadsheet).
    # Without it, the log is the CSV export at /admin/leads.csv.
    GOOGLE_SHEETS_SPREADSHEET_ID: str = ""
    GOOGLE_SHEETS_CREDENTIALS_JSON: str = ""  # the key file's JSON text
    GOOGLE_SHEETS_API_ENDPOINT: str = "https://sheets.googleapis.com"
    GOOGLE_SHEETS_SHEET_NAME: str = "Leads"

    # Reference images clients send: "local" keeps them under MEDIA_DIR (served at /media),
    # "supabase" uploads them to Supabase Storage and links them with signed URLs.
    MEDIA_STORAGE: Literal["local", "supabase"] = "local"
    MEDIA_DIR: str = ".var/media"
    MEDIA_MAX_BYTES: int = 16 * 1024 * 1024
    SUPABASE_URL: str = ""
    SUPABASE_SERVICE_ROLE_KEY: str = ""
    SUPABASE_STORAGE_BUCKET: str = "reference-images"

    # The artist's calendar: "postgres" keeps it in our database (busy blocks via the admin
    # API; the demo and artists without Google); "google" reads free/busy from and writes
    # bookings to a Google Calendar shared with a service account.
    CALENDAR_BACKEND: Literal["postgres", "google"] = "postgres"
    ARTIST_ID: str = "artist"  # whose holds and bookings these are (one database, many artists)
    GOOGLE_CALENDAR_ID: str = ""
    GOOGLE_CALENDAR_CREDENTIALS_JSON: str = ""  # the key file's JSON text
    GOOGLE_CALENDAR_API_ENDPOINT: str = "https://www.googleapis.com/calendar/v3/"
    # A chosen time is held this long while the client pays (Stripe: 30 min to 24 h).
    HOLD_MINUTES: int = Field(default=60, ge=30, le=23 * 60)
    APPOINTMENT_REMINDER_HOURS: str = "48,24"  # before the appointment, comma-separated
    RESCHEDULE_NOTICE_HOURS: int = 48
    FREE_MOVES: int = Field(default=1, ge=0)  # moves of a booked session the deposit covers
    # Unpaid leads waiting on the artist this long go STALE (the client is welcomed back).
    STALE_AFTER_DAYS: int = Field(default=14, ge=1)
    DIGEST_HOUR_UTC: int = Field(default=8, ge=0, le=23)  # the artist's daily digest
    STUDIO_ADDRESS: str = ""  # shown in booking confirmations and reminders

    ARTIST_NAME: str = "the artist"
    ARTIST_WHATSAPP_NUMBER: str = ""
    STUDIO_CITY: str = "London"
    # JSON list of {"city", "country", "start", "end"} (ISO dates), with an optional
    # "timezone" (IANA, e.g. "Europe/Berlin") for a stop abroad.
    TOUR_SCHEDULE: list[TourStop] = Field(default_factory=list)

    PILOT_MODE_ENABLED: bool = False
    PILOT_ALLOWLIST_NUMBERS: str = ""  # comma-separated wa_ids
    PAUSED: bool = False
    # /demo and its sandbox checkout: only on the sandbox adapters (see demo_problems).
    DEMO_MODE: bool = False
    # How long a stopping worker lets running activities finish before cancelling them (under
    # docker compose's 30 s stop_grace_period, after which the worker is killed).
    WORKER_SHUTDOWN_SECONDS: float = Field(default=25, ge=0)
    # Admission: the relay keeps at most this many handed-over messages unread by their
    # workflows (0: no limit); the rest wait in PostgreSQL, in arrival order (bench/RESULTS.md).
    RELAY_IN_FLIGHT: int = Field(default=16, ge=0)

    REMINDER_1_HOURS: int = 12
    REMINDER_2_HOURS: int = 36
    STATUS_REPLY_COOLDOWN_HOURS: int = 6
    # A client message is read this long after its own timestamp at the earliest, so one sent
    # just before it but delivered after it is read first (Meta does not keep order).
    MESSAGE_SETTLE_SECONDS: float = Field(default=2.0, ge=0, le=30)
    # What one unit of a client's currency is worth in the artist's, and when the rates were
    # taken: a budget of "€600" is kept in euros and converted with these (issue 13).
    CURRENCY_RATES: str = DEFAULT_RATES
    CURRENCY_RATES_DATE: str = DEFAULT_RATES_DATE

    @field_validator("CURRENCY_RATES")
    @classmethod
    def _known_rates(cls, value: str) -> str:
        problems = rate_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("TOUR_SCHEDULE", mode="before")
    @classmethod
    def _tour_from_json(cls, value: object) -> object:
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else []
        if isinstance(value, list):
            stops = [TourStop(**stop) if isinstance(stop, dict) else stop for stop in value]
            for stop in stops:
                if isinstance(stop, TourStop) and stop.timezone:
                    try:
                        ZoneInfo(stop.timezone)
                    except (ValueError, ZoneInfoNotFoundError) as error:
                        raise ValueError(
                            f"tour stop {stop.city}: unknown time zone {stop.timezone!r}"
                        ) from error
            return stops
        return value

    @field_validator("ARTIST_WHATSAPP_NUMBER")
    @classmethod
    def _artist_wa_id(cls, value: str) -> str:
        # No number in the error: settings errors are printed at start-up.
        try:
            return wa_id(value) if value.strip() else ""
        except ValueError as error:
            raise ValueError(f"ARTIST_WHATSAPP_NUMBER is {error}") from None

    @field_validator("PILOT_ALLOWLIST_NUMBERS")
    @classmethod
    def _allowlist_wa_ids(cls, value: str) -> str:
        numbers = [n for n in value.split(",") if n.strip()]
        try:
            return ",".join(wa_id(n) for n in numbers)
        except ValueError as error:
            raise ValueError(f"PILOT_ALLOWLIST_NUMBERS has an entry that is {error}") from None

    @property
    def pilot_allowlist(self) -> frozenset[str]:
        return frozenset(n for n in self.PILOT_ALLOWLIST_NUMBERS.split(",") if n)

    @field_validator("RATE_LIMIT_LINKS", "RATE_LIMIT_ADMIN", "RATE_LIMIT_WEBHOOKS")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        if not re.fullmatch(r"0|[1-9]\d*/\d*[1-9]\d*", value.strip()):
            raise ValueError("a limit is `attempts/seconds` (e.g. 60/60), or 0 for none")
        return value.strip()

    @field_validator("PAYLOAD_MASTER_KEYS")
    @classmethod
    def _master_keys(cls, value: str) -> str:
        if value.strip():
            from sealing.keyring import MasterKeys

            try:
                MasterKeys.parse(value)
            except ValueError as error:  # never the value: it is a key
                raise ValueError(f"PAYLOAD_MASTER_KEYS: {error}") from None
        return value.strip()

    @property
    def docs_enabled(self) -> bool:
        if self.DOCS_ENABLED is None:
            return self.APP_ENV != "production"
        return self.DOCS_ENABLED

    @property
    def sheets_enabled(self) -> bool:
        return bool(self.GOOGLE_SHEETS_SPREADSHEET_ID and self.GOOGLE_SHEETS_CREDENTIALS_JSON)

    @property
    def approved_templates(self) -> frozenset[str]:
        from consultation.templates import TEMPLATES

        names = {n.strip() for n in self.WHATSAPP_APPROVED_TEMPLATES.split(",") if n.strip()}
        return frozenset(names or TEMPLATES)

    @property
    def policy(self) -> Policy:
        return Policy(
            artist_name=self.ARTIST_NAME,
            tour=list(self.TOUR_SCHEDULE),
            status_reply_cooldown_hours=self.STATUS_REPLY_COOLDOWN_HOURS,
            reminder_1_hours=self.REMINDER_1_HOURS,
            reminder_2_hours=self.REMINDER_2_HOURS,
            studio_city=self.STUDIO_CITY,
            hold_minutes=self.HOLD_MINUTES,
            appointment_reminder_hours=tuple(
                int(h) for h in self.APPOINTMENT_REMINDER_HOURS.split(",") if h.strip()
            ),
            reschedule_notice_hours=self.RESCHEDULE_NOTICE_HOURS,
            free_moves=self.FREE_MOVES,
            stale_after_days=self.STALE_AFTER_DAYS,
            studio_address=self.STUDIO_ADDRESS,
            settle_seconds=self.MESSAGE_SETTLE_SECONDS,
            currency_rates=self.CURRENCY_RATES,
            currency_rates_date=self.CURRENCY_RATES_DATE,
            ask_marketing_consent=self.MARKETING_CONSENT_ASK,
        )

    @property
    def artist_defaults(self) -> ArtistSettings:
        """The settings a fresh install starts with (version 1): today's environment, the
        bundled calendar rules and the standard price list. The artist edits them in the studio."""
        policy = self.policy
        return ArtistSettings(
            artist_name=policy.artist_name,
            studio_name="",
            studio_address=policy.studio_address,
            studio_city=policy.studio_city,
            prices=STANDARD,
            rules=RULES,
            hold_minutes=policy.hold_minutes,
            reschedule_notice_hours=policy.reschedule_notice_hours,
            free_moves=policy.free_moves,
            appointment_reminder_hours=policy.appointment_reminder_hours,
            reminder_1_hours=policy.reminder_1_hours,
            reminder_2_hours=policy.reminder_2_hours,
            tour=tuple(sorted(policy.tour, key=lambda stop: stop.start)),
        )

    def production_problems(self) -> list[str]:
        """Everything that makes this configuration unsafe for production, all at once."""
        problems = [f"{name} is not set" for name in PRODUCTION_REQUIRED if not getattr(self, name)]
        if Settings.model_fields["CONTACT_KEY_SECRET"].default == self.CONTACT_KEY_SECRET:
            problems.append("CONTACT_KEY_SECRET must not be the development default")
        if self.DEMO_MODE:
            problems.append("DEMO_MODE must be false")
        if self.WHATSAPP_MODE != "cloud":
            problems.append("WHATSAPP_MODE must be 'cloud'")
        if self.STRIPE_MODE != "stripe":
            problems.append("STRIPE_MODE must be 'stripe'")
        if Settings.model_fields["STRIPE_WEBHOOK_SECRET"].default == self.STRIPE_WEBHOOK_SECRET:
            problems.append("STRIPE_WEBHOOK_SECRET must not be the development default")
        if self.CALENDAR_BACKEND == "google" and not (
            self.GOOGLE_CALENDAR_ID and self.GOOGLE_CALENDAR_CREDENTIALS_JSON
        ):
            problems.append("GOOGLE_CALENDAR_ID and GOOGLE_CALENDAR_CREDENTIALS_JSON are needed")
        if self.PUBLIC_BASE_URL.startswith("http://localhost"):
            problems.append("PUBLIC_BASE_URL must be the public https address")
        if bool(self.TEMPORAL_TLS_CLIENT_CERT) != bool(self.TEMPORAL_TLS_CLIENT_KEY):
            problems.append("TEMPORAL_TLS_CLIENT_CERT and TEMPORAL_TLS_CLIENT_KEY go together")
        return problems

    def demo_problems(self) -> list[str]:
        """Why DEMO_MODE may not be on with this configuration (empty: it may). Production
        refuses DEMO_MODE outright (production_problems)."""
        problems = [f"{name} is set" for name in DEMO_FORBIDDEN_CREDENTIALS if getattr(self, name)]
        if self.WHATSAPP_MODE != "sandbox":
            problems.append("WHATSAPP_MODE must be 'sandbox'")
        if self.STRIPE_MODE != "sandbox":
            problems.append("STRIPE_MODE must be 'sandbox'")
        return problems

    def check_production(self) -> None:
        if self.APP_ENV == "production" and (problems := self.production_problems()):
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))

    def check_demo(self) -> None:
        if self.DEMO_MODE and (problems := self.demo_problems()):
            raise RuntimeError("Refusing to start with DEMO_MODE on: " + "; ".join(problems))

    # The artist's studio (/studio). Two accounts: the artist (password and/or a one-time link
    # sent to ARTIST_WHATSAPP_NUMBER) and a studio manager (password). A password setting holds
    # an argon2 hash made by `python -m api.studio.password`; empty means no password sign-in.
    STUDIO_ARTIST_LOGIN: str = "artist"
    STUDIO_ARTIST_PASSWORD_HASH: str = ""
    STUDIO_MANAGER_LOGIN: str = "manager"
    STUDIO_MANAGER_PASSWORD_HASH: str = ""
    STUDIO_SESSION_IDLE_HOURS: float = Field(default=24, gt=0)  # signed out after this idle
    STUDIO_SESSION_MAX_HOURS: float = Field(default=14 * 24, gt=0)  # and after this at most
    STUDIO_SIGNIN_LINK_MINUTES: int = Field(default=15, ge=1, le=24 * 60)
    # Sign-in attempts allowed per client address (and failed passwords per account) in the
    # window; more get 429 with Retry-After.
    STUDIO_SIGNIN_ATTEMPTS: int = Field(default=5, ge=1)
    STUDIO_SIGNIN_WINDOW_MINUTES: int = Field(default=15, ge=1)

    @field_validator("STUDIO_ARTIST_PASSWORD_HASH", "STUDIO_MANAGER_PASSWORD_HASH")
    @classmethod
    def _argon2_hash(cls, value: str) -> str:
        # Never the value in the error: it may be a password pasted by mistake.
        if value.strip() and not value.strip().startswith("$argon2"):
            raise ValueError("must be an argon2 hash made by `python -m api.studio.password`")
        return value.strip()

    @property
    def studio_cookies_secure(self) -> bool:
        """Session cookies only over HTTPS, except on a plain-HTTP local address."""
        return self.APP_ENV == "production" or self.PUBLIC_BASE_URL.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
