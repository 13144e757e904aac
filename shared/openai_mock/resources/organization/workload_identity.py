"""Workload identity federation: a workload (a CI job, a Kubernetes pod, a cloud VM) trades an identity token its
platform issued for a short-lived access token of one of the organization's service accounts, with no API key.
Operations the API gained after the 2026-08-21 spec, served as the official SDK calls them:

- identity providers (`client.admin.organization.workload_identity_providers`): an OIDC issuer, the audience its
  tokens must carry, how their signatures are checked (`uploaded_jwks`, or `discovery` of the issuer's keys), and
  attribute transformations (`assertion.<claim>`: a claim under another name);
- federation rules (`….federation_rules`): which tokens (`attribute_matchers`: claim → value, all to match) become
  which service account, with its own permissions or `restricted` scopes;
- the token exchange (`POST /oauth/token`, RFC 8693: what the SDK's `workload_identity` option calls): the token's
  signature, issuer, audience and lifetime (by the mock clock) checked, the first enabled rule of the provider for
  the requested service account whose matchers hold picked, and an access token answered that authenticates as
  that service account (its project, roles and the rule's scopes) for an hour.

A provider belongs to the organization that made it; the exchange carries no key, so a global index names the
organization of each provider id (as the key registry does for keys)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
import jwt

from openai_mock import clock, ids
from openai_mock.checks import check_length
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import admin_api_keys
from openai_mock.resources.organization.core import PROJECTS, Organization, all_items, service_accounts
from openai_mock.store import get_store
from openai_mock.web.auth import KEY_REGISTRY_TENANT, WORKLOAD_TOKEN_PREFIX
from openai_mock.web.permissions import valid_key_scope

PROVIDERS = "organization.workload_identity_provider"
_INDEX = "workload_identity_provider"  # under KEY_REGISTRY_TENANT: provider id → its organization
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
SUBJECT_TOKEN_TYPES = ("urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token")
ACCESS_TOKEN_SECONDS = 3_600
_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
_CLAIM = re.compile(r"^assertion(?:\.([A-Za-z_][\w-]*)|\[['\"]([^'\"]+)['\"]\])$")


def rules(provider_id: str) -> str:
    return f"organization.workload_identity_federation_rule/{provider_id}"


# --- providers ------------------------------------------------------------------------------------


def _check_provider(fields: dict[str, Any]) -> None:
    for name in ("name", "issuer", "audience"):
        if name in fields:
            check_length(fields[name].strip(), name, 256, minimum=1)
    if "issuer" in fields and not re.match(r"^https?://[^\s/]+", fields["issuer"]):
        raise invalid_request(
            f"Invalid 'issuer': '{fields['issuer']}' is not an http(s) URL.", "issuer", "invalid_value"
        )
    verification = fields.get("verification") or {}
    if verification.get("type") == "uploaded_jwks":
        try:
            jwt.PyJWKSet.from_dict(verification["jwks"])
        except (jwt.PyJWKSetError, jwt.PyJWKError, KeyError, TypeError) as error:
            raise invalid_request(
                f"Invalid 'verification.jwks': not a JSON Web Key Set of usable keys ({error}).",
                "verification.jwks",
                "invalid_value",
            ) from None
    for index, transformation in enumerate(fields.get("attribute_transformations") or ()):
        for name in ("attribute", "expression"):
            check_length(transformation[name].strip(), f"attribute_transformations[{index}].{name}", 256, minimum=1)


def create_provider(org: Organization, fields: dict[str, Any]) -> dict[str, Any]:
    _check_provider(fields)
    now = clock.now_seconds()
    provider = {
        "id": ids.new_id(PROVIDERS),
        "object": PROVIDERS,
        "type": "oidc",
        "name": fields["name"],
        "issuer": fields["issuer"],
        "audience": fields["audience"],
        "description": fields.get("description"),
        "enabled": fields.get("enabled", True),
        "attribute_transformations": fields.get("attribute_transformations") or [],
        "verification": fields.get("verification") or {"type": "discovery", "discovery_url": None},
        "created_at": now,
        "updated_at": now,
    }
    get_store().create(KEY_REGISTRY_TENANT, _INDEX, {"id": provider["id"], "tenant": org.tenant, "org": org.id})
    return get_store().create(org.tenant, PROVIDERS, provider)


def retrieve_provider(org: Organization, provider_id: str) -> dict[str, Any]:
    provider = get_store().get(org.tenant, PROVIDERS, provider_id)
    if provider is None:
        raise not_found("WorkloadIdentityProvider", provider_id, "workload_identity_provider_id")
    return provider


def list_providers(org: Organization, params: ListParams) -> dict[str, Any]:
    page = get_store().list(org.tenant, PROVIDERS, limit=params.limit, order=params.order, after=params.after)
    return list_object(page)


def update_provider(org: Organization, provider_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    retrieve_provider(org, provider_id)
    _check_provider(changes)
    now = clock.now_seconds()
    updated = get_store().update(
        org.tenant, PROVIDERS, provider_id, lambda provider: {**provider, **changes, "updated_at": now}
    )
    assert updated is not None
    return updated


def delete_provider(org: Organization, provider_id: str) -> dict[str, Any]:
    """The provider and its federation rules; its tokens are exchanged no more (access tokens already given stand
    until they expire)."""
    retrieve_provider(org, provider_id)
    for rule in all_items(org.tenant, rules(provider_id)):
        get_store().delete(org.tenant, rules(provider_id), rule["id"])
    get_store().delete(org.tenant, PROVIDERS, provider_id)
    get_store().delete(KEY_REGISTRY_TENANT, _INDEX, provider_id)
    return {"object": f"{PROVIDERS}.deleted", "id": provider_id, "deleted": True}


# --- federation rules -------------------------------------------------------------------------------

RULE = "organization.workload_identity_federation_rule"


def _check_rule(org: Organization, fields: dict[str, Any]) -> None:
    if "project_id" in fields:
        if get_store().get(org.tenant, PROJECTS, fields["project_id"]) is None:
            raise not_found("Project", fields["project_id"], "project_id")
        account = get_store().get(org.tenant, service_accounts(fields["project_id"]), fields["service_account_id"])
        if account is None:
            raise not_found("ProjectServiceAccount", fields["service_account_id"], "service_account_id")
    if "attribute_matchers" in fields and not fields["attribute_matchers"]:
        raise invalid_request(
            "Invalid 'attribute_matchers': expected at least one attribute to match.",
            "attribute_matchers",
            "invalid_value",
        )
    permissions = fields.get("permissions") or {}
    for index, scope in enumerate(permissions.get("scopes") or ()):
        if not valid_key_scope(scope):
            raise invalid_request(
                f"Invalid scope '{scope}'. Use project permission names such as 'api.files.read', "
                "'api.model.request' or 'api.all.read'.",
                f"permissions.scopes[{index}]",
                "invalid_value",
            )


def create_rule(org: Organization, provider_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    retrieve_provider(org, provider_id)
    _check_rule(org, fields)
    now = clock.now_seconds()
    rule = {
        "id": ids.new_id(RULE),
        "object": RULE,
        "workload_identity_provider_id": provider_id,
        "project_id": fields["project_id"],
        "service_account_id": fields["service_account_id"],
        "name": fields.get("name"),
        "description": fields.get("description"),
        "enabled": fields.get("enabled", True),
        "attribute_matchers": fields["attribute_matchers"],
        "permissions": fields.get("permissions") or {"type": "service_account_default"},
        "created_at": now,
        "updated_at": now,
    }
    return get_store().create(org.tenant, rules(provider_id), rule)


def retrieve_rule(org: Organization, provider_id: str, rule_id: str) -> dict[str, Any]:
    retrieve_provider(org, provider_id)
    rule = get_store().get(org.tenant, rules(provider_id), rule_id)
    if rule is None:
        raise not_found("WorkloadIdentityFederationRule", rule_id, "workload_identity_federation_rule_id")
    return rule


def list_rules(
    org: Organization, provider_id: str, params: ListParams, service_account_id: str | None
) -> dict[str, Any]:
    retrieve_provider(org, provider_id)

    def wanted(rule: dict[str, Any]) -> bool:
        return service_account_id is None or rule["service_account_id"] == service_account_id

    page = get_store().list(
        org.tenant, rules(provider_id), limit=params.limit, order=params.order, after=params.after, where=wanted
    )
    return list_object(page)


def update_rule(org: Organization, provider_id: str, rule_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    retrieve_rule(org, provider_id, rule_id)
    _check_rule(org, changes)
    now = clock.now_seconds()
    updated = get_store().update(
        org.tenant, rules(provider_id), rule_id, lambda rule: {**rule, **changes, "updated_at": now}
    )
    assert updated is not None
    return updated


def delete_rule(org: Organization, provider_id: str, rule_id: str) -> dict[str, Any]:
    retrieve_rule(org, provider_id, rule_id)
    get_store().delete(org.tenant, rules(provider_id), rule_id)
    return {"object": f"{RULE}.deleted", "id": rule_id, "deleted": True}


# --- the token exchange ---------------------------------------------------------------------------------


class OAuthError(Exception):
    """An RFC 6749 error answer: `{"error": code, "error_description": …}`."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.description}


