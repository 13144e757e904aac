"""The organization behind the Administration API (`/v1/organization/*`): users, invites, projects
(their users, service accounts, API keys, rate limits), admin API keys, audit logs, and usage and
costs aggregated from the organization's traffic. Model-serving groups record that traffic with
`record_principal_usage(principal, "completions", model=…, input_tokens=…, output_tokens=…)`."""

from openai_mock.resources.organization.core import Organization, caller_objects, organization
from openai_mock.resources.organization.usage import record_principal_usage, record_usage_event

__all__ = ["Organization", "caller_objects", "organization", "record_principal_usage", "record_usage_event"]
