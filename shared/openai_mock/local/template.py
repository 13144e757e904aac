"""Read template.yaml the way `sam local start-api` does: functions, their code and their API routes."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !If, !Sub…) as plain {"Fn": value} data."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        return {name: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@dataclass(frozen=True)
class ApiRoute:
    method: str  # upper case
    path: str  # API Gateway syntax: /v1/models/{model}
    event_name: str


@dataclass(frozen=True)
class FunctionDef:
    logical_id: str
    code_uri: Path  # absolute
    code_uri_relative: Path  # as written in the template, relative to it
    handler: str
    routes: tuple[ApiRoute, ...]

    @property
    def module_name(self) -> str:
        """CodeUri `functions/models/` + Handler `app.handler` → `functions.models.app`: the name the
        tests import too, so the server and the tests share one module object."""
        return ".".join([*self.code_uri_relative.parts, self.handler.rsplit(".", 1)[0]])

    def load_app(self) -> Any:
        """Import the function module from its CodeUri and return its ASGI `app`."""
        module_file = self.handler.rsplit(".", 1)[0]
        module_name = self.module_name
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name, self.code_uri / f"{module_file}.py")
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {self.logical_id} from {self.code_uri}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        return module.app


class Template:
    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        with self.path.open() as stream:
            self.document: dict[str, Any] = yaml.load(stream, Loader=_CloudFormationLoader)

    @cached_property
    def functions(self) -> tuple[FunctionDef, ...]:
        resources = self.document.get("Resources", {})
        default_handler = self.document.get("Globals", {}).get("Function", {}).get("Handler", "app.handler")
        found = []
        for logical_id, resource in resources.items():
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            properties = resource.get("Properties", {})
            routes = tuple(
                ApiRoute(event["Properties"]["Method"].upper(), event["Properties"]["Path"], name)
                for name, event in (properties.get("Events") or {}).items()
                if event.get("Type") == "Api"
            )
            found.append(
                FunctionDef(
                    logical_id=logical_id,
                    code_uri=self.path.parent / properties["CodeUri"],
                    code_uri_relative=Path(properties["CodeUri"]),
                    handler=properties.get("Handler", default_handler),
                    routes=routes,
                )
            )
        return tuple(found)
