"""Workload identity federation through the official SDK: identity providers and federation rules
(`client.admin.organization.workload_identity_providers…`, operations the API gained after the 2026-08-21 spec,
held strictly to the SDK's models), and the SDK's `workload_identity` client option end to end: it trades a
signed identity token at the mock's `/oauth/token` for an access token of a service account, then calls the API
with it — bound by the account's project and the rule's scopes, refused for a token that does not match."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import openai
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from openai.types.admin.organization.workload_identity_provider import WorkloadIdentityProvider
from openai.types.admin.organization.workload_identity_provider_deleted import WorkloadIdentityProviderDeleted
from openai.types.admin.organization.workload_identity_providers.federation_rule import FederationRule

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.live_server import live_server
from tests.support.org_sdk import org_client
from tests.support.sdk import held

ISSUER = "https://token.actions.githubusercontent.com"
AUDIENCE = "https://api.openai.com/v1"
NOW = 1_780_000_000
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def _jwks(*keys: tuple[str, Any]) -> dict[str, Any]:
    found = []
    for kid, key in keys:
        algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
        found.append({**algorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid})
    return {"keys": found}


def _token(claims: dict[str, Any], key: Any = RSA_KEY, kid: str = "rsa-1", **headers: Any) -> str:
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "repo:acme/app:ref:refs/heads/main", "exp": NOW + 600, **claims}
    algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid, **headers})


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    return org_client(mock_app)


@pytest.fixture
def setup(admin: openai.OpenAI) -> dict[str, Any]:
    """A provider with uploaded keys, a project with two service accounts, a rule for each."""
    providers = admin.admin.organization.workload_identity_providers
    provider = held(
        WorkloadIdentityProvider,
        providers.with_raw_response.create(
            name="GitHub Actions",
            type="oidc",
            issuer=ISSUER,
            audience=AUDIENCE,
            verification={"type": "uploaded_jwks", "jwks": _jwks(("rsa-1", RSA_KEY), ("ec-1", EC_KEY))},
            attribute_transformations=[{"attribute": "repo", "expression": "assertion.repository"}],
        ),
    )
    project = admin.admin.organization.projects.create(name="CI")
    deployer = admin.admin.organization.projects.service_accounts.create(project.id, name="deployer")
    reader = admin.admin.organization.projects.service_accounts.create(project.id, name="reader")
    rules = providers.federation_rules
    deploy_rule = held(
        FederationRule,
        rules.with_raw_response.create(
            provider["id"],
            project_id=project.id,
            service_account_id=deployer.id,
            attribute_matchers={"repo": "acme/app", "ref": "refs/heads/main"},
            name="main branch deploys",
        ),
    )
    read_rule = rules.create(
        provider["id"],
        project_id=project.id,
        service_account_id=reader.id,
        attribute_matchers={"repo": "acme/app"},
        permissions={"type": "restricted", "scopes": ["api.all.read"]},
    )
    return {
        "provider": provider,
        "project": project,
        "deployer": deployer,
        "reader": reader,
        "rules": (deploy_rule, read_rule),
    }


def _client(base_url: str, provider_id: str, account_id: str, token: str) -> openai.OpenAI:
    client = openai.OpenAI(
        base_url=base_url,
        workload_identity={
            "identity_provider_id": provider_id,
            "service_account_id": account_id,
            "provider": {"token_type": "jwt", "get_token": lambda: token},
        },
        max_retries=0,
    )
    # The SDK exchanges at https://auth.openai.com/oauth/token; the mock serves the exchange at its own origin.
    client._workload_identity_auth.token_exchange_url = base_url.removesuffix("/v1") + "/oauth/token"  # type: ignore[union-attr]
    return client


CLAIMS = {"repository": "acme/app", "ref": "refs/heads/main"}


def test_providers_and_rules_are_stored_listed_updated_and_deleted(admin: openai.OpenAI, setup: dict[str, Any]) -> None:
    providers = admin.admin.organization.workload_identity_providers
    provider = setup["provider"]
    assert provider["id"].startswith("wip_") and provider["object"] == "organization.workload_identity_provider"
    assert (provider["enabled"], provider["created_at"], provider["updated_at"]) == (True, NOW, NOW)
    assert [item.id for item in providers.list().data] == [provider["id"]]
    clock.advance(60)
    updated = held(WorkloadIdentityProvider, providers.with_raw_response.update(provider["id"], description="CI"))
    assert (updated["description"], updated["updated_at"], updated["name"]) == ("CI", NOW + 60, "GitHub Actions")
    assert providers.retrieve(provider["id"]).description == "CI"

    rules = providers.federation_rules
    deploy_rule, read_rule = setup["rules"]
    assert deploy_rule["object"] == "organization.workload_identity_federation_rule"
    assert deploy_rule["permissions"] == {"type": "service_account_default"}
    listed = rules.list(provider["id"], order="asc")
    assert [rule.id for rule in listed.data] == [deploy_rule["id"], read_rule.id]
    only_reader = rules.list(provider["id"], service_account_id=setup["reader"].id)
    assert [rule.id for rule in only_reader.data] == [read_rule.id]
    changed = rules.update(read_rule.id, workload_identity_provider_id=provider["id"], enabled=False)
    assert changed.enabled is False and changed.attribute_matchers == {"repo": "acme/app"}
    assert rules.delete(read_rule.id, workload_identity_provider_id=provider["id"]).deleted
    with pytest.raises(openai.NotFoundError) as missing:
        rules.retrieve(read_rule.id, workload_identity_provider_id=provider["id"])
    assert missing.value.body["param"] == "workload_identity_federation_rule_id"  # type: ignore[index]

    deleted = held(WorkloadIdentityProviderDeleted, providers.with_raw_response.delete(provider["id"]))
    assert deleted == {
        "object": "organization.workload_identity_provider.deleted",
        "id": provider["id"],
        "deleted": True,
    }
    with pytest.raises(openai.NotFoundError):
        rules.list(provider["id"])


def test_a_workload_exchanges_its_token_and_acts_as_the_service_account(
    setup: dict[str, Any], admin: openai.OpenAI
) -> None:
    provider_id = setup["provider"]["id"]
    with live_server() as base_url:
        deployer = _client(base_url, provider_id, setup["deployer"].id, _token(CLAIMS))
        reply = deployer.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Ship it"}])
        assert reply.choices[0].message.content
        assert deployer.files.list() is not None

        reader = _client(
            base_url, provider_id, setup["reader"].id, _token({"repository": "acme/app", "ref": "refs/heads/dev"})
        )
        assert reader.models.list().data  # its rule's scopes: reads only
        with pytest.raises(openai.PermissionDeniedError):
            reader.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])

        # An EC key of the set signs as well.
        ec_client = _client(base_url, provider_id, setup["deployer"].id, _token(CLAIMS, key=EC_KEY, kid="ec-1"))
        assert ec_client.models.list().data
    usage = admin.admin.organization.usage.completions(start_time=NOW - 3_600, group_by=["project_id"])
    projects = {result.project_id for bucket in usage.data for result in bucket.results}
    assert setup["project"].id in projects  # the workload's traffic is the project's


@pytest.mark.parametrize(
    ("token_of", "code"),
    [
        (lambda: _token({"repository": "acme/other", "ref": "refs/heads/main"}), "invalid_grant"),  # no rule matches
        (lambda: _token({**CLAIMS, "exp": NOW - 1}), "invalid_subject_token"),  # expired by the mock clock
        (lambda: _token({**CLAIMS, "aud": "https://elsewhere"}), "invalid_subject_token"),
        (lambda: _token({**CLAIMS, "iss": "https://evil.example"}), "invalid_subject_token"),
        (
            lambda: _token(CLAIMS, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            "invalid_subject_token",
        ),
        (lambda: "not-a-jwt", "invalid_subject_token"),
    ],
)
def test_tokens_that_do_not_hold_are_refused(setup: dict[str, Any], token_of: Any, code: str) -> None:
    with live_server() as base_url:
        client = _client(base_url, setup["provider"]["id"], setup["deployer"].id, token_of())
        with pytest.raises(openai.OAuthError) as refused:
            client.models.list()
    assert refused.value.error == code and refused.value.status_code in (401, 403)


def test_the_exchange_answers_oauth_errors(setup: dict[str, Any], mock_app: TemplateRouter) -> None:
    from starlette.testclient import TestClient

    http = TestClient(mock_app)
    base = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": _token(CLAIMS),
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "identity_provider_id": setup["provider"]["id"],
        "service_account_id": setup["deployer"].id,
    }
    granted = http.post("/oauth/token", json=base)
    assert granted.status_code == 200 and granted.headers["cache-control"] == "no-store"
    assert granted.json()["token_type"] == "Bearer" and granted.json()["expires_in"] == 3_600
    token = granted.json()["access_token"]
    assert http.get("/v1/models", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    cases = [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"subject_token": ""}, 400, "invalid_request"),
        ({"identity_provider_id": "wip_missing"}, 403, "invalid_grant"),
        ({"service_account_id": "svc_acct_other"}, 403, "invalid_grant"),
    ]
    for change, status, code in cases:
        answer = http.post("/oauth/token", json={**base, **change})
        assert (answer.status_code, answer.json()["error"]) == (status, code), change
    assert http.post("/oauth/token", content=b"grant_type=x").json()["error"] == "invalid_request"
    clock.advance(3_600)  # an hour on: the access token is gone
    assert http.get("/v1/models", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _discovered(admin: openai.OpenAI, setup: dict[str, Any], issuer: str, name: str) -> Any:
    """A provider whose keys are discovered from `issuer`, and a rule making its `worker-7` the deployer."""
    providers = admin.admin.organization.workload_identity_providers
    discovered = providers.create(
        name=name, type="oidc", issuer=issuer, audience=AUDIENCE,
        verification={"type": "discovery", "discovery_url": None},
    )  # fmt: skip
    providers.federation_rules.create(
        discovered.id, project_id=setup["project"].id, service_account_id=setup["deployer"].id,
        attribute_matchers={"sub": "worker-7"},
    )  # fmt: skip
    return discovered


def test_discovery_reads_the_issuers_keys(admin: openai.OpenAI, setup: dict[str, Any], discovery_server: str) -> None:
    discovered = _discovered(admin, setup, discovery_server, "Self-hosted")
    with live_server() as base_url:
        token = _token({"iss": discovery_server, "sub": "worker-7"})
        assert _client(base_url, discovered.id, setup["deployer"].id, token).models.list().data


def test_an_exchange_waiting_for_its_issuer_holds_up_no_other_request(
    admin: openai.OpenAI, setup: dict[str, Any], discovery_server: str
) -> None:
    discovered = _discovered(admin, setup, discovery_server, "Slow issuer")
    ISSUER_GATE.clear()  # the issuer answers only once the gate opens
    with live_server() as base_url:
        token = _token({"iss": discovery_server, "sub": "worker-7"})
        workload = _client(base_url, discovered.id, setup["deployer"].id, token)
        exchanged: list[Any] = []
        waiting = threading.Thread(target=lambda: exchanged.append(workload.models.list()))
        waiting.start()
        assert ISSUER_ASKED.wait(10)  # the exchange is waiting for the issuer now
        other = openai.OpenAI(base_url=base_url, api_key="sk-someone", max_retries=0, timeout=10)
        assert other.models.list().data  # answered while the exchange still waits
        assert not exchanged
        ISSUER_GATE.set()
        waiting.join(10)
    assert exchanged and exchanged[0].data


ISSUER_GATE = threading.Event()
ISSUER_GATE.set()
ISSUER_ASKED = threading.Event()


@pytest.fixture
def discovery_server() -> Iterator[str]:
    """An OIDC issuer on a local port: its configuration (once `ISSUER_GATE` is open) and its keys."""
    keys = json.dumps(_jwks(("rsa-1", RSA_KEY))).encode()

    class Issuer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if "openid" in self.path:
                ISSUER_ASKED.set()
                ISSUER_GATE.wait(30)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            body = json.dumps({"issuer": base, "jwks_uri": base + "/keys"}).encode() if "openid" in self.path else keys
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        ISSUER_GATE.set()
        ISSUER_ASKED.clear()
        server.shutdown()


def test_bad_providers_and_rules_name_their_param(admin: openai.OpenAI, setup: dict[str, Any]) -> None:
    providers = admin.admin.organization.workload_identity_providers
    with pytest.raises(openai.BadRequestError) as bad_issuer:
        providers.create(name="x", type="oidc", issuer="token.example", audience=AUDIENCE)
    assert bad_issuer.value.body["param"] == "issuer"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as bad_jwks:
        providers.create(
            name="x", type="oidc", issuer=ISSUER, audience=AUDIENCE,
            verification={"type": "uploaded_jwks", "jwks": {"keys": [{"kty": "nope"}]}},
        )  # fmt: skip
    assert bad_jwks.value.body["param"] == "verification.jwks"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as no_name:
        admin.post(
            "/organization/workload_identity_providers",
            body={"type": "oidc", "issuer": ISSUER, "audience": "a"},
            cast_to=object,
        )
    assert no_name.value.body["param"] == "name"  # type: ignore[index]
    rules = providers.federation_rules
    provider_id = setup["provider"]["id"]
    project_id = setup["project"].id
    with pytest.raises(openai.BadRequestError) as bad_scope:
        rules.create(
            provider_id, project_id=project_id, service_account_id=setup["reader"].id, attribute_matchers={"a": "b"},
            permissions={"type": "restricted", "scopes": ["everything"]},
        )  # fmt: skip
    assert bad_scope.value.body["param"] == "permissions.scopes[0]"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError) as no_account:
        rules.create(
            provider_id, project_id=project_id, service_account_id="svc_acct_missing", attribute_matchers={"a": "b"}
        )
    assert no_account.value.body["param"] == "service_account_id"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as no_matchers:
        rules.create(provider_id, project_id=project_id, service_account_id=setup["reader"].id, attribute_matchers={})
    assert no_matchers.value.body["param"] == "attribute_matchers"  # type: ignore[index]
