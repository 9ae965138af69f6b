"""One settings object, read from the environment and `.env`."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT_DIR / ".data"

# Values that must never reach a non-development deployment.
INSECURE_SECRET = "change-me-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT_DIR / ".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # The public base URL of the API, used in links inside messages (unsubscribe, tracking).
    public_url: str = "http://localhost:8000"

    database_url: str = f"sqlite:///{DATA_DIR / 'nudge.db'}"
    database_echo: bool = False

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "nudge"
    temporal_ui_url: str = "http://localhost:8233"

    # Auth: the first admin API key and UI login; secrets for signing links and sessions.
    nudge_api_key: str | None = None
    admin_email: str = "admin@nudge.local"
    admin_password: str | None = None
    secret_key: str = INSECURE_SECRET
    session_ttl_seconds: int = Field(default=12 * 3600, gt=0)
    cors_origins: list[str] = ["http://localhost:5173"]

    # Channels: outbox is the offline default (a local mail catcher in the database).
    email_channel: Literal["outbox", "smtp"] = "outbox"
    email_from: str = "Nudge <hello@nudge.local>"
    smtp_host: str = "localhost"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    push_channel: Literal["outbox", "http"] = "outbox"
    push_url: str | None = None
    push_auth_header: str | None = None

    # AI: the offline provider is used when no key is set.
    ai_provider: Literal["auto", "openai", "offline"] = "auto"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    ai_model: str = "gpt-4o-mini"
    ai_timeout_seconds: float = 30.0

    # Demo data seeded into an empty database by the run command.
    seed_demo_customers: int = 2000

    # Flows: an enrolment of at least this many customers at once (segment entry, a segment or
    # campaign enrolment) walks them as one cohort workflow instead of one workflow each.
    flow_cohort_threshold: int = Field(default=200, ge=1)

    # Operations: log format, Prometheus, rate limits (requests per minute per client IP; 0 = off).
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)  # the worker's SDK metrics; 0 = off
    metrics_token: str | None = None  # when set, GET /metrics needs `Authorization: Bearer ...`
    # /metrics counts rows in the database at most this often (seconds); 0 counts every scrape.
    metrics_refresh_seconds: float = Field(default=30, ge=0)
    rate_limit_login_per_minute: int = Field(default=10, ge=0)
    rate_limit_public_per_minute: int = Field(default=600, ge=0)  # /t/... and /u/... links
    # A provider's send limit, enforced by Temporal across all workers: activities per second
    # started from the task queue (a send activity is one batch). 0 = no limit.
    worker_activities_per_second: float = Field(default=0, ge=0)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def smtp_enabled(self) -> bool:
        return self.email_channel == "smtp"

    @property
    def ai_enabled(self) -> bool:
        """True when a hosted model is configured; otherwise the offline provider answers."""
        if self.ai_provider == "offline":
            return False
        return bool(self.openai_api_key) or self.ai_provider == "openai"

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @model_validator(mode="after")
    def _refuse_insecure_defaults(self) -> "Settings":
        if self.environment == "production":
            if self.secret_key == INSECURE_SECRET:
                raise ValueError("SECRET_KEY must be set outside development")
            if "*" in self.cors_origins:
                raise ValueError("CORS_ORIGINS may not be '*': the UI sends credentials")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
