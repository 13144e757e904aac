"""The request bodies of agent sessions, as the SDK's params TypedDicts shape them (types/beta/agents/
session_*_params.py, agent_session_input_param.py): strict, unknown fields refused by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field

from openai_mock.fields import Flag, Integer, RequestModel, Text
from openai_mock.resources.agents import definitions

Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
ServiceTier = Literal["auto", "default", "flex", "priority", "fast", "ultrafast"]
Review = Literal["none", "auto_review"]


class _Body(RequestModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------------------- input


class InputText(_Body):
    type: Literal["input_text"]
    text: Text


class InputImage(_Body):
    type: Literal["input_image"]
    image_url: Text


if TYPE_CHECKING:
    InputContent = InputText | InputImage
else:  # chosen by `type`, an error named at the member's field (`content[0].text`)
    InputContent = definitions.tagged({"input_text": InputText, "input_image": InputImage})


class InputMessage(_Body):
    role: Literal["user"]
    content: list[InputContent] = Field(min_length=1)
    type: Literal["message"] = "message"


# pydantic's `model_dump` of a nested request model fails while its own serializer is deferred: read the fields.


def content_of(parts: list[InputText | InputImage]) -> list[dict[str, Any]]:
    return [
        {"type": "input_text", "text": part.text}
        if isinstance(part, InputText)
        else {"type": "input_image", "image_url": part.image_url}
        for part in parts
    ]


def message_of(message: InputMessage) -> dict[str, Any]:
    return {"role": "user", "content": content_of(message.content)}


def sent_fields(model: RequestModel) -> dict[str, Any]:
    """The fields a model was sent with, as the models they were read into."""
    return {name: getattr(model, name) for name in model.model_fields_set}


# ------------------------------------------------------------------------------------------------- the agent
# The agent's fields read by the saved agents' own request shapes (resources/agents/definitions.py).


class AgentConfig(_Body):
    """`agent` of a create: every field optional (with `agent_id` they override the saved agent)."""

    model: Text | None = Field(default=None, min_length=1)
    instructions: Text | None = None
    reasoning: definitions.ReasoningParams | None = None
    multi_agent: definitions.MultiAgentParams | None = None
    service_tier: ServiceTier | None = None
    text: definitions.TextParams | None = None
    tools: list[definitions.Tool] | None = None  # type: ignore[valid-type]
    compaction: definitions.CompactionParams | None = None
    experimental: definitions.ExperimentalParams | None = None


class ReasoningEffort(_Body):
    effort: Effort | None = None


class AgentUpdate(_Body):
    """`agent` of an update: model settings and tools only."""

    model: Text | None = Field(default=None, min_length=1)
    reasoning: ReasoningEffort | None = None
    service_tier: ServiceTier | None = None
    tools: list[definitions.Tool] | None = None  # type: ignore[valid-type]


# ------------------------------------------------------------------------------------------------- sessions


class PromptCacheOptions(_Body):
    ttl: Literal["30m", "12h"] = "30m"


class SpendControl(_Body):
    limit: Integer | None = Field(gt=0)


class StreamOptions(_Body):
    include_obfuscation: Flag = True


class CreateSession(_Body):
    environment: dict[str, Any]
    agent: AgentConfig | None = None
    agent_id: Text | None = Field(default=None, min_length=1)
    input: Text | list[InputMessage] | None = None
    metadata: dict[str, Text] | None = None
    prompt_cache_options: PromptCacheOptions | None = None
    review: Review | None = None
    spend_control: SpendControl | None = None
    stream: Flag | None = None
    stream_options: StreamOptions | None = None
    vault_ids: list[Text] | None = None


class UpdateSession(_Body):
    agent: AgentUpdate | None = None
    metadata: dict[str, Text] | None = None
    prompt_cache_options: PromptCacheOptions | None = None
    review: Review | None = None
    spend_control: SpendControl | None = None
    vault_ids: list[Text] | None = None


# ------------------------------------------------------------------------------------------------- input events


class MessageEvent(_Body):
    type: Literal["agent.session.input.message"]
    input: list[InputMessage] = Field(min_length=1)


class CancelEvent(_Body):
    type: Literal["agent.session.input.cancel"]


class ToolResultEvent(_Body):
    type: Literal["agent.session.input.tool_result"]
    call_id: Text
    turn_id: Text
    success: Flag
    error: Text | None = None
    output: Text | list[InputContent] | None = None


class McpDecision(_Body):
    type: Literal["mcp_tool_call"]
    decision: Literal["approve", "deny", "cancel"]


class McpApprovalEvent(_Body):
    type: Literal["agent.session.input.mcp_approval_request_result"]
    request_id: Text
    response: McpDecision


class OriginAccessDecision(_Body):
    type: Literal["browser_origin_access"]
    decision: Literal["approve", "deny", "cancel"]


class SubmittedField(_Body):
    field_id: Text
    value: Text


class LoginResponse(_Body):
    """A login form's answer: `submit` with the values (`fields`, up to six), or `cancel` with nothing."""

    type: Literal["browser_authentication"]
    action: Literal["submit", "cancel"]
    fields: list[SubmittedField] | None = Field(default=None, max_length=6)
    selected_option: Text | None = None


if TYPE_CHECKING:
    ComputerUseResponse = OriginAccessDecision | LoginResponse
else:
    ComputerUseResponse = definitions.tagged(
        {"browser_origin_access": OriginAccessDecision, "browser_authentication": LoginResponse}
    )


class ComputerUseApprovalEvent(_Body):
    type: Literal["agent.session.input.computer_use_approval_request_result"]
    request_id: Text
    response: ComputerUseResponse


if TYPE_CHECKING:
    InputEvent = MessageEvent | CancelEvent | ToolResultEvent | McpApprovalEvent | ComputerUseApprovalEvent
else:
    InputEvent = definitions.tagged(
        {
            "agent.session.input.message": MessageEvent,
            "agent.session.input.cancel": CancelEvent,
            "agent.session.input.tool_result": ToolResultEvent,
            "agent.session.input.mcp_approval_request_result": McpApprovalEvent,
            "agent.session.input.computer_use_approval_request_result": ComputerUseApprovalEvent,
        }
    )


class CreateEvents(_Body):
    events: list[InputEvent] = Field(min_length=1)
