"""Every environment variable the mock reads, in one place (documented in docs/configuration.md).

A pydantic model filled from `OPENAI_MOCK_*` variables: pydantic does the typing and validation, and the
layer does not pay pydantic-settings' import (~14 ms of every Lambda cold start, for cloud secret
providers, dotenv and CLI parsing that the mock never uses)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ENV_PREFIX = "OPENAI_MOCK_"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = "local"
    store: Literal["memory", "dynamodb", "sqlite"] = "memory"
    # The SQLite store's database file (`openai-mock serve --store sqlite:PATH`); its file bytes go in the folder
    # `blob_dir`, else `<PATH>.blobs` beside it.
    sqlite_path: str = ".openai-mock/store.sqlite3"
    table_name: str = "openai-mock"
    bucket_name: str = ""
    # A folder for file bytes instead of S3 (local runs: several `openai-mock serve` processes share it).
    blob_dir: str = ""
    dynamodb_endpoint: str | None = None
    s3_endpoint: str | None = None
    region: str = "us-east-1"
    # Stored objects expire after this many seconds (DynamoDB TTL); 0 keeps them forever.
    ttl_seconds: int = 7 * 24 * 3600
    # Deployment-wide seed; a request's `x-mock-seed` header wins over it.
    seed: int | None = None
    # Key lists are tuples: an immutable default needs no `default_factory`, whose signature pydantic would
    # inspect while building the model (~1.5 ms of every cold start).
    # Empty = accept any key. Otherwise only these keys (plus admin keys) are accepted.
    api_keys: tuple[str, ...] = ()
    # Keys accepted as organization admin keys besides the `sk-admin-` prefix.
    admin_keys: tuple[str, ...] = ()
    max_body_bytes: int = 32 * 1024 * 1024
    log_level: str = "INFO"
    openai_version: str = "2020-10-01"
    # How long a file attached to a vector store stays `in_progress` before it is indexed.
    vector_store_processing_seconds: float = 1.0
    # How long an Assistants run stays in each transient status (queued, in_progress, cancelling).
    assistants_run_stage_seconds: float = 1.0
    # How long a batch stays in each stage (validating, in_progress, finalizing, cancelling).
    batch_stage_seconds: float = Field(default=1.0, gt=0)
    # Clock-derived progress runs this many times faster (runs, batches, fine-tuning jobs, vector-store files):
    # every stage duration above, and a fine-tuning job's plan, is divided by it. Timestamps stay real.
    time_scale: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    # Mock controls (docs/controls.md): fixtures for every tenant, journal length, latency, faults, quotas.
    fixtures_file: str = ""
    journal_size: int = Field(default=100, ge=0)
    latency_ms: int = Field(default=0, ge=0)
    latency_jitter_ms: int = Field(default=0, ge=0)
    ttft_ms: int = Field(default=0, ge=0)
    tokens_per_second: float = Field(default=0, ge=0)
    fault_rate: float = Field(default=0, ge=0, le=1)
    fault_kind: str = "server_error"
    requests_per_minute: int = Field(default=10_000, ge=1)
    tokens_per_minute: int = Field(default=30_000_000, ge=1)
    # Model ids the catalogue lacks: "none" answers 404 model_not_found; "family" serves an id whose name a
    # known family's rule matches (gpt-5.9-mini as gpt-5-mini). Per request: x-mock-accept-unknown-models.
    accept_unknown_models: Literal["none", "family"] = "none"
    # Webhooks (docs/webhooks.md). Endpoints for every tenant from a file, like `fixtures_file`.
    webhooks_file: str = ""
    # Which delivery targets are allowed: "public" (a hosted deployment: no private, loopback or link-local
    # address), "loopback" (the local server's default: public ones and this machine), "any" (also private
    # networks and link-local addresses).
    webhook_targets: Literal["public", "loopback", "any"] = "loopback"
    # Seconds a receiver has to answer one delivery attempt before it counts as failed.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60, allow_inf_nan=False)
    # On AWS (docs/webhooks.md): the SQS queue the WebhooksFunction reads, and its dead-letter queue. Empty: the
    # process delivers itself (the local server's scheduler task).
    webhooks_queue_url: str = ""
    webhooks_dead_letter_queue_url: str = ""
    sqs_endpoint: str | None = None
    # Python graders (evals, /fine_tuning/alpha/graders, reinforcement fine-tuning): "refuse" answers OpenAI's
    # 400; "subprocess" runs each grader's `grade(sample, item)` in a separate, resource-limited Python process
    # (docs/evals.md says what that sandbox does and does not hold back).
    python_graders: Literal["refuse", "subprocess"] = "refuse"
    # The day the API answers as (docs/configuration.md): "" answers as the contract (2026-08-21) describes it;
    # a date (2026-10-01) answers as the real API did that day, past announced shut-downs (the Videos API and
    # Sora models on 2026-09-24) included; "clock" takes the day from the mock clock (the tenant's, when moved).
    # The key of the HMAC in the provenance manifest of every generated image (docs/content-provenance.md).
    provenance_secret: str = "openai-mock-provenance"
    as_of: str = ""

    def scaled(self, seconds: float) -> float:
        """A clock-derived duration at this deployment's time scale."""
        return seconds / self.time_scale

    @field_validator("api_keys", "admin_keys", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("as_of")
    @classmethod
    def _a_day(cls, value: str) -> str:
        if value not in ("", "clock"):
            date.fromisoformat(value)  # a ValueError is pydantic's validation error
        return value

    @field_validator("seed", "dynamodb_endpoint", "s3_endpoint", "sqs_endpoint", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # CloudFormation cannot leave a variable out, only set it empty (e.g. MockSeed="").
        return None if value == "" else value

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        values = {
            name: environ[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if ENV_PREFIX + name.upper() in environ
        }
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environment()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment, then call this)."""
    get_settings.cache_clear()
