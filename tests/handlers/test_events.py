"""Every event in events/ goes through its function's Lambda handler (Mangum + Powertools) and comes
back as an OpenAI-shaped answer: the files `sam local invoke -e` would use are real and current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openai_mock.local.template import Template
from tests.support.lambda_transport import FakeLambdaContext

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Template(REPO / "template.yaml")
EVENTS = sorted(path for path in (REPO / "events").glob("*/*.json") if "Records" not in path.read_text()[:40])
# The queue's events, for the functions that read a queue instead of serving routes (WebhooksFunction).
QUEUE_EVENTS = sorted(set((REPO / "events").glob("*/*.json")) - set(EVENTS))
# Events whose operation needs an object the event cannot create first answer 404 by design.
_EXPECTED_404 = {
    "retrieveWebhookEndpoint",
    "updateWebhookEndpoint",
    "deleteWebhookEndpoint",
    "rotateWebhookEndpointSecret",
    "testWebhookEndpoint",
    "deleteModel",
    "retrieveFile",
    "deleteFile",
    "downloadFile",
    "addUploadPart",
    "completeUpload",
    "cancelUpload",
    "getChatCompletion",
    "updateChatCompletion",
    "deleteChatCompletion",
    "getChatCompletionMessages",
    "admin-api-keys-get",
    "admin-api-keys-delete",
    "retrieve-invite",
    "delete-invite",
    "retrieve-project-api-key",
    "delete-project-api-key",
    "update-project-api-key",
    "retrieve-project-service-account",
    "delete-project-service-account",
    "create-project-user",
    "delete-user",
    "retrieveFineTuningJob",
    "cancelFineTuningJob",
    "listFineTuningEvents",
    "listFineTuningJobCheckpoints",
    "getVectorStore",
    "modifyVectorStore",
    "deleteVectorStore",
    "createVectorStoreFileBatch",
    "getVectorStoreFileBatch",
    "cancelVectorStoreFileBatch",
    "listFilesInVectorStoreBatch",
    "listVectorStoreFiles",
    "createVectorStoreFile",
    "getVectorStoreFile",
    "deleteVectorStoreFile",
    "updateVectorStoreFileAttributes",
    "retrieveVectorStoreFileContent",
    "searchVectorStore",
    "getAssistant",
    "modifyAssistant",
    "deleteAssistant",
    "createThreadAndRun",
    "getThread",
    "modifyThread",
    "deleteThread",
    "listMessages",
    "createMessage",
    "getMessage",
    "modifyMessage",
    "deleteMessage",
    "listRuns",
    "createRun",
    "getRun",
    "modifyRun",
    "cancelRun",
    "listRunSteps",
    "getRunStep",
    "submitToolOuputsToRun",
    "getResponse",
    "deleteResponse",
    "listInputItems",
    "cancelResponse",
    "getConversation",
    "updateConversation",
    "deleteConversation",
    "listConversationItems",
    "createConversationItems",
    "getConversationItem",
    "deleteConversationItem",
    "retrieveFixture",
    "retrieveWebhook",
    "deleteWebhook",
    "rotateWebhookSecret",
    "listWebhookDeliveries",
    "testWebhook",
    "GetVideo",
    "DeleteVideo",
    "RetrieveVideoContent",
    "CreateVideoRemix",
    "CreateVideoEdit",
    "CreateVideoExtend",
    "GetVideoCharacter",
    "getVoiceConsent",
    "updateVoiceConsent",
    "deleteVoiceConsent",
    "deleteVoice",
    "createVoice",  # its consent recording must be uploaded first
    "unknownRoute",  # the catch-all: OpenAI's 404 "Invalid URL (GET /v1/…)"
    "deleteFixture",
    "retrievePrompt",
    "deletePrompt",
    "activateOrganizationCertificates",
    "deactivateOrganizationCertificates",
    "getCertificate",
    "modifyCertificate",
    "deleteCertificate",
    "activateProjectCertificates",
    "deactivateProjectCertificates",
    "retrieve-organization-spend-alert",
    "update-organization-spend-alert",
    "delete-organization-spend-alert",
    "retrieve-project-spend-alert",
    "update-project-spend-alert",
    "delete-project-spend-alert",
    "Getorganizationspendlimit",  # no limit is set yet
    "Deleteorganizationspendlimit",
    "Getprojectspendlimit",
    "Deleteprojectspendlimit",
    "update-project-service-account",
    "CreateanAPIkeyforaserviceaccount",
    "acceptInvite",
    "retrieveBatch",
    "cancelBatch",
    "accept-realtime-call",
    "hangup-realtime-call",
    "refer-realtime-call",
    "reject-realtime-call",
    "RetrieveContainer",
    "DeleteContainer",
    "CreateContainerFile",
    "ListContainerFiles",
    "RetrieveContainerFile",
    "DeleteContainerFile",
    "RetrieveContainerFileContent",
    "GetSkill",
    "UpdateSkillDefaultVersion",
    "DeleteSkill",
    "GetSkillContent",
    "CreateSkillVersion",
    "ListSkillVersions",
    "GetSkillVersion",
    "DeleteSkillVersion",
    "GetSkillVersionContent",
    "CancelChatSessionMethod",
    "GetThreadMethod",
    "DeleteThreadMethod",
    "ListThreadItemsMethod",
    "mockChatKitThreadTurn",
    "getEval",
    "updateEval",
    "deleteEval",
    "getEvalRuns",
    "createEvalRun",
    "getEvalRun",
    "cancelEvalRun",
    "cancelEvalRunSdkPath",
    "deleteEvalRun",
    "getEvalRunOutputItems",
    "getEvalRunOutputItem",
    "pauseFineTuningJob",
    "resumeFineTuningJob",
    "deleteFineTuningCheckpointPermission",
    # Roles and groups: the events name a custom role or a group that does not exist.
    "update-role",
    "delete-role",
    "update-project-role",
    "delete-project-role",
    "retrieve-group",
    "update-group",
    "delete-group",
    "list-group-users",
    "add-group-user",
    "retrieve-group-user",
    "remove-group-user",
    "list-group-role-assignments",
    "assign-group-role",
    "retrieve-group-role",
    "unassign-group-role",
    "unassign-user-role",
    "add-project-group",
    "retrieve-project-group",
    "remove-project-group",
    "list-project-group-role-assignments",
    "assign-project-group-role",
    "retrieve-project-group-role",
    "unassign-project-group-role",
    "retrieveWorkloadIdentityProvider",
    "updateWorkloadIdentityProvider",
    "deleteWorkloadIdentityProvider",
    "createFederationRule",
    "listFederationRules",
    "retrieveFederationRule",
    "updateFederationRule",
    "deleteFederationRule",
    # Safety: the events name an alert and a case that were never issued.
    "retrieveSafetyAlert",
    "retrieveSafetyCase",
    # Health alerts: the events name a rule, an alert or a project that does not exist.
    "retrieveHealthAlertRule",
    "updateHealthAlertRule",
    "deleteHealthAlertRule",
    "retrieveHealthAlert",
    "createProjectHealthAlertRule",
    "listProjectHealthAlertRules",
    "retrieveProjectHealthAlertRule",
    "updateProjectHealthAlertRule",
    "deleteProjectHealthAlertRule",
    "retrieveProjectHealthAlert",
    # External keys and storage: the events name a configuration that does not exist.
    "retrieveExternalKey",
    "deleteExternalKey",
    "validateExternalKey",
    "retrieveExternalStorage",
    "deleteExternalStorage",
    "validateExternalStorage",
    # The Agents API (beta): the events name an agent, vault, environment, template or automation that does not
    # exist.
    "retrieveAgent",
    "updateAgent",
    "deleteAgent",
    "retrieveVault",
    "updateVault",
    "deleteVault",
    "createVaultCredential",
    "listVaultCredentials",
    "retrieveVaultCredential",
    "updateVaultCredential",
    "deleteVaultCredential",
    "retrieveAgentEnvironmentTemplate",
    "updateAgentEnvironmentTemplate",
    "deleteAgentEnvironmentTemplate",
    "retrieveAgentEnvironment",
    "createAgentEnvironmentFile",
    "listAgentEnvironmentFiles",
    "retrieveAgentAutomation",
    "updateAgentAutomation",
    "deleteAgentAutomation",
    "pauseAgentAutomation",
    "resumeAgentAutomation",
    "createAgentAutomationInvocation",
    "listAgentAutomationInvocations",
    "retrieveAgentAutomationInvocation",
    # Live sessions and agent sessions: the events name a session that does not exist.
    "acceptLiveSession",
    "downloadLiveSessionRecording",
    "forkLiveSession",
    "hangupLiveSession",
    "referLiveSession",
    "rejectLiveSession",
    "createAgentSessionEvents",
    "deleteAgentSession",
    "deleteAgentSessionArtifact",
    "downloadAgentSessionArtifactContent",
    "listAgentSessionArtifacts",
    "listAgentSessionItems",
    "listAgentSessionSubagentItems",
    "listAgentSessionSubagentTurnItems",
    "listAgentSessionSubagentTurns",
    "listAgentSessionSubagents",
    "listAgentSessionTraces",
    "listAgentSessionTurnItems",
    "listAgentSessionTurns",
    "retrieveAgentSession",
    "retrieveAgentSessionArtifact",
    "retrieveAgentSessionSubagent",
    "retrieveAgentSessionSubagentTurn",
    "retrieveAgentSessionTurn",
    "streamAgentSessionEvents",
    "updateAgentSession",
}
# Creations that name an input object the event cannot upload first: the real API answers 400 for those.
_EXPECTED_400 = {"createFineTuningJob", "createBatch", "createFineTuningCheckpointPermission"}
# The token exchange answers OAuth's errors (RFC 6749), not OpenAI's envelope: the event's provider is unknown.
_OAUTH_REFUSED = {"exchangeWorkloadIdentityToken"}


def _function_for(event: dict) -> object:
    for function in TEMPLATE.functions:
        for route in function.routes:
            if route.method in (event["httpMethod"], "ANY") and route.path == event["resource"]:
                return function
    raise AssertionError(f"no function in template.yaml serves {event['httpMethod']} {event['resource']}")


def test_there_are_events_for_every_routed_operation() -> None:
    covered = set()
    for path in EVENTS:
        event = json.loads(path.read_text())
        covered.add((event["httpMethod"], event["resource"]))
        covered.add(("ANY", event["resource"]))  # an `any` route is covered by an event of any method
    routes = {(route.method, route.path) for function in TEMPLATE.functions for route in function.routes}
    assert routes - covered == set(), "routes without an event file in events/<group>/<operationId>.json"


@pytest.mark.parametrize("path", EVENTS, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_event_through_the_lambda_handler(path: Path) -> None:
    event = json.loads(path.read_text())
    function = _function_for(event)
    module = __import__(function.module_name, fromlist=["handler"])  # type: ignore[attr-defined]
    result = module.handler(event, FakeLambdaContext())
    headers = {**result.get("headers", {}), **{k: v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()}}
    # Binary answers (speech audio) come back base64-encoded, the console's files as text: only JSON is parsed.
    is_text = headers.get("content-type", "").startswith("text/")
    body = {} if result.get("isBase64Encoded") or is_text else json.loads(result["body"])
    assert headers["x-request-id"].startswith("req_")
    if path.stem in _OAUTH_REFUSED:
        assert result["statusCode"] == 403 and body["error"] == "invalid_grant" and body["error_description"]
    elif path.stem in _EXPECTED_404 | _EXPECTED_400:
        assert result["statusCode"] == (404 if path.stem in _EXPECTED_404 else 400)
        assert set(body["error"]) == {"message", "type", "param", "code"}
    else:
        assert 200 <= result["statusCode"] < 300, body
        assert body.get("error") is None  # a Response carries `error: null` by spec


def test_every_function_without_routes_has_queue_events() -> None:
    workers = {function.code_uri_relative.name for function in TEMPLATE.functions if not function.routes}
    assert workers == {path.parent.name for path in QUEUE_EVENTS}


@pytest.mark.parametrize("path", QUEUE_EVENTS, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_queue_event_through_the_lambda_handler(path: Path) -> None:
    """A wake-up whose item is gone (delivered, superseded) is consumed without failing the batch."""
    event = json.loads(path.read_text())
    function = next(function for function in TEMPLATE.functions if function.code_uri_relative.name == path.parent.name)
    module = __import__(function.module_name, fromlist=["handler"])  # type: ignore[attr-defined]
    assert module.handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
