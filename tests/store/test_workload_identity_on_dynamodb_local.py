"""Workload identity federation on DynamoDB Local, as Lambda with EnablePersistence=true runs it: a provider and
a rule made through one container, the token exchanged in another (the provider's index is global, like the key
registry), and the access token accepted by a third."""

from __future__ import annotations

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.org_sdk import org_client

ISSUER = "https://issuer.example"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_an_exchange_across_containers(on_dynamodb_local: str, mock_app: TemplateRouter) -> None:
    clock.freeze(1_780_000_000)
    admin = org_client(mock_app)
    jwk = {**jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "k1"}
    provider = admin.admin.organization.workload_identity_providers.create(
        name="CI", type="oidc", issuer=ISSUER, audience="openai",
        verification={"type": "uploaded_jwks", "jwks": {"keys": [jwk]}},
    )  # fmt: skip
    project = admin.admin.organization.projects.create(name="Federated")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="ci")
    admin.admin.organization.workload_identity_providers.federation_rules.create(
        provider.id, project_id=project.id, service_account_id=account.id, attribute_matchers={"sub": "job-1"}
    )
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container exchanges
    token = jwt.encode(
        {"iss": ISSUER, "aud": "openai", "sub": "job-1", "exp": 1_780_000_600}, KEY, "RS256", headers={"kid": "k1"}
    )
    http = TestClient(mock_app)
    granted = http.post(
        "/oauth/token",
        json={
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": token,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "identity_provider_id": provider.id,
            "service_account_id": account.id,
        },
    )
    assert granted.status_code == 200, granted.text

    reset_stores()  # a third serves the workload
    answer = http.get("/v1/models", headers={"Authorization": f"Bearer {granted.json()['access_token']}"})
    assert answer.status_code == 200 and answer.json()["data"]
