"""The layer's layout is its architecture: imports run down the tiers, never up, and packages form no cycle.

    functions → resources → web, control → generation, store → ground (errors, ids, clock, rng, settings, …)

`local/` and `testing.py` sit on top (they serve the functions). Every import counts, lazy ones inside a
function included: an upward import hidden in a function body is still a cycle waiting to happen."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAYER = REPO / "shared" / "openai_mock"
FUNCTIONS = REPO / "functions"

# Tier of each unit of the layer (a subpackage, or "ground" for the top-level modules); higher imports lower.
TIERS = {
    "ground": 0,
    "generation": 1,
    "store": 1,
    "web": 2,
    "control": 2,
    "resources": 3,
    "local": 4,
    "testing": 4,
    "__main__": 4,
}
TOP_LEVEL_UNITS = {"testing", "__main__"}  # top-level modules that are not ground


def _unit(module: str) -> str:
    """`openai_mock.web.auth` → "web"; `openai_mock.clock` → "ground"."""
    parts = module.split(".")
    if len(parts) == 1:
        return "ground"
    head = parts[1]
    if (LAYER / head).is_dir():
        return head
    return head if head in TOP_LEVEL_UNITS else "ground"


def _module_name(path: Path) -> str:
    relative = path.relative_to(LAYER.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every openai_mock module a file imports (`from openai_mock import clock` counts as openai_mock.clock)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.split(".")[0] == "openai_mock")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "openai_mock":
            if node.module == "openai_mock":
                yield from (f"openai_mock.{alias.name}" for alias in node.names)
            else:
                yield node.module


def _layer_edges() -> list[tuple[str, str]]:
    return [(_module_name(path), target) for path in sorted(LAYER.rglob("*.py")) for target in _imports(path)]


def test_every_unit_of_the_layer_has_a_tier() -> None:
    units = {_unit(module) for edge in _layer_edges() for module in edge}
    assert units <= set(TIERS), f"no tier for {sorted(units - set(TIERS))}: add it to TIERS and docs/architecture.md"


def test_no_import_runs_up_the_tiers() -> None:
    upward = [
        f"{source} → {target}" for source, target in _layer_edges() if TIERS[_unit(target)] > TIERS[_unit(source)]
    ]
    assert upward == []


def test_generation_is_pure_builders() -> None:
    """Builders are functions of (request, rng, clock): no store, no HTTP, no controls, no API group."""
    impure = [
        f"{source} → {target}"
        for source, target in _layer_edges()
        if _unit(source) == "generation" and _unit(target) in {"store", "web", "control", "resources"}
    ]
    assert impure == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of a directed graph, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_units_form_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in _layer_edges():
        if _unit(source) != _unit(target):
            graph.setdefault(_unit(source), set()).add(_unit(target))
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The cycle check above must be able to fail."""
    assert _cycle({"web": {"control"}, "control": {"web"}}) == ["control", "web", "control"]
    assert _cycle({"web": {"control"}, "control": {"store"}}) is None


@pytest.mark.parametrize("app", sorted(FUNCTIONS.glob("*/app.py")), ids=lambda path: path.parent.name)
def test_a_function_imports_the_layer_only(app: Path) -> None:
    """A function never imports another function (each Lambda ships its own folder and the layer)."""
    tree = ast.parse(app.read_text())
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    assert [name for name in imported if name.split(".")[0] == "functions"] == []


def test_the_layer_never_imports_a_function() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in LAYER.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "functions"
    ]
    assert offenders == []


def test_functions_without_generated_answers_do_not_import_the_chat_generator() -> None:
    """The mock controls run before every function's routes; they read fixtures through generation/content.py,
    so a function that answers no model request (Models, Files…) leaves the chat generator's ~45 ms of imports
    out of its cold start (bench/README.md, cold start)."""
    imported = _modules_after_importing("functions.models.app", "functions.files.app")
    generators = ("chat", "answers", "text", "extract")
    assert [m for m in imported if m.startswith("openai_mock.generation.") and m.split(".")[2] in generators] == []


def test_functions_that_start_no_background_work_do_not_import_the_webhooks_package() -> None:
    """Webhooks are sent when background work ends (batches, fine-tuning, evals, background responses): the
    functions that answer at once reach the controls' `scripted` hook, not the webhooks' delivery, endpoints and
    signing (~15 ms of a cold start; bench/README.md)."""
    imported = _modules_after_importing(
        "functions.chat.app", "functions.completions.app", "functions.images.app", "functions.audio.app"
    )
    assert [m for m in imported if m.startswith("openai_mock.control.webhooks")] == []