def _signing_keys(provider: dict[str, Any]) -> jwt.PyJWKSet:
    """The provider's keys: uploaded, or discovered from the issuer's OpenID configuration (fetched each time)."""
    verification = provider["verification"]
    if verification["type"] == "uploaded_jwks":
        return jwt.PyJWKSet.from_dict(verification["jwks"])
    configuration = (
        verification.get("discovery_url") or provider["issuer"].rstrip("/") + "/.well-known/openid-configuration"
    )
    try:
        with httpx.Client(timeout=5.0, follow_redirects=True) as client:
            jwks_uri = client.get(configuration).raise_for_status().json()["jwks_uri"]
            return jwt.PyJWKSet.from_dict(client.get(jwks_uri).raise_for_status().json())
    except (httpx.HTTPError, ValueError, KeyError, TypeError, jwt.PyJWKSetError) as error:
        raise OAuthError(
            401, "invalid_subject_token", f"The identity provider's signing keys could not be read: {error}"
        ) from None


def _verified_claims(provider: dict[str, Any], token: str) -> dict[str, Any]:
    """The token's claims once its signature, issuer, audience and lifetime hold (the lifetime by the mock clock)."""
    try:
        header = jwt.get_unverified_header(token)
        keys = _signing_keys(provider).keys
        matching = [key for key in keys if header.get("kid") in (None, key.key_id)] or keys
        claims: dict[str, Any] = {}
        for key in matching:
            try:
                claims = jwt.decode(
                    token,
                    key.key,
                    algorithms=_ALGORITHMS,
                    audience=provider["audience"],
                    issuer=provider["issuer"],
                    options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "require": ["exp", "sub"]},
                )
                break
            except jwt.InvalidSignatureError:
                continue
        else:
            raise jwt.InvalidSignatureError("the signature matches none of the provider's keys")
    except jwt.PyJWTError as error:
        raise OAuthError(401, "invalid_subject_token", f"The subject token is not valid: {error}.") from None
    now = clock.now_seconds()
    if now >= claims["exp"]:
        raise OAuthError(401, "invalid_subject_token", "The subject token has expired.")
    if "nbf" in claims and now < claims["nbf"]:
        raise OAuthError(401, "invalid_subject_token", "The subject token is not valid yet.")
    return claims


