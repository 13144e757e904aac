"""Deployment, proven offline: the hardened template (stage settings, log groups, least privilege, CORS,
throttling, access logs), both streaming settings through SAM's transform and cfn-lint, samconfig.toml
and env.json. The built artifacts are checked in test_deploy_build.py, the workflows in
test_deploy_workflows.py."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from samtranslator.public.translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

from openai_mock.local.template import Template
from tools.streaming_template import rebase_code_paths, render

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_TEXT = (REPO / "template.yaml").read_text()
TEMPLATE = Template(REPO / "template.yaml")
DOCUMENT = TEMPLATE.document
RESOURCES = DOCUMENT["Resources"]
FUNCTIONS = [function.logical_id for function in TEMPLATE.functions]
STAGES = DOCUMENT["Parameters"]["Stage"]["AllowedValues"]
VARIANTS = {"buffered": TEMPLATE_TEXT, "stream": render(TEMPLATE_TEXT)}
PERSISTENCE_IF = "PersistenceEnabled"


class _NoIamPolicies(ManagedPolicyLoader):
    def __init__(self) -> None:  # offline: no IAM calls
        pass

    def load(self) -> dict[str, str]:
        return {}


@cache
def _decoded(variant: str) -> dict[str, Any]:
    from cfnlint.decode import decode_str

    document, errors = decode_str(VARIANTS[variant])
    assert not errors
    return document  # type: ignore[no-any-return]


def _transformed(variant: str, persistence: str, stage: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the transform builds ARNs; no AWS call is made
    document = copy.deepcopy(_decoded(variant))
    document["Parameters"]["EnablePersistence"]["Default"] = persistence
    document["Parameters"]["Stage"]["Default"] = stage
    for name, resource in document["Resources"].items():  # what `sam package` does before the transform
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = f"s3://openai-mock-artifacts/{name}.zip"
    return transform(document, {}, _NoIamPolicies())  # type: ignore[no-any-return]


# --- Every function has the same shape ------------------------------------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_has_only_code_description_policies_and_events(function: str) -> None:
    """Runtime, handler, memory, timeout, layers and environment come from Globals, identical for all."""
    assert set(RESOURCES[function]["Properties"]) <= {
        "CodeUri",
        "Description",
        "Policies",
        "Events",
    }
    assert set(RESOURCES[function]) == {"Type", "Properties"}, "no per-function Condition/DependsOn/Metadata"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_has_its_own_log_group_with_the_stage_retention(function: str) -> None:
    group = RESOURCES.get(f"{function}LogGroup")
    assert group is not None, f"add {function}LogGroup (copy ModelsFunctionLogGroup) to template.yaml"
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{function}}}"}
    assert group["Properties"]["RetentionInDays"] == {
        "Fn::FindInMap": ["StageSettings", {"Ref": "Stage"}, "LogRetentionDays"]
    }
    assert group["DeletionPolicy"] == "Delete"


def test_no_log_group_outlives_its_function() -> None:
    groups = {name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::Logs::LogGroup"}
    assert groups - {"ApiAccessLogGroup"} == {f"{function}LogGroup" for function in FUNCTIONS}


def _policy_statements(function: str) -> list[dict[str, Any]]:
    return RESOURCES[function]["Properties"].get("Policies", [])


TABLE = {"DynamoDBCrudPolicy": {"TableName": {"Ref": "ObjectsTable"}}}
BUCKET = {"S3CrudPolicy": {"BucketName": {"Ref": "BlobsBucket"}}}
WAKE_WEBHOOKS = {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": "WebhooksQueue.QueueName"}}}
# The functions whose requests schedule webhook wake-ups (docs/webhooks.md): background responses, batches and
# fine-tuning jobs, eval runs and videos (created, cancelled), the controls (clock moves, test sends), the webhook
# endpoints' test sends (a failed one is retried), health alert rules (watched each minute), safety alerts and cases
# (issued), and the model requests a deactivated safety identifier makes (refused, each with its event: Chat,
# Responses, Decisions, Images), agent environments and sessions (ready, idle, action required…: an
# automation's invocation starts a session), and live calls.
SCHEDULING = {
    "ResponsesFunction",
    "VideosFunction",
    "BatchesFunction",
    "FineTuningFunction",
    "EvalsFunction",
    "MockControlsFunction",
    "WebhookEndpointsFunction",
    "HealthAlertsFunction",
    "SafetyFunction",
    "ChatFunction",
    "DecisionsFunction",
    "ImagesFunction",
    "AgentEnvironmentsFunction",
    "AgentSessionsFunction",
    "AgentAutomationsFunction",
    "LiveFunction",
}
WORKER = "WebhooksFunction"
# The functions a WebSocket API invokes, which may answer on its connections: (condition, API, stage).
WEBSOCKET_APIS = {
    "RealtimeFunction": (
        "RealtimeWebSocketEnabled",
        "RealtimeWebSocketApi",
        "realtime",
    ),
    "ResponsesFunction": (
        "ResponsesWebSocketEnabled",
        "ResponsesWebSocketApi",
        "responses",
    ),
}


@pytest.mark.parametrize("function", [function for function in FUNCTIONS if function != WORKER])
def test_function_may_only_touch_the_table_the_bucket_and_the_webhooks_queue(
    function: str,
) -> None:
    """Least privilege: CRUD on this stack's table (every function) and bucket (functions storing bytes), sending
    to the webhooks queue (functions scheduling webhooks), granted only when persistence is on; nothing else
    (no managed policies, no inline statements), but for RealtimeFunction's and ResponsesFunction's right to answer
    on this stack's Realtime and Responses WebSocket APIs (docs/realtime.md, docs/responses.md)."""
    policies = _policy_statements(function)
    if function in WEBSOCKET_APIS:
        condition, api, stage = WEBSOCKET_APIS[function]
        websocket = [p for p in policies if p["Fn::If"][0] == condition]
        assert len(websocket) == 1
        (statement,) = websocket[0]["Fn::If"][1]["Statement"]
        assert statement["Action"] == "execute-api:ManageConnections"
        assert f"${{{api}}}/{stage}/*/@connections/*" in statement["Resource"]["Fn::Sub"]
        policies = [p for p in policies if p not in websocket]
    granted = []
    for policy in policies:
        condition, when_on, when_off = policy["Fn::If"]
        assert condition == PERSISTENCE_IF and when_off == {"Ref": "AWS::NoValue"}
        granted.append(when_on)
    assert TABLE in granted
    for template_policy in granted:
        assert template_policy in (TABLE, BUCKET, WAKE_WEBHOOKS), template_policy
    assert (WAKE_WEBHOOKS in granted) == (function in SCHEDULING)
    assert len(granted) == len({json.dumps(policy, sort_keys=True) for policy in granted})


