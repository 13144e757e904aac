"""The Realtime WebSocket API in template.yaml: API Gateway's $connect/$default/$disconnect routes integrated
with RealtimeFunction, the right to answer on its connections, its URL in the Outputs, and the local server
mounting the same declaration at /v1/realtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openai_mock.local.template import Template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Template(REPO / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE.document["Resources"]


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in RESOURCES.items() if resource["Type"] == kind}


def test_the_websocket_api_routes_every_route_key_to_the_realtime_function() -> None:
    (api,) = _of_type("AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"] for route in _of_type("AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {"$connect", "$default", "$disconnect"}
    (integration_name, integration) = next(iter(_of_type("AWS::ApiGatewayV2::Integration").items()))
    assert all(route["Target"] == {"Fn::Sub": f"integrations/${{{integration_name}}}"} for route in routes.values())
    assert "${RealtimeFunction.Arn}" in integration["Properties"]["IntegrationUri"]["Fn::Sub"]
    (stage,) = _of_type("AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["StageName"] == "realtime"  # the SDK's websocket_base_url + "/realtime"


def test_the_function_may_answer_on_its_connections() -> None:
    policies = RESOURCES["RealtimeFunction"]["Properties"]["Policies"]
    granted = [p["Fn::If"][1] for p in policies if p["Fn::If"][0] == "RealtimeWebSocketEnabled"]
    statements = [s for policy in granted for s in policy["Statement"]]
    assert any(
        s["Action"] == "execute-api:ManageConnections"
        and "${RealtimeWebSocketApi}/realtime/*/@connections/*" in s["Resource"]["Fn::Sub"]
        for s in statements
    )
    permission = next(iter(_of_type("AWS::Lambda::Permission").values()))["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"


def test_the_url_is_an_output_and_the_api_exists_only_with_the_python_handler() -> None:
    output = TEMPLATE.document["Outputs"]["RealtimeWebSocketBaseUrl"]
    assert output["Value"]["Fn::Sub"].startswith("wss://${RealtimeWebSocketApi}.execute-api.")
    websocket_resources = [r for r in RESOURCES.values() if r["Type"].startswith("AWS::ApiGatewayV2::")]
    assert all(r.get("Condition") == "RealtimeWebSocketEnabled" for r in websocket_resources)


def test_the_local_server_mounts_the_same_declaration() -> None:
    mounted = {
        function.logical_id: function.websocket_paths for function in TEMPLATE.functions if function.websocket_paths
    }
    assert mounted == {"RealtimeFunction": ("/v1/realtime",)}
