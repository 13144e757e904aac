"""The wheel carries the whole mock, not only the layer: setuptools' build_py, plus one step.

pyproject.toml holds all the metadata. This adds template.yaml and every functions/**.py to the build as
`openai_mock/_bundle/` (inside the build directory only: shared/, which `sam build` makes the Lambda layer of,
is left as it is), with the template parsed once into template.yaml.parsed.json so that serving the packaged
mock needs no YAML parser. `openai_mock.local.bundle` finds it there. Editable installs skip the step: they
serve the checkout's own files."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLE_INIT = '"""The mock `openai-mock serve` runs outside a checkout: template.yaml and functions/ (setup.py)."""\n'


def _template_module():  # type: ignore[no-untyped-def]
    """openai_mock.local.template, loaded from its file: the package's own imports are not installed here."""
    for name, path in (
        ("openai_mock", "shared/openai_mock/__init__.py"),
        ("openai_mock.local", "shared/openai_mock/local/__init__.py"),
        ("openai_mock.local.bundle", "shared/openai_mock/local/bundle.py"),
        ("openai_mock.local.template", "shared/openai_mock/local/template.py"),
    ):
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, ROOT / path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
    return sys.modules["openai_mock.local.template"]


def write_bundle(target: Path) -> list[Path]:
    """template.yaml (+ its parse) and functions/**.py into `target`; the files written."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = [target / "__init__.py", target / "template.yaml"]
    written[0].write_text(BUNDLE_INIT)
    shutil.copyfile(ROOT / "template.yaml", written[1])
    parsed = target / ("template.yaml" + _template_module().PARSED_SUFFIX)
    parsed.write_text(json.dumps(_template_module().parsed_document(ROOT / "template.yaml"), sort_keys=True))
    written.append(parsed)
    for source in sorted((ROOT / "functions").rglob("*.py")):
        if "__pycache__" in source.parts:
            continue
        copy = target / source.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        written.append(copy)
    return written


class BuildPyWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            self._bundle = write_bundle(Path(self.build_lib) / "openai_mock" / "_bundle")

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), *(str(path) for path in getattr(self, "_bundle", []))]


setup(cmdclass={"build_py": BuildPyWithBundle})