def test_the_webhooks_worker_may_only_touch_its_queues_the_table_and_the_bucket() -> None:
    policies = _policy_statements(WORKER)
    conditional = [policy["Fn::If"][1] for policy in policies if "Fn::If" in policy]
    assert conditional == [TABLE, BUCKET]
    assert [policy for policy in policies if "Fn::If" not in policy] == [
        WAKE_WEBHOOKS,  # retries and later looks are queued again
        {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": "WebhooksDeadLetterQueue.QueueName"}}},
        {"SQSPollerPolicy": {"QueueName": {"Fn::GetAtt": "WebhooksQueue.QueueName"}}},
    ]


# --- Stage settings ----------------------------------------------------------------------------------------


def test_every_stage_has_every_setting() -> None:
    settings = DOCUMENT["Mappings"]["StageSettings"]
    assert set(settings) == set(STAGES)
    keys = {
        "MemorySize",
        "ObjectTtlSeconds",
        "BlobExpirationDays",
        "LogRetentionDays",
        "ThrottlingRateLimit",
        "ThrottlingBurstLimit",
        "AccessLogs",
    }
    for stage in STAGES:
        assert set(settings[stage]) == keys, stage
        # S3 bytes must not outlive the DynamoDB objects that point at them by more than a day.
        assert settings[stage]["BlobExpirationDays"] * 86400 >= settings[stage]["ObjectTtlSeconds"]
        assert settings[stage]["ThrottlingBurstLimit"] >= settings[stage]["ThrottlingRateLimit"]
    assert settings["prod"]["AccessLogs"] == "true"


def test_table_has_ttl_and_bucket_has_expiry_and_no_public_access() -> None:
    table = RESOURCES["ObjectsTable"]
    assert table["Condition"] == PERSISTENCE_IF
    assert table["Properties"]["TimeToLiveSpecification"]["Enabled"] is True
    bucket = RESOURCES["BlobsBucket"]
    assert bucket["Condition"] == PERSISTENCE_IF
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Fn::FindInMap": ["StageSettings", {"Ref": "Stage"}, "BlobExpirationDays"]}
    assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values())


