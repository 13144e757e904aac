"""template.yaml is the single source of truth for routing: checked against the apps, the official
operation list, the README's table of groups, SAM's transform and cfn-lint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from samtranslator.public.translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

from openai_mock.local.template import Template
from tests.support.spec import load_operations

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Template(REPO / "template.yaml")
README = (REPO / "README.md").read_text()


def _app_routes(function) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return set(function.load_app().state.served_routes)


API_FUNCTIONS = [function for function in TEMPLATE.functions if function.routes]
# Functions that read a queue instead of serving routes: only the webhooks worker (docs/webhooks.md).
WORKERS = [function for function in TEMPLATE.functions if not function.routes]


@pytest.mark.parametrize("function", API_FUNCTIONS, ids=lambda f: f.logical_id)
def test_template_routes_equal_the_app_routes(function) -> None:  # type: ignore[no-untyped-def]
    declared = {(route.method, route.path) for route in function.routes}
    assert declared == _app_routes(function)


def test_the_only_function_without_routes_is_the_webhooks_worker() -> None:
    resources = TEMPLATE.document["Resources"]
    assert [function.logical_id for function in WORKERS] == ["WebhooksFunction"]
    assert "Events" not in resources["WebhooksFunction"]["Properties"]
    mapping = resources["WebhooksQueueMapping"]["Properties"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": "WebhooksQueue.Arn"}
    assert mapping["FunctionName"] == {"Ref": "WebhooksFunction"}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Its app serves only what the Lambda Web Adapter posts non-HTTP events to (StreamingMode=stream).
    paths = {route.path for route in WORKERS[0].load_app().routes if getattr(route, "methods", None)}
    assert paths == {"/events"}


def test_the_webhooks_queue_dead_letters_to_an_alarmed_queue() -> None:
    resources = TEMPLATE.document["Resources"]
    redrive = resources["WebhooksQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": "WebhooksDeadLetterQueue.Arn"}
    alarm = resources["WebhooksDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": "WebhooksDeadLetterQueue.QueueName"}}]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Threshold"] == 0


@pytest.mark.parametrize("function", TEMPLATE.functions, ids=lambda f: f.logical_id)
def test_function_shape(function) -> None:  # type: ignore[no-untyped-def]
    resource = TEMPLATE.document["Resources"][function.logical_id]["Properties"]
    assert function.code_uri_relative.parts[0] == "functions"
    assert (function.code_uri / "app.py").is_file()
    assert "Runtime" not in resource and "Layers" not in resource, "runtime and layer come from Globals"
    for name, event in resource.get("Events", {}).items():
        assert event["Properties"]["RestApiId"] == {"Ref": "MockApi"}, name


def test_every_route_belongs_to_one_function() -> None:
    seen: dict[tuple[str, str], str] = {}
    for function in TEMPLATE.functions:
        for route in function.routes:
            key = (route.method, route.path)
            assert key not in seen, f"{key} is routed to {seen[key]} and {function.logical_id}"
            seen[key] = function.logical_id


def _readme_status() -> dict[str, str]:
    """The README's group table: | Group | Function | Operations | Status |."""
    rows = re.findall(r"^\| ([^|]+?) \| `?([^|`]*?)`? \| (\d+) \| ([^|]+?) \|$", README, re.MULTILINE)
    return {group: status.strip() for group, _function, _count, status in rows}


def test_every_operation_is_routed_or_listed_as_not_yet() -> None:
    """The README's table is the one list of what is implemented; the template must agree with it."""
    routed = {(route.method, route.path) for function in TEMPLATE.functions for route in function.routes}
    status = _readme_status()
    operations = load_operations()
    assert len(operations) == 122
    for group in {operation.group for operation in operations}:
        assert group in status, f"README table lacks the group {group!r}"
    # A path parameter renamed since (2026: `/api_keys/{api_key_id}` for 2025's `{key_id}`) is the same URL.
    same_url = {(method, re.sub(r"{\w+}", "{}", path)) for method, path in routed}
    for operation in operations:
        is_routed = (operation.method.upper(), re.sub(r"{\w+}", "{}", "/v1" + operation.path)) in same_url
        claimed = status[operation.group]
        if claimed == "implemented":
            assert is_routed, f"{operation.operation_id} ({operation.group}) is marked implemented but not routed"
        else:
            assert claimed == "not yet", f"unknown status {claimed!r} for {operation.group}"
            assert not is_routed, f"{operation.operation_id} is routed but {operation.group} says 'not yet'"