def test_functions_that_watch_objects_import_the_webhooks_delivery_on_their_first_watch() -> None:
    """Batches, fine-tuning jobs, eval runs and background responses register their webhook source at import
    (control/webhooks/sources.py); the delivery machinery (endpoints, signing, targets, dispatch) waits for the
    first object watched (bench/README.md, cold starts)."""
    imported = _modules_after_importing(
        "functions.batches.app", "functions.fine_tuning.app", "functions.evals.app", "functions.responses.app"
    )
    delivery = ("delivery", "endpoints", "signing", "targets", "dispatch")
    assert [m for m in imported if m.startswith("openai_mock.control.webhooks.") and m.split(".")[3] in delivery] == []


_FIXTURE_AND_FAULT_EXTRAS = (
    "openai_mock.control.json_path",
    "openai_mock.control.fixture_templates",
    "openai_mock.control.stream_faults",
)


@pytest.mark.parametrize(
    ("function", "deferred"),
    [
        ("videos", ("numpy", "openai_mock.generation.videos")),  # a job's creation and polling render nothing
        ("certificates", ("cryptography",)),  # only an upload parses a PEM
        # a session's custom voice or audio needs numpy and the audio layer; its first response, the generators
        (
            "realtime",
            ("numpy", "openai_mock.resources.audio", "openai_mock.generation.chat", "openai_mock.generation.text"),
        ),
        ("audio", ("numpy",)),  # speech is synthesised without it; a custom voice's sample or PCM audio needs it
        # creating assistants, threads and messages generates nothing: a run's plan needs the chat generator
        ("assistants", ("openai_mock.generation.chat",)),
        # a response draws a picture only for the image_generation tool; it needs the containers and skills only
        # for a code_interpreter or hosted shell tool, and the stored prompts only for a `prompt` reference
        (
            "responses",
            (
                "openai_mock.generation.images",
                "openai_mock.generation.raster",
                "openai_mock.generation.png",
                "openai_mock.resources.containers",
                "openai_mock.resources.skills",
                "openai_mock.control.prompts",
                *_FIXTURE_AND_FAULT_EXTRAS,
            ),
        ),
        # a fixture's body conditions and templates, and a broken stream, are imported by the request that has one
        ("chat", _FIXTURE_AND_FAULT_EXTRAS),
        # a session's browser step draws its screenshot only when the agent asks for screenshots
        ("agent_sessions", ("openai_mock.generation.screenshots", "openai_mock.generation.images")),
        # creating, polling and listing batches generate nothing: a batch's run needs its endpoint's layer
        (
            "batches",
            ("openai_mock.resources.chat", "openai_mock.resources.completions", "openai_mock.resources.embeddings"),
        ),
        # the worker resolves the source a message wakes (resources/webhooks.py), not all four at every cold start
        (
            "webhooks",
            (
                "openai_mock.resources.responses",
                "openai_mock.resources.batches",
                "openai_mock.resources.fine_tuning",
                "openai_mock.resources.evals",
            ),
        ),
    ],
)
def test_a_function_imports_what_few_requests_need_on_first_use(function: str, deferred: tuple[str, ...]) -> None:
    """What only some of a function's requests need is imported by the first of them, not at every cold start
    (bench/README.md, cold starts)."""
    imported = _modules_after_importing(f"functions.{function}.app")
    assert [m for m in imported if m.split(".")[0] in deferred or m in deferred] == []


def _modules_after_importing(*modules: str) -> list[str]:
    """Every module a fresh interpreter holds after importing `modules` (as a cold start does)."""
    import json
    import subprocess
    import sys

    script = f"import json, sys; import {', '.join(modules)}; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    loaded: list[str] = json.loads(run.stdout)
    return loaded


def test_no_cold_start_creates_a_dataclass_of_the_layer() -> None:
    """A dataclass costs 0.3–0.6 ms to create (its methods are generated and compiled at import); the records a
    function creates at its cold start are NamedTuples or slotted classes instead (docs/architecture.md). One
    interpreter imports every function's app: what any of them loads is checked."""
    import subprocess
    import sys

    apps = ", ".join(f"functions.{app.parent.name}.app" for app in sorted(REPO.glob("functions/*/app.py")))
    script = (
        f"import dataclasses, sys; import {apps}; "
        "print([f'{m.__name__}.{n}' for name, m in list(sys.modules.items()) if name.startswith('openai_mock') "
        "for n, v in vars(m).items() if isinstance(v, type) and v.__module__ == name and dataclasses.is_dataclass(v)])"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert run.stdout.strip() == "[]"
