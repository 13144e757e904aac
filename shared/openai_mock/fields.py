"""Field types for request models: JSON's scalar types read as the real API reads them, strictly.

pydantic's default (lax) mode reads `true` as the integer 1 and `false` as the decimal 0.0, `"0.5"` as 0.5 and
`2.0` as the integer 2; the real API refuses all of them: "Invalid type for 'max_tokens': expected an integer,
but got a boolean instead." (errors.from_validation_errors words it). Every number of every request model is
declared with these types, never bare `int` / `float`.

- `Integer`: a JSON integer; not a boolean, not a decimal (`2.0`), not a string.
- `Decimal`: a JSON number (an integer is a decimal too); not a boolean, not a string, and finite: `NaN` and
  `Infinity`, which Python's JSON parser accepts and the real API's does not, are refused as unparsable JSON.
- `Flag`, `Text`: a JSON boolean (not `1`, not `"true"`) and a JSON string, for nested shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AllowInfNan, Strict

Integer = Annotated[int, Strict()]
Decimal = Annotated[float, Strict(), AllowInfNan(False)]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict()]