# Paths the official SDK calls for an operation the spec writes another way (the SDK is the judge).
SDK_PATHS = {("POST", "/v1/evals/{eval_id}/runs/{run_id}/cancel")}  # evals.runs.cancel: cancelEvalRun
# Operations the API gained after the 2026-08-21 spec, served as the official SDK calls them (its models are their
# shapes; tests/unit/test_gen_sdk_coverage.py checks the SDK calls each of them).
SDK_ONLY = {
    ("POST", "/v1/webhook_endpoints"),
    ("GET", "/v1/webhook_endpoints"),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint_id}"),
    ("POST", "/v1/webhook_endpoints/{webhook_endpoint_id}"),
    ("DELETE", "/v1/webhook_endpoints/{webhook_endpoint_id}"),
    ("POST", "/v1/webhook_endpoints/{webhook_endpoint_id}/rotate_secret"),
    ("POST", "/v1/webhook_endpoints/{webhook_endpoint_id}/test"),
    ("GET", "/v1/webhook_event_types"),
    ("POST", "/v1/organization/projects/{project_id}/api_keys/{api_key_id}"),
    ("DELETE", "/v1/audio/voices/{voice_id}"),
    ("GET", "/v1/organization/projects/{project_id}/service_tier_settings"),
    ("POST", "/v1/organization/projects/{project_id}/service_tier_settings"),
    ("POST", "/v1/decisions"),
    ("GET", "/v1/organization/usage/decisions"),
    ("POST", "/v1/organization/health/alert_rules"),
    ("GET", "/v1/organization/health/alert_rules"),
    ("GET", "/v1/organization/health/alert_rules/{alert_rule_id}"),
    ("POST", "/v1/organization/health/alert_rules/{alert_rule_id}"),
    ("DELETE", "/v1/organization/health/alert_rules/{alert_rule_id}"),
    ("GET", "/v1/organization/health/alerts/{alert_id}"),
    ("POST", "/v1/organization/projects/{project_id}/health/alert_rules"),
    ("GET", "/v1/organization/projects/{project_id}/health/alert_rules"),
    ("GET", "/v1/organization/projects/{project_id}/health/alert_rules/{alert_rule_id}"),
    ("POST", "/v1/organization/projects/{project_id}/health/alert_rules/{alert_rule_id}"),
    ("DELETE", "/v1/organization/projects/{project_id}/health/alert_rules/{alert_rule_id}"),
    ("GET", "/v1/organization/projects/{project_id}/health/alerts/{alert_id}"),
    ("POST", "/v1/organization/workload_identity_providers"),
    ("GET", "/v1/organization/workload_identity_providers"),
    ("GET", "/v1/organization/workload_identity_providers/{workload_identity_provider_id}"),
    ("POST", "/v1/organization/workload_identity_providers/{workload_identity_provider_id}"),
    ("DELETE", "/v1/organization/workload_identity_providers/{workload_identity_provider_id}"),
    ("POST", "/v1/organization/workload_identity_providers/{workload_identity_provider_id}/federation_rules"),
    ("GET", "/v1/organization/workload_identity_providers/{workload_identity_provider_id}/federation_rules"),
    (
        "GET",
        "/v1/organization/workload_identity_providers/{workload_identity_provider_id}/federation_rules/"
        "{workload_identity_federation_rule_id}",
    ),
    (
        "POST",
        "/v1/organization/workload_identity_providers/{workload_identity_provider_id}/federation_rules/"
        "{workload_identity_federation_rule_id}",
    ),
    (
        "DELETE",
        "/v1/organization/workload_identity_providers/{workload_identity_provider_id}/federation_rules/"
        "{workload_identity_federation_rule_id}",
    ),
    ("POST", "/v1/organization/external_keys"),
    ("GET", "/v1/organization/external_keys"),
    ("GET", "/v1/organization/external_keys/{external_key_id}"),
    ("DELETE", "/v1/organization/external_keys/{external_key_id}"),
    ("POST", "/v1/organization/external_keys/{external_key_id}/validate"),
    ("POST", "/v1/organization/external_storage"),
    ("GET", "/v1/organization/external_storage"),
    ("GET", "/v1/organization/external_storage/{external_storage_id}"),
    ("DELETE", "/v1/organization/external_storage/{external_storage_id}"),
    ("POST", "/v1/organization/external_storage/{external_storage_id}/validate"),
}
SDK_ONLY |= {("GET", "/v1/safety/alerts/{id}"), ("GET", "/v1/safety/cases/{id}")}
# The Agents API (beta: agents, vaults, environments, sessions, automations) and Live sessions.
SDK_ONLY |= {
    ("POST", "/v1/agents"),
    ("GET", "/v1/agents"),
    ("GET", "/v1/agents/{agent_id}"),
    ("POST", "/v1/agents/{agent_id}"),
    ("DELETE", "/v1/agents/{agent_id}"),
    ("POST", "/v1/vaults"),
    ("GET", "/v1/vaults"),
    ("GET", "/v1/vaults/{vault_id}"),
    ("POST", "/v1/vaults/{vault_id}"),
    ("DELETE", "/v1/vaults/{vault_id}"),
    ("POST", "/v1/vaults/{vault_id}/credentials"),
    ("GET", "/v1/vaults/{vault_id}/credentials"),
    ("GET", "/v1/vaults/{vault_id}/credentials/{credential_id}"),
    ("POST", "/v1/vaults/{vault_id}/credentials/{credential_id}"),
    ("DELETE", "/v1/vaults/{vault_id}/credentials/{credential_id}"),
    ("POST", "/v1/agents/environments/templates"),
    ("GET", "/v1/agents/environments/templates"),
    ("GET", "/v1/agents/environments/templates/{environment_template_id}"),
    ("POST", "/v1/agents/environments/templates/{environment_template_id}"),
    ("DELETE", "/v1/agents/environments/templates/{environment_template_id}"),
    ("POST", "/v1/agents/environments"),
    ("GET", "/v1/agents/environments"),
    ("GET", "/v1/agents/environments/{environment_id}"),
    ("POST", "/v1/agents/environments/{environment_id}/files"),
    ("GET", "/v1/agents/environments/{environment_id}/files"),
    ("POST", "/v1/agents/sessions"),
    ("GET", "/v1/agents/sessions"),
    ("GET", "/v1/agents/sessions/{session_id}"),
    ("POST", "/v1/agents/sessions/{session_id}"),
    ("DELETE", "/v1/agents/sessions/{session_id}"),
    ("POST", "/v1/agents/sessions/{session_id}/events"),
    ("GET", "/v1/agents/sessions/{session_id}/events"),
    ("GET", "/v1/agents/sessions/{session_id}/items"),
    ("GET", "/v1/agents/sessions/{session_id}/turns"),
    ("GET", "/v1/agents/sessions/{session_id}/turns/{turn_id}"),
    ("GET", "/v1/agents/sessions/{session_id}/turns/{turn_id}/items"),
    ("GET", "/v1/agents/sessions/{session_id}/traces"),
    ("GET", "/v1/agents/sessions/{session_id}/artifacts"),
    ("GET", "/v1/agents/sessions/{session_id}/artifacts/{artifact_id}"),
    ("DELETE", "/v1/agents/sessions/{session_id}/artifacts/{artifact_id}"),
    ("GET", "/v1/agents/sessions/{session_id}/artifacts/{artifact_id}/content"),
    ("GET", "/v1/agents/sessions/{session_id}/subagents"),
    ("GET", "/v1/agents/sessions/{session_id}/subagents/{subagent_id}"),
    ("GET", "/v1/agents/sessions/{session_id}/subagents/{subagent_id}/items"),
    ("GET", "/v1/agents/sessions/{session_id}/subagents/{subagent_id}/turns"),
    ("GET", "/v1/agents/sessions/{session_id}/subagents/{subagent_id}/turns/{turn_id}"),
    ("GET", "/v1/agents/sessions/{session_id}/subagents/{subagent_id}/turns/{turn_id}/items"),
    ("POST", "/v1/agents/automations"),
    ("GET", "/v1/agents/automations"),
    ("GET", "/v1/agents/automations/{automation_id}"),
    ("POST", "/v1/agents/automations/{automation_id}"),
    ("DELETE", "/v1/agents/automations/{automation_id}"),
    ("POST", "/v1/agents/automations/{automation_id}/pause"),
    ("POST", "/v1/agents/automations/{automation_id}/resume"),
    ("POST", "/v1/agents/automations/{automation_id}/invocations"),
    ("GET", "/v1/agents/automations/{automation_id}/invocations"),
    ("GET", "/v1/agents/automations/{automation_id}/invocations/{invocation_id}"),
    ("POST", "/v1/live/sessions"),
    ("POST", "/v1/live/sessions/{session_id}/accept"),
    ("GET", "/v1/live/sessions/{session_id}/content"),
    ("POST", "/v1/live/sessions/{session_id}/fork"),
    ("POST", "/v1/live/sessions/{session_id}/hangup"),
    ("POST", "/v1/live/sessions/{session_id}/refer"),
    ("POST", "/v1/live/sessions/{session_id}/reject"),
}
# Not API operations but what the SDK calls beside them: the token exchange of workload identity federation
# (`POST https://auth.openai.com/oauth/token`, served by the mock at its own /oauth/token).
AUTH_ROUTES = {("POST", "/oauth/token")}