def test_api_has_cors_throttling_and_openai_shaped_gateway_errors() -> None:
    api = RESOURCES["MockApi"]["Properties"]
    assert api["Cors"]["AllowOrigin"] == "'*'"
    allowed_headers = api["Cors"]["AllowHeaders"].strip("'").split(",")
    assert "Authorization" in allowed_headers  # a "*" never covers Authorization
    (method_settings,) = api["MethodSettings"]
    assert method_settings["ThrottlingRateLimit"]["Fn::FindInMap"][2] == "ThrottlingRateLimit"
    throttled = api["GatewayResponses"]["THROTTLED"]
    assert throttled["StatusCode"] == "429"
    for name, response in api["GatewayResponses"].items():
        body = response["ResponseTemplates"]["application/json"]
        # $context values are substituted by API Gateway; with a placeholder the body must be OpenAI's envelope.
        example = json.loads(body.replace("$context.error.messageString", '"x"').replace("$context.error.message", "x"))
        assert set(example["error"]) == {"message", "type", "param", "code"}, name
        assert response["ResponseParameters"]["Headers"]["Access-Control-Allow-Origin"] == "'*'"


# --- SAM transform and cfn-lint, both streaming settings ---------------------------------------------------


def _lambda_integrations(
    transformed: dict[str, Any],
) -> dict[tuple[str, str], dict[str, Any]]:
    (api,) = [res for res in transformed["Resources"].values() if res["Type"] == "AWS::ApiGateway::RestApi"]
    found = {}
    for path, methods in api["Properties"]["Body"]["paths"].items():
        for method, operation in methods.items():
            integration = operation.get("x-amazon-apigateway-integration", {})
            if integration.get("type") == "aws_proxy":  # `Method: any` is OpenAPI's x-amazon-apigateway-any-method
                name = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                found[(name, path)] = integration
    return found


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    ("persistence", "stage"),
    [("false", "local"), ("true", "preview"), ("true", "prod")],
)
def test_transform_routes_every_operation_once_to_its_function(
    variant: str, persistence: str, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    transformed = _transformed(variant, persistence, stage, monkeypatch)
    integrations = _lambda_integrations(transformed)
    expected = {(route.method, route.path): f.logical_id for f in TEMPLATE.functions for route in f.routes}
    assert set(integrations) == set(expected)
    for route, integration in integrations.items():
        uri = integration["uri"]["Fn::Sub"]
        assert f"${{{expected[route]}.Arn}}" in uri, route
        if variant == "stream":
            assert uri.endswith("/response-streaming-invocations") and integration["responseTransferMode"] == "STREAM"
        else:
            assert uri.endswith("/invocations") and "responseTransferMode" not in integration
    resources = transformed["Resources"]
    stages = [res for res in resources.values() if res["Type"] == "AWS::ApiGateway::Stage"]
    assert len(stages) == 1, "SAM's extra 'Stage' stage must not be created"
    assert stages[0]["Properties"]["MethodSettings"][0]["ThrottlingBurstLimit"]
    functions = {name: res for name, res in resources.items() if res["Type"] == "AWS::Lambda::Function"}
    assert set(functions) == set(FUNCTIONS)
    for function in functions.values():
        layers = function["Properties"]["Layers"]
        assert layers[0]["Ref"].startswith("ResponseGenerationLayer") and layers[1]["Fn::If"][0] == "StreamingEnabled"


@pytest.mark.parametrize("variant", VARIANTS)
def test_cfn_lint_is_clean(variant: str) -> None:
    from cfnlint.api import lint_all

    matches = lint_all(VARIANTS[variant])
    assert [str(match) for match in matches if match.rule.id[0] in "EW"] == []


def test_preflight_is_answered_for_every_path(monkeypatch: pytest.MonkeyPatch) -> None:
    transformed = _transformed("buffered", "false", "local", monkeypatch)
    (api,) = [res for res in transformed["Resources"].values() if res["Type"] == "AWS::ApiGateway::RestApi"]
    for path, methods in api["Properties"]["Body"]["paths"].items():
        assert "options" in methods, path


def test_streaming_variant_changes_only_the_api_side() -> None:
    stream = VARIANTS["stream"]
    assert stream.count("ResponseTransferMode: RESPONSE_STREAM") == sum(len(f.routes) for f in TEMPLATE.functions)
    without = re.sub(r"^ +ResponseTransferMode: RESPONSE_STREAM\n", "", stream, flags=re.MULTILINE)
    assert without.replace("Default: stream\n", "Default: buffered\n") == TEMPLATE_TEXT


def test_streaming_variant_keeps_code_paths_valid_from_its_folder() -> None:
    rebased = rebase_code_paths(TEMPLATE_TEXT, REPO, REPO / ".aws-sam")
    for match in re.finditer(r"^ +(?:CodeUri|ContentUri): (\S+)$", rebased, re.MULTILINE):
        assert (REPO / ".aws-sam" / match.group(1)).resolve().is_dir(), match.group(0)


def test_streaming_settings_in_globals() -> None:
    function_globals = DOCUMENT["Globals"]["Function"]
    assert function_globals["Handler"] == "app.handler"  # unchanged: the wrapper serves the same module's app
    variables = function_globals["Environment"]["Variables"]
    wrapper = variables["AWS_LAMBDA_EXEC_WRAPPER"]["Fn::If"]
    assert wrapper[0] == "StreamingEnabled" and wrapper[2] == {"Ref": "AWS::NoValue"}
    # The layer is built from shared/ into python/, mounted at /opt/python: the wrapper must be that file.
    assert wrapper[1] == "/opt/python/openai_mock/web/lambda_streaming.py"
    wrapper_file = REPO / "shared" / "openai_mock" / "web" / "lambda_streaming.py"
    assert wrapper_file.stat().st_mode & 0o111, "must be executable"
    assert variables["AWS_LWA_INVOKE_MODE"]["Fn::If"][1] == "response_stream"


# --- samconfig.toml and env.json ---------------------------------------------------------------------------


def _overrides(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in text.split())


def test_samconfig_environments() -> None:
    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    parameters = DOCUMENT["Parameters"]
    for env in ("default", "preview", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        assert deploy["capabilities"] == "CAPABILITY_IAM"
        for name, value in _overrides(deploy["parameter_overrides"]).items():
            assert name in parameters, f"{env}: unknown parameter {name}"
            allowed = parameters[name].get("AllowedValues")
            assert allowed is None or value in allowed, f"{env}: {name}={value}"
    preview = _overrides(config["preview"]["deploy"]["parameters"]["parameter_overrides"])
    assert preview["Stage"] == "preview" and preview["EnablePersistence"] == "true"
    assert DOCUMENT["Mappings"]["StageSettings"]["preview"]["ObjectTtlSeconds"] <= 86400  # short TTL
    prod = _overrides(config["prod"]["deploy"]["parameters"]["parameter_overrides"])
    assert prod["Stage"] == "prod" and prod["EnablePersistence"] == "true"
    local = _overrides(config["default"]["local_start_api"]["parameters"]["parameter_overrides"])
    assert local["Stage"] == "local" and local["EnablePersistence"] == "false"


def test_env_json_sets_only_declared_variables_for_known_functions() -> None:
    env = json.loads((REPO / "env.json").read_text())
    declared = set(DOCUMENT["Globals"]["Function"]["Environment"]["Variables"])
    assert set(env) == {"Parameters"}, "one block for every function, like Globals"
    assert set(env["Parameters"]) <= declared  # sam local passes declared variables only
    # `sam local` runs every function in a container of its own: with the in-memory store, a fixture created
    # through MockControlsFunction would never reach ChatFunction (/__mock would do nothing). So the functions
    # share DynamoDB Local on the host, like `openai-mock serve --store dynamodb`.
    parameters = env["Parameters"]
    assert parameters["OPENAI_MOCK_STORE"] == "dynamodb"
    assert parameters["OPENAI_MOCK_TABLE_NAME"]
    assert parameters["OPENAI_MOCK_DYNAMODB_ENDPOINT"].startswith("http://host.docker.internal:")
