"""Which template.yaml to serve: the one asked for, a checkout's, or the copy the installed package carries.

A wheel of openai-mock carries the whole mock as `openai_mock/_bundle/` (template.yaml, functions/…, written by
setup.py at build time), so `openai-mock serve` and the pytest plugin work from any folder. In order:

1. an explicit path (`--template`, `MockOpenAI(template=...)`, the `openai_mock_template` ini option);
2. the `OPENAI_MOCK_TEMPLATE` environment variable;
3. a checkout of openai-mock at or above the working directory (a `template.yaml` beside `shared/openai_mock/`):
   its files win, so editing a checkout and serving it just works. Any other project's template.yaml (a user's
   own SAM app) is not the mock's and is passed over;
4. the packaged copy (an editable install or a run from the checkout's `shared/` has none: the checkout's own
   template.yaml stands in for it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_VARIABLE = "OPENAI_MOCK_TEMPLATE"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # …/openai_mock
BUNDLE_DIR = PACKAGE_DIR / "_bundle"
BUNDLE_PACKAGE = "openai_mock._bundle"  # the packaged function apps import as openai_mock._bundle.functions.<group>.app


class TemplateError(Exception):
    """template.yaml is missing, unreadable or not the mock's: said in one line, never a traceback."""


@dataclass(frozen=True)
class FoundTemplate:
    path: Path  # absolute
    origin: str  # how it was chosen: "--template", "OPENAI_MOCK_TEMPLATE", "checkout" or "packaged"


def is_checkout(folder: Path) -> bool:
    return (folder / "template.yaml").is_file() and (folder / "shared" / "openai_mock").is_dir()


def checkout_template(start: Path | None = None) -> Path | None:
    """template.yaml of the openai-mock checkout at or above `start` (the working directory)."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if is_checkout(folder):
            return folder / "template.yaml"
    return None


def packaged_template() -> Path | None:
    """The template.yaml this installation carries: the wheel's copy, else the checkout the package runs from."""
    if (BUNDLE_DIR / "template.yaml").is_file():
        return BUNDLE_DIR / "template.yaml"
    if PACKAGE_DIR.parent.name == "shared" and is_checkout(PACKAGE_DIR.parents[1]):
        return PACKAGE_DIR.parents[1] / "template.yaml"
    return None


def find_template(explicit: str | Path | None = None, *, origin: str = "--template") -> FoundTemplate:
    """The template.yaml to serve (see the module docstring for the order)."""
    for candidate, named in ((explicit, origin), (os.environ.get(TEMPLATE_VARIABLE), TEMPLATE_VARIABLE)):
        if candidate:
            path = Path(candidate).expanduser().resolve()
            if not path.is_file():
                raise TemplateError(f"{path} (from {named}) does not exist or is not a file")
            return FoundTemplate(path, named)
    checkout = checkout_template()
    if checkout is not None:
        return FoundTemplate(checkout, "checkout")
    packaged = packaged_template()
    if packaged is not None:
        return FoundTemplate(packaged, "packaged")
    raise TemplateError(
        f"this installation of openai-mock carries no template.yaml ({BUNDLE_DIR} is missing): "
        f"reinstall it, or pass --template / set {TEMPLATE_VARIABLE}"
    )


def version() -> str:
    """The installed distribution's version (package metadata); "unknown" when run from a bare checkout."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("openai-mock")
    except PackageNotFoundError:
        return "unknown"