def _attributes(provider: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """The claims, and the attributes the provider's transformations name (`assertion.<claim>` read; other
    expressions set nothing)."""
    attributes = dict(claims)
    for transformation in provider["attribute_transformations"]:
        found = _CLAIM.match(transformation["expression"].strip())
        claim = found and (found.group(1) or found.group(2))
        if claim and claim in claims:
            attributes[transformation["attribute"]] = claims[claim]
    return attributes


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(actual, list):  # a multi-valued claim (groups): one of its values
        return expected in actual
    return bool(type(expected) is type(actual) and expected == actual)


def exchange(fields: dict[str, Any]) -> dict[str, Any]:
    """`POST /oauth/token`: an access token for the service account, or an OAuthError."""
    for name in ("grant_type", "subject_token", "subject_token_type", "identity_provider_id", "service_account_id"):
        if not isinstance(fields.get(name), str) or not fields[name]:
            raise OAuthError(400, "invalid_request", f"Missing required parameter: '{name}'.")
    if fields["grant_type"] != GRANT_TYPE:
        raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type '{fields['grant_type']}'.")
    if fields["subject_token_type"] not in SUBJECT_TOKEN_TYPES:
        raise OAuthError(400, "invalid_request", f"Unsupported subject_token_type '{fields['subject_token_type']}'.")
    owner = get_store().get(KEY_REGISTRY_TENANT, _INDEX, fields["identity_provider_id"])
    provider = get_store().get(owner["tenant"], PROVIDERS, owner["id"]) if owner is not None else None
    if owner is None or provider is None or not provider["enabled"]:
        raise OAuthError(
            403, "invalid_grant", f"Unknown or disabled identity provider '{fields['identity_provider_id']}'."
        )
    claims = _verified_claims(provider, fields["subject_token"])
    attributes = _attributes(provider, claims)
    wanted = fields["service_account_id"]
    for rule in all_items(owner["tenant"], rules(provider["id"])):
        if not rule["enabled"] or rule["service_account_id"] != wanted:
            continue
        if all(_matches(value, attributes.get(name)) for name, value in rule["attribute_matchers"].items()):
            return _access_token(Organization(owner["tenant"], owner["org"], "", ""), rule)
    raise OAuthError(
        403, "invalid_grant", f"No enabled federation rule lets this token act as service account '{wanted}'."
    )


def _access_token(org: Organization, rule: dict[str, Any]) -> dict[str, Any]:
    """An hour's access token of the rule's service account: registered as its keys are (it authenticates as the
    project, bound by the account's roles and the rule's scopes), usage attributed to the rule."""
    project = get_store().get(org.tenant, PROJECTS, rule["project_id"])
    account = get_store().get(org.tenant, service_accounts(rule["project_id"]), rule["service_account_id"])
    if project is None or project["status"] != "active" or account is None:
        raise OAuthError(403, "invalid_grant", f"Service account '{rule['service_account_id']}' cannot be used.")
    secret = WORKLOAD_TOKEN_PREFIX + secrets.token_urlsafe(48)
    permissions = rule["permissions"]
    admin_api_keys.register(
        secret,
        org,
        rule["id"],
        is_admin=False,
        project_id=rule["project_id"],
        owner_id=rule["service_account_id"],
        expires_at=clock.now_seconds() + ACCESS_TOKEN_SECONDS,
        scopes=list(permissions.get("scopes") or []) if permissions["type"] == "restricted" else None,
    )
    return {
        "access_token": secret,
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
    }
