"""The WebSocket APIs in template.yaml (Realtime's, Responses'): API Gateway's $connect/$default/$disconnect routes
integrated with the function that serves the protocol, the right to answer on its connections, its URL in the
Outputs, and the local server mounting the same declarations at /v1/<stage>."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openai_mock.local.template import Template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Template(REPO / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE.document["Resources"]
# Each WebSocket API: its function, its stage (the SDK's websocket_base_url + "/<stage>"), its condition, its output.
APIS = {
    "RealtimeWebSocketApi": (
        "RealtimeFunction",
        "realtime",
        "RealtimeWebSocketEnabled",
        "RealtimeWebSocketBaseUrl",
    ),
    "ResponsesWebSocketApi": (
        "ResponsesFunction",
        "responses",
        "ResponsesWebSocketEnabled",
        "ResponsesWebSocketBaseUrl",
    ),
}


def _of(kind: str, api: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in RESOURCES.items()
        if resource["Type"] == kind and resource["Properties"].get("ApiId") == {"Ref": api}
    }


def test_the_websocket_apis_are_the_known_ones() -> None:
    apis = {name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::ApiGatewayV2::Api"}
    assert apis == set(APIS)


@pytest.mark.parametrize("api", APIS)
def test_the_websocket_api_routes_every_route_key_to_its_function(api: str) -> None:
    function, stage_name, _, _ = APIS[api]
    assert RESOURCES[api]["Properties"]["ProtocolType"] == "WEBSOCKET"
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"] for route in _of("AWS::ApiGatewayV2::Route", api).values()
    }
    assert set(routes) == {"$connect", "$default", "$disconnect"}
    ((integration_name, integration),) = _of("AWS::ApiGatewayV2::Integration", api).items()
    assert all(route["Target"] == {"Fn::Sub": f"integrations/${{{integration_name}}}"} for route in routes.values())
    assert f"${{{function}.Arn}}" in integration["Properties"]["IntegrationUri"]["Fn::Sub"]
    (stage,) = _of("AWS::ApiGatewayV2::Stage", api).values()
    assert stage["Properties"]["StageName"] == stage_name  # the SDK's websocket_base_url + "/<stage>"


@pytest.mark.parametrize("api", APIS)
def test_the_function_may_answer_on_its_connections(api: str) -> None:
    function, stage, condition, _ = APIS[api]
    policies = RESOURCES[function]["Properties"]["Policies"]
    granted = [p["Fn::If"][1] for p in policies if p["Fn::If"][0] == condition]
    statements = [s for policy in granted for s in policy["Statement"]]
    assert any(
        s["Action"] == "execute-api:ManageConnections"
        and f"${{{api}}}/{stage}/*/@connections/*" in s["Resource"]["Fn::Sub"]
        for s in statements
    )
    (permission,) = [
        r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["FunctionName"] == {"Ref": function}
    ]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Sub"].endswith(f"${{{api}}}/*")


@pytest.mark.parametrize("api", APIS)
def test_the_url_is_an_output_and_the_api_exists_only_with_the_python_handler(
    api: str,
) -> None:
    _, _, condition, output_name = APIS[api]
    output = TEMPLATE.document["Outputs"][output_name]
    assert output["Condition"] == condition
    assert output["Value"]["Fn::Sub"].startswith(f"wss://${{{api}}}.execute-api.")
    assert TEMPLATE.document["Conditions"][condition] == {"Fn::Not": [{"Fn::Condition": "StreamingEnabled"}]}
    resources = [
        RESOURCES[api],
        *(r for r in RESOURCES.values() if r["Properties"].get("ApiId") == {"Ref": api}),
    ]
    assert all(r.get("Condition") == condition for r in resources)


def test_the_local_server_mounts_the_same_declarations() -> None:
    mounted = {
        function.logical_id: function.websocket_paths for function in TEMPLATE.functions if function.websocket_paths
    }
    assert mounted == {function: (f"/v1/{stage}",) for function, stage, _, _ in APIS.values()}
