"""Read template.yaml the way `sam local start-api` does: functions, their code and their API routes."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from openai_mock.local.bundle import BUNDLE_DIR, BUNDLE_PACKAGE, TemplateError

# Beside a packaged template.yaml: the same document parsed at build time (setup.py), with the SHA-256 of the
# bytes it was parsed from. Used only while it matches them, so serving the packaged mock parses no YAML.
PARSED_SUFFIX = ".parsed.json"


@cache
def _loader() -> type:
    import yaml

    class CloudFormationLoader(yaml.SafeLoader):
        """Reads CloudFormation short-form tags (!Ref, !If, !Sub…) as plain {"Fn": value} data."""

    def intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
        name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
        if isinstance(node, yaml.ScalarNode):
            return {name: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {name: loader.construct_sequence(node, deep=True)}
        return {name: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]

    CloudFormationLoader.add_multi_constructor("!", intrinsic)
    return CloudFormationLoader


def parse_yaml(text: bytes | str) -> Any:
    """A CloudFormation template as plain data."""
    import yaml

    return yaml.load(text, Loader=_loader())


def parsed_document(path: Path) -> dict[str, Any]:
    """What setup.py writes beside a packaged template.yaml (PARSED_SUFFIX)."""
    data = path.read_bytes()
    return {"sha256": hashlib.sha256(data).hexdigest(), "document": parse_yaml(data)}


def _prepared(path: Path, data: bytes) -> Any:
    parsed = path.with_name(path.name + PARSED_SUFFIX)
    if not parsed.is_file():
        return None
    try:
        prepared = json.loads(parsed.read_bytes())
    except ValueError:
        return None
    if not isinstance(prepared, dict) or prepared.get("sha256") != hashlib.sha256(data).hexdigest():
        return None  # template.yaml was edited after the build: read the YAML
    return prepared.get("document")


def read_document(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TemplateError(f"cannot read {path}: {error.strerror or error}") from None
    document = _prepared(path, data)
    if document is None:
        import yaml

        try:
            document = parse_yaml(data)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise TemplateError(f"{path} is not valid YAML{where}: {problem}") from None
        except UnicodeDecodeError:
            raise TemplateError(f"{path} is not a text file") from None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path} is not a SAM template (no Resources mapping)")
    return document


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
    package: str = ""
    # Paths of the WebSocket APIs whose routes integrate this function: "/v1/<stage>" (API Gateway's
    # WebSocket URL is the stage's, which the SDK's `websocket_base_url` + "/realtime" reaches).
    websocket_paths: tuple[
        str, ...
    ] = ()  # what module names start with: "" for a checkout, BUNDLE_PACKAGE for the packaged mock

    @property
    def module_name(self) -> str:
        """CodeUri `functions/models/` + Handler `app.handler` → `functions.models.app`: the name the
        tests import too, so the server and the tests share one module object. The packaged mock's are
        `openai_mock._bundle.functions.models.app`: a user's own `functions` package is left alone."""
        parts = [*self.code_uri_relative.parts, self.handler.rsplit(".", 1)[0]]
        return ".".join([self.package, *parts] if self.package else parts)

    def load_app(self) -> Any:
        """Import the function module from its CodeUri and return its ASGI `app`."""
        module_file = self.handler.rsplit(".", 1)[0]
        module_name = self.module_name
        module = sys.modules.get(module_name)
        if module is None:
            source = self.code_uri / f"{module_file}.py"
            if not source.is_file():
                raise TemplateError(f"{self.logical_id}: {source} does not exist (CodeUri + Handler)")
            spec = importlib.util.spec_from_file_location(module_name, source)
            if spec is None or spec.loader is None:
                raise TemplateError(f"cannot load {self.logical_id} from {self.code_uri}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
        if not hasattr(module, "app"):
            raise TemplateError(f"{self.logical_id}: {module.__file__} defines no ASGI `app`")
        return module.app


class Template:
    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.document: dict[str, Any] = read_document(self.path)
        self.package = BUNDLE_PACKAGE if self.path.parent == BUNDLE_DIR else ""

    def make_importable(self) -> None:
        """A checkout's function modules import as functions.<group>.app from the template's folder."""
        if not self.package and str(self.path.parent) not in sys.path:
            sys.path.insert(0, str(self.path.parent))

    def _websocket_paths(self) -> dict[str, tuple[str, ...]]:
        """Function logical id → the local paths of the WebSocket APIs (ProtocolType WEBSOCKET) that integrate
        it: an `AWS::ApiGatewayV2::Integration` whose IntegrationUri names `${Function.Arn}`, on an API whose
        `AWS::ApiGatewayV2::Stage` is named like the path's last segment."""
        resources = self.document.get("Resources", {})

        def of_type(kind: str) -> list[dict[str, Any]]:
            return [
                r.get("Properties") or {} for r in resources.values() if isinstance(r, dict) and r.get("Type") == kind
            ]

        apis = {
            name
            for name, r in resources.items()
            if isinstance(r, dict)
            and r.get("Type") == "AWS::ApiGatewayV2::Api"
            and (r.get("Properties") or {}).get("ProtocolType") == "WEBSOCKET"
        }
        stages = {
            stage["ApiId"].get("Ref"): stage.get("StageName")
            for stage in of_type("AWS::ApiGatewayV2::Stage")
            if isinstance(stage.get("ApiId"), dict)
        }
        found: dict[str, tuple[str, ...]] = {}
        for integration in of_type("AWS::ApiGatewayV2::Integration"):
            api = integration.get("ApiId", {}).get("Ref") if isinstance(integration.get("ApiId"), dict) else None
            uri = integration.get("IntegrationUri")
            text = uri.get("Fn::Sub") if isinstance(uri, dict) else uri
            if api not in apis or not isinstance(text, str) or not isinstance(stages.get(api), str):
                continue
            for function in re.findall(r"\$\{(\w+)\.Arn\}", text):
                found[function] = (*found.get(function, ()), f"/v1/{stages[api]}")
        return found

    @cached_property
    def functions(self) -> tuple[FunctionDef, ...]:
        resources = self.document.get("Resources", {})
        default_handler = self.document.get("Globals", {}).get("Function", {}).get("Handler", "app.handler")
        websocket_paths = self._websocket_paths()
        found = []
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::Serverless::Function":
                continue
            try:
                properties = resource.get("Properties", {})
                routes = tuple(
                    ApiRoute(event["Properties"]["Method"].upper(), event["Properties"]["Path"], name)
                    for name, event in (properties.get("Events") or {}).items()
                    if event.get("Type") == "Api"
                )
                code_uri = properties["CodeUri"]
                if not isinstance(code_uri, str):
                    raise TypeError("CodeUri")
                function = FunctionDef(
                    logical_id=logical_id,
                    code_uri=self.path.parent / code_uri,
                    code_uri_relative=Path(code_uri),
                    handler=properties.get("Handler", default_handler),
                    routes=routes,
                    package=self.package,
                    websocket_paths=websocket_paths.get(logical_id, ()),
                )
            except (KeyError, TypeError, AttributeError) as error:
                raise TemplateError(
                    f"{self.path}: {logical_id} is not a function of the expected shape "
                    f"({type(error).__name__}: {error})"
                ) from None
            found.append(function)
        if not found:
            raise TemplateError(f"{self.path} declares no AWS::Serverless::Function")
        return tuple(found)