def test_every_route_is_an_official_operation() -> None:
    # The 2025-03 operations, and those of today's API (2026-08-21) already served; a `?beta=true` twin of a
    # path is the same route.
    official = (
        {
            (op.method.upper(), "/v1" + op.path.partition("?")[0])
            for version in ("2025-03-11", "2026-08-21")
            for op in load_operations(version)
        }
        | SDK_PATHS
        | SDK_ONLY
        | AUTH_ROUTES
    )
    for function in TEMPLATE.functions:
        for route in function.routes:
            if route.path == "/{proxy+}":  # the catch-all: OpenAI's 404 for any path no operation claims
                continue
            if route.path.startswith("/__mock/"):  # the mock's own controls (docs/controls.md), never /v1
                continue
            assert (route.method, route.path) in official, f"{function.logical_id}: {route} is not in the spec"


def test_cfn_lint_is_clean() -> None:
    from cfnlint.api import lint_all

    matches = lint_all((REPO / "template.yaml").read_text())
    # Errors and warnings; cfn-lint's informational rules are advice about the template's metadata.
    assert [str(match) for match in matches if match.rule.id[0] in "EW"] == []


@pytest.mark.parametrize("persistence", ["true", "false"])
def test_sam_transform_succeeds(persistence: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from cfnlint.decode import decode_str

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the transform builds ARNs; no AWS call is made
    document, errors = decode_str((REPO / "template.yaml").read_text())
    assert not errors
    document["Parameters"]["EnablePersistence"]["Default"] = persistence
    # `sam package` replaces local code paths with S3 locations before the transform runs; do the same.
    for name, resource in document["Resources"].items():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = f"s3://openai-mock-artifacts/{name}.zip"

    class _NoIamPolicies(ManagedPolicyLoader):
        def __init__(self) -> None:  # offline: no IAM calls
            pass

        def load(self) -> dict[str, str]:
            return {}

    transformed = transform(document, {}, _NoIamPolicies())
    resources = transformed["Resources"]
    functions = [name for name, res in resources.items() if res["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == len(TEMPLATE.functions)
    assert any(res["Type"] == "AWS::ApiGateway::RestApi" for res in resources.values())
    assert any(res["Type"] == "AWS::Lambda::LayerVersion" for res in resources.values())


def test_table_keys_match_the_dynamodb_store() -> None:
    from openai_mock.store.dynamodb import TABLE_ATTRIBUTES, TABLE_KEY_SCHEMA

    table = TEMPLATE.document["Resources"]["ObjectsTable"]["Properties"]
    assert table["KeySchema"] == TABLE_KEY_SCHEMA
    assert table["AttributeDefinitions"] == TABLE_ATTRIBUTES
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_runtime_is_python313_everywhere() -> None:
    """The functions, the layer's compatible runtimes, its build (shared/Makefile) and its lock agree on CPython
    3.13 (Amazon Linux 2023); the package itself still installs on 3.11+."""
    from tools import lock_layer

    globals_ = TEMPLATE.document["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    layer = TEMPLATE.document["Resources"]["ResponseGenerationLayer"]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["ContentUri"] == "shared/"
    layer_build = (REPO / "shared" / "Makefile").read_text()
    assert f"--python-version {lock_layer.PYTHON_VERSION} " in layer_build
    assert f"--python-platform {lock_layer.PLATFORM} " in layer_build
    assert "--require-hashes -r requirements.lock" in layer_build
    assert lock_layer.PYTHON_VERSION == "3.13"
    assert 'requires-python = ">=3.11"' in (REPO / "pyproject.toml").read_text()


def test_layer_lock_is_resolved_from_pyproject() -> None:
    import subprocess
    import sys

    from packaging.requirements import Requirement

    from tools import lock_layer

    check = subprocess.run([sys.executable, "tools/lock_layer.py", "--check"], cwd=REPO, capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
    # Every dependency is pinned, with hashes, at a version its pyproject.toml range admits.
    lock = lock_layer.TARGET.read_text()
    pins = dict(line.split(" ")[0].split("==") for line in lock.splitlines() if "==" in line)
    for dependency in map(Requirement, lock_layer.dependencies()):
        name = dependency.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in the lock"
        assert dependency.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {dependency.specifier}"
    assert lock.count("--hash=sha256:") >= len(pins)


def test_layer_lock_check_notices_a_changed_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    from tools import lock_layer

    assert lock_layer.is_current()
    changed = [*lock_layer.dependencies(), "six>=1"]
    monkeypatch.setattr(lock_layer, "dependencies", lambda: changed)
    assert not lock_layer.is_current()
