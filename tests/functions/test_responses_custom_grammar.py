"""Custom tools whose input a grammar constrains (`format: {"type": "grammar", "syntax": "lark" | "regex"}`), through
the official SDK: the call's input is always a sentence of the grammar (the prompt's own text when it parses, else
one the prompt steers: its file names, quoted text and verbs), streamed as `custom_tool_call_input` deltas; a grammar
that does not compile is a 400 naming `tools[i].format.definition`. Every answer is held to the SDK's model and the
2026-08-21 spec."""

from __future__ import annotations

import re
from typing import Any

import lark
import openai
import pytest
from openai.types.responses import Response

from tests.support.sdk import held
from tests.support.spec import assert_conforms, validate_component

# Codex CLI's apply_patch grammar, as Codex 0.171 sends it: its `/(.*)/` lines match the empty string.
PATCH_GRAMMAR = """start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.*)/ LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.*)/ LF
eof_line: "*** End of File" LF

%import common.LF
"""
APPLY_PATCH = {
    "type": "custom",
    "name": "apply_patch",
    "description": "Use the `apply_patch` tool to edit files.",
    "format": {"type": "grammar", "syntax": "lark", "definition": PATCH_GRAMMAR},
}
ARITHMETIC = """start: expr
expr: term (("+" | "-") term)*
term: NUMBER (("*" | "/") NUMBER)*
%import common.NUMBER
%ignore " "
"""
CALCULATOR = {
    "type": "custom",
    "name": "calculator",
    "description": "Evaluates an arithmetic expression.",
    "format": {"type": "grammar", "syntax": "lark", "definition": ARITHMETIC},
}
# One patch hunk at least, each line of it one of the grammar's kinds: what Codex's own parser accepts.
PATCH_SHAPE = re.compile(
    r"\*\*\* Begin Patch\n"
    r"(?:\*\*\* (?:Add|Delete|Update) File: .+\n(?:[-+ @].*\n|\*\*\* (?:Move to|End of File).*\n)*)+"
    r"\*\*\* End Patch\n?"
)


def _regex_tool(name: str, pattern: str) -> dict[str, Any]:
    return {"type": "custom", "name": name, "format": {"type": "grammar", "syntax": "regex", "definition": pattern}}


def _call(client: openai.OpenAI, prompt: str, tool: dict[str, Any], **options: Any) -> dict[str, Any]:
    raw = client.responses.with_raw_response.create(model="gpt-5", input=prompt, tools=[tool], **options)  # type: ignore[list-item]
    body: dict[str, Any] = held(Response, raw)
    assert_conforms("POST", "/v1/responses", 200, body)
    calls = [item for item in body["output"] if item["type"] == "custom_tool_call"]
    assert [call["name"] for call in calls] == [tool["name"]], body["output"]
    return calls[0]


def test_apply_patch_adds_the_file_and_line_the_prompt_asks_for(client: openai.OpenAI) -> None:
    call = _call(client, "Use apply_patch to create a file hello.txt containing the line Hello, world.", APPLY_PATCH)
    patch = call["input"]
    assert PATCH_SHAPE.fullmatch(patch), patch
    assert patch.startswith("*** Begin Patch\n*** Add File: hello.txt\n+Hello, world\n*** End Patch")


def test_apply_patch_takes_the_hunk_the_prompt_names(client: openai.OpenAI) -> None:
    call = _call(client, 'Use apply_patch to write "TODO: tests" to notes/todo.md', APPLY_PATCH)
    assert call["input"].startswith("*** Begin Patch\n*** Add File: notes/todo.md\n+TODO: tests\n")
    call = _call(client, "Use apply_patch to delete the file build.log", APPLY_PATCH)
    assert call["input"].startswith("*** Begin Patch\n*** Delete File: build.log\n*** End Patch")


def test_a_fenced_patch_that_parses_is_sent_verbatim(client: openai.OpenAI) -> None:
    patch = "*** Begin Patch\n*** Update File: app.py\n@@ def main():\n-    pass\n+    run()\n*** End Patch"
    call = _call(client, f"Use apply_patch with this patch:\n```\n{patch}\n```", APPLY_PATCH)
    assert call["input"] == patch


def test_quoted_text_is_used_only_when_the_grammar_accepts_it(client: openai.OpenAI) -> None:
    parser = lark.Lark(ARITHMETIC)
    assert _call(client, "Ask the calculator for `12 * 3 + 4`", CALCULATOR)["input"] == "12 * 3 + 4"
    written = _call(client, "Ask the calculator for `twelve times three`", CALCULATOR)["input"]
    assert written != "twelve times three"
    parser.parse(written)  # a sentence of the grammar all the same (lark raises otherwise)


