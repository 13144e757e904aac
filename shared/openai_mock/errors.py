"""The one error type. Every failure, ours or the framework's, leaves as OpenAI's envelope:
{"error": {"message", "type", "param", "code"}} with the status code the real API uses."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse


class OpenAIError(Exception):
    """An error answered to the client exactly as OpenAI would answer it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> OpenAIError:
    return OpenAIError(400, message, param=param, code=code)


def missing_parameter(param: str) -> OpenAIError:
    return invalid_request(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def invalid_type(param: str, expected: str, value: object) -> OpenAIError:
    """`expected` as the API words it ("a string", "an array of objects")."""
    return invalid_request(
        f"Invalid type for '{param}': expected {expected}, but got {type(value).__name__} instead.",
        param,
        "invalid_type",
    )


@contextlib.contextmanager
def naming(param: str) -> Iterator[None]:
    """An error raised inside (a looked-up object's 404, another layer's check) names `param`, where the request
    sent the value, instead of its own."""
    try:
        yield
    except OpenAIError as error:
        error.param = param
        raise


def not_found(object_name: str, object_id: str, param: str | None = None) -> OpenAIError:
    """404 with OpenAI's wording: "No such File object: file-abc"."""
    return OpenAIError(404, f"No such {object_name} object: {object_id}", param=param)


def invalid_url(method: str, path: str) -> OpenAIError:
    return OpenAIError(404, f"Invalid URL ({method} {path})")


def method_not_allowed(method: str, path: str) -> OpenAIError:
    return OpenAIError(405, f"Method not allowed ({method} {path})", code="method_not_allowed")


def body_too_large(limit: int) -> OpenAIError:
    return OpenAIError(
        413,
        f"Request body too large: the maximum size is {limit} bytes.",
        code="request_too_large",
    )


def server_error() -> OpenAIError:
    return OpenAIError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )


JSON_PARSE_MESSAGE = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
    "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. "
    "If you have trouble figuring out how to fix this, please contact us through our help center at "
    "help.openai.com.)"
)

# pydantic error types → the words OpenAI uses for the expected type.
_EXPECTED_TYPES = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a decimal",
    "float_parsing": "a decimal",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


_TAGS = frozenset({"str", "int", "float", "bool"})  # how pydantic locates a union's scalar members


# A multipart form's field name that spells a nested param (`svg[foo]`, `chunking_strategy[type]`, `include[]`).
_FORM_FIELD = re.compile(r"[A-Za-z_]\w*(\[\w*\])+")


def _form_field_param(name: str) -> str:
    """A nested form field named as OpenAI names the param: svg[foo] → svg.foo, a[0][b] → a[0].b, include[] →
    include."""
    head, _, rest = name.partition("[")
    for key in rest.removesuffix("]").split("]["):
        head += f"[{key}]" if key.isdigit() else f".{key}" if key else ""
    return head


def param_path(location: Sequence[str | int]) -> str | None:
    """('body', 'messages', 0, 'content') → 'messages[0].content', OpenAI's way of naming a param."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    text = ""
    # The first part is the body's own field: a bracketed one is a form's nested field, never a union member.
    if parts and isinstance(parts[0], str) and _FORM_FIELD.fullmatch(parts[0]):
        text, parts = _form_field_param(parts[0]), parts[1:]
    # pydantic puts union member / function-validator names in the location; they are not params.
    parts = [p for p in parts if isinstance(p, int) or ("[" not in p and "function-" not in p and p not in _TAGS)]
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or None


def _json_type_name(value: object) -> str:
    for python_type, name in (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a decimal"),
        (str, "a string"),
        (list, "an array"),
        (dict, "an object"),
    ):
        if isinstance(value, python_type):
            return name
    return "null" if value is None else "an unknown type"


def _is_tag(part: object) -> bool:
    return isinstance(part, str) and (part in _TAGS or part.startswith(("literal[", "constrained-")))


def _union_members(errors: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """What a union field accepts, when the first errors are its members' (pydantic reports one error per member,
    each located under the member's tag: ('max_tokens', 'int'), ('max_tokens', "literal['inf']"))."""
    location = tuple(errors[0].get("loc", ()))
    if len(location) < 2:
        return None
    members = [error for error in errors if tuple(error.get("loc", ()))[:-1] == location[:-1]]
    if len(members) < 2 or not all(_is_tag(tuple(error["loc"])[-1]) for error in members):
        return None
    words: list[str] = []
    for error in members:
        kind = error.get("type", "")
        if kind == "literal_error":
            words.append(str((error.get("ctx") or {}).get("expected", "")))
        elif kind in _EXPECTED_TYPES:
            words.append(_EXPECTED_TYPES[kind])
        else:
            return None
    return words


def from_validation_errors(errors: Sequence[Mapping[str, Any]]) -> OpenAIError:
    """The first validation problem (pydantic's or FastAPI's error list), worded like OpenAI's 400s."""
    if not errors:
        return invalid_request("Invalid request.")
    first = errors[0]
    kind = first.get("type", "")
    members = _union_members(errors)
    if members is not None:  # "Invalid type for 'n_epochs': expected one of 'auto' or an integer, but got …"
        param = param_path(tuple(first["loc"])[:-1])
        expected = " or ".join([", ".join(members[:-1]), members[-1]])
        return invalid_request(
            f"Invalid type for '{param}': expected one of {expected}, but got {_json_type_name(first.get('input'))} "
            "instead.",
            param,
            "invalid_type",
        )
    if kind in ("json_invalid", "finite_number"):  # NaN / Infinity: Python's parser reads them, JSON has none
        return invalid_request(JSON_PARSE_MESSAGE)
    param = param_path(first.get("loc", ()))
    if kind == "missing":
        if param is None:  # the whole body is missing
            return invalid_request(JSON_PARSE_MESSAGE)
        return invalid_request(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
    if kind in _EXPECTED_TYPES:
        if param is None:  # the body itself is not a JSON object (null, an array, text/plain, a form)
            return invalid_request(JSON_PARSE_MESSAGE)
        got = _json_type_name(first.get("input"))
        return invalid_request(
            f"Invalid type for '{param}': expected {_EXPECTED_TYPES[kind]}, but got {got} instead.",
            param,
            "invalid_type",
        )
    if kind == "extra_forbidden":
        return invalid_request(f"Unrecognized request argument supplied: {param}", param, "unknown_parameter")
    message = str(first.get("msg", "Invalid value")).removeprefix("Value error, ")
    return invalid_request(f"Invalid value for '{param}': {message}", param, "invalid_value")


async def _openai_error_handler(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
    assert isinstance(exc, OpenAIError)
    return exc.response()


async def _validation_error_handler(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
    assert isinstance(exc, RequestValidationError)
    return from_validation_errors(exc.errors()).response()


async def _http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return invalid_url(request.method, request.url.path).response()
    if exc.status_code == 405:
        error = method_not_allowed(request.method, request.url.path)
        error.headers.update(exc.headers or {})
        return error.response()
    return OpenAIError(exc.status_code, str(exc.detail), headers=exc.headers).response()


# Unexpected exceptions are caught by middleware.OpenAIMiddleware (logged, 500 envelope).
EXCEPTION_HANDLERS = {
    OpenAIError: _openai_error_handler,
    RequestValidationError: _validation_error_handler,
    StarletteHTTPException: _http_error_handler,
}
