"""Field types for request models: JSON's scalar types read as the real API reads them, strictly.

pydantic's default (lax) mode reads `true` as the integer 1 and `false` as the decimal 0.0, `"0.5"` as 0.5 and
`2.0` as the integer 2; the real API refuses all of them: "Invalid type for 'max_tokens': expected an integer,
but got a boolean instead." (errors.from_validation_errors words it). Every number of every request model is
declared with these types, never bare `int` / `float`.

- `Integer`: a JSON integer; not a boolean, not a decimal (`2.0`), not a string.
- `Decimal`: a JSON number (an integer is a decimal too); not a boolean, not a string, and finite: `NaN` and
  `Infinity`, which Python's JSON parser accepts and the real API's does not, are refused as unparsable JSON.
- `Flag`, `Text`: a JSON boolean (not `1`, not `"true"`) and a JSON string, for nested shapes.

Every request model derives from `RequestModel`, whose validator pydantic builds when the model first validates,
not when its module is imported: a function imports the models of all its operations and a request uses one or
two (Assistants: 22), so a cold start builds only what its first request needs (bench/README.md, cold starts)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AllowInfNan, BaseModel, ConfigDict, Strict

Integer = Annotated[int, Strict()]
Decimal = Annotated[float, Strict(), AllowInfNan(False)]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict()]


class RequestModel(BaseModel):
    """The base of the layer's request models: validators built on first use (pydantic's `defer_build`). A
    subclass's own `model_config` is merged with this one."""

    model_config = ConfigDict(defer_build=True)
