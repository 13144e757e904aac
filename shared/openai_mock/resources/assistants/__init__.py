"""The Assistants API: assistants, threads, messages, runs (a clock-driven state machine), run steps, streams.

Modules: `params` (request bodies, the `OpenAI-Beta` check, tools/resources/content checks), `records` (the
public view, the 404, the thread lookup), `tool_resources`, `assistants`, `threads`, `messages`, `planning` (what
a run phase produces, built on the chat generation code), `runs` (run lifecycle, tool outputs, cancellation, run
steps), `events` (the `thread.*` stream)."""
