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
EVENTS = sorted((REPO / "events").glob("*/*.json"))
# Events whose operation needs an object the event cannot create first answer 404 by design.
_EXPECTED_404 = {
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
    "unknownRoute",  # the catch-all: OpenAI's 404 "Invalid URL (GET /v1/…)"
    "deleteFixture",
    "retrieveBatch",
    "cancelBatch",
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
}
# Creations that name an input object the event cannot upload first: the real API answers 400 for those.
_EXPECTED_400 = {"createFineTuningJob", "createBatch", "createFineTuningCheckpointPermission"}


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
    if path.stem in _EXPECTED_404 | _EXPECTED_400:
        assert result["statusCode"] == (404 if path.stem in _EXPECTED_404 else 400)
        assert set(body["error"]) == {"message", "type", "param", "code"}
    else:
        assert 200 <= result["statusCode"] < 300, body
        assert body.get("error") is None  # a Response carries `error: null` by spec