def test_a_regex_grammar_takes_the_prompts_matching_text_else_writes_a_match(client: openai.OpenAI) -> None:
    dialer = _regex_tool("dialer", r"\d{3}-\d{4}")
    assert _call(client, "Use the dialer to ring 555-0199 tonight", dialer)["input"] == "555-0199"
    ticket = _regex_tool("ticket", r"[A-Z]{3}-\d{2,4}")
    written = _call(client, "Open a ticket for the broken printer", ticket)["input"]
    assert re.fullmatch(r"[A-Z]{3}-\d{2,4}", written), written


def test_the_same_request_and_seed_write_the_same_input(client: openai.OpenAI) -> None:
    ticket = _regex_tool("ticket", r"[a-z]{4,8}-[0-9]{3}")
    seeded = {"extra_headers": {"x-mock-seed": "31"}}
    first = _call(client, "Open a ticket please", ticket, **seeded)["input"]
    again = _call(client, "Open a ticket please", ticket, **seeded)["input"]
    assert first == again
    assert re.fullmatch(r"[a-z]{4,8}-[0-9]{3}", first)


def test_a_streamed_grammar_call_sends_its_input_as_deltas(client: openai.OpenAI) -> None:
    prompt = "Use apply_patch to create a file hello.txt containing the line Hello, world."
    events: list[Any] = list(client.responses.create(model="gpt-5", input=prompt, tools=[APPLY_PATCH], stream=True))  # type: ignore[list-item]
    for event in events:
        validate_component("ResponseStreamEvent", event.model_dump(mode="json", exclude_unset=True))
    deltas = "".join(event.delta for event in events if event.type == "response.custom_tool_call_input.delta")
    (done,) = [event for event in events if event.type == "response.custom_tool_call_input.done"]
    assert deltas == done.input
    assert PATCH_SHAPE.fullmatch(done.input)
    assert "*** Add File: hello.txt\n" in done.input


def test_a_text_format_keeps_free_form_input(client: openai.OpenAI) -> None:
    tool = {"type": "custom", "name": "code_exec", "format": {"type": "text"}}
    assert _call(client, "Use code_exec to run `print(6 * 7)`", tool)["input"] == "print(6 * 7)"


@pytest.mark.parametrize(
    ("input_format", "param", "words"),
    [
        ({"type": "grammar", "syntax": "lark", "definition": 'start: "a" ('}, "tools[0].format.definition", "lark"),
        ({"type": "grammar", "syntax": "lark", "definition": "start: value"}, "tools[0].format.definition", "value"),
        ({"type": "grammar", "syntax": "lark", "definition": 'root: "a"'}, "tools[0].format.definition", "start"),
        ({"type": "grammar", "syntax": "lark", "definition": "start: /(/"}, "tools[0].format.definition", "lark"),
        ({"type": "grammar", "syntax": "lark", "definition": "start: x\nx: x"}, "tools[0].format.definition", "finite"),
        ({"type": "grammar", "syntax": "regex", "definition": "[a-"}, "tools[0].format.definition", "regex"),
        ({"type": "grammar", "syntax": "regex", "definition": r"(?<=x)y"}, "tools[0].format.definition", "lookaround"),
        ({"type": "grammar", "syntax": "regex", "definition": r"(a)\1"}, "tools[0].format.definition", "backreference"),
        ({"type": "grammar", "syntax": "lark"}, "tools[0].format.definition", "Missing"),
        ({"type": "grammar", "syntax": "ebnf", "definition": "start: 'a'"}, "tools[0].format.syntax", "lark"),
        ({"type": "grammar", "definition": 'start: "a"'}, "tools[0].format.syntax", "Missing"),
        ({"type": "json"}, "tools[0].format.type", "grammar"),
    ],
)
def test_a_format_that_does_not_compile_is_a_400_naming_it(
    client: openai.OpenAI, input_format: dict[str, Any], param: str, words: str
) -> None:
    tool = {"type": "custom", "name": "parser", "format": input_format}
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-5", input="Hi", tools=[tool])  # type: ignore[list-item]
    error = raised.value.body
    assert error["param"] == param  # type: ignore[index]
    assert words in error["message"]  # type: ignore[index]
