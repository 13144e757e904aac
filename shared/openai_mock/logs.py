"""The one logger (Powertools: structured JSON in Lambda, readable enough locally)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="openai-mock")
