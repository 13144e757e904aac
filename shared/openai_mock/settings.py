"""Every environment variable the mock reads, in one place (documented in docs/configuration.md)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENAI_MOCK_", extra="ignore")

    stage: str = "local"
    store: Literal["memory", "dynamodb"] = "memory"
    table_name: str = "openai-mock"
    bucket_name: str = ""
    dynamodb_endpoint: str | None = None
    s3_endpoint: str | None = None
    region: str = "us-east-1"
    # Stored objects expire after this many seconds (DynamoDB TTL); 0 keeps them forever.
    ttl_seconds: int = 7 * 24 * 3600
    # Deployment-wide seed; a request's `x-mock-seed` header wins over it.
    seed: int | None = None
    # Empty = accept any key. Otherwise only these keys (plus admin keys) are accepted.
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Keys accepted as organization admin keys besides the `sk-admin-` prefix.
    admin_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = 32 * 1024 * 1024
    log_level: str = "INFO"
    openai_version: str = "2020-10-01"

    @field_validator("api_keys", "admin_keys", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment, then call this)."""
    get_settings.cache_clear()
