"""Write the StreamingMode=stream variant of template.yaml (used by `make build STREAMING=stream`).

Why a variant and not only a parameter: SAM reads an Api event's `ResponseTransferMode` while it
transforms the template and compares it to the literal `RESPONSE_STREAM` (it picks the integration URI
`/response-streaming-invocations` from it), so a `!Ref`/`!If` there is silently treated as buffered.
The function side (Web Adapter layer, exec wrapper, timeout) does follow the `StreamingMode` parameter;
this script sets the API side to match and makes `stream` the parameter's default (overriding it
back to `buffered` on this variant would pair buffered functions with a streaming API: don't).

Usage: python tools/streaming_template.py [--template template.yaml] [--output .aws-sam/template.stream.yaml]
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Every Api event in template.yaml has exactly this shape (tests/infra/test_template.py checks it).
_API_EVENT = re.compile(r"^(?P<indent> +)Type: Api\n(?P=indent)Properties:\n", re.MULTILINE)
_PARAMETER = "    Default: buffered\n    AllowedValues: [buffered, stream]\n"
_STREAM_DEFAULT = "    Default: stream\n    AllowedValues: [buffered, stream]\n"


def render(template: str) -> str:
    """The same template with every Api event streaming and StreamingMode defaulting to `stream`."""
    if template.count(_PARAMETER) != 1:
        raise ValueError("template.yaml has no StreamingMode parameter of the expected shape")
    events = len(_API_EVENT.findall(template))
    if events == 0:
        raise ValueError("template.yaml declares no Api events")

    def streaming(match: re.Match[str]) -> str:
        return f"{match.group(0)}{match.group('indent')}  ResponseTransferMode: RESPONSE_STREAM\n"

    rendered = _API_EVENT.sub(streaming, template)
    return rendered.replace(_PARAMETER, _STREAM_DEFAULT)


def rebase_code_paths(template: str, source_dir: Path, output_dir: Path) -> str:
    """Local CodeUri/ContentUri paths resolve against the template's folder: keep them valid from the new one."""

    def rebased(match: re.Match[str]) -> str:
        target = os.path.relpath(source_dir.resolve() / match.group(2), output_dir.resolve())
        return f"{match.group(1)}{Path(target).as_posix()}/"

    return re.sub(r"^( +(?:CodeUri|ContentUri): )(?!s3://)(\S+)$", rebased, template, flags=re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, default=REPO / "template.yaml")
    parser.add_argument("--output", type=Path, default=REPO / ".aws-sam" / "template.stream.yaml")
    args = parser.parse_args()
    rendered = rebase_code_paths(render(args.template.read_text()), args.template.parent, args.output.parent)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(rendered)
    print(f"wrote {args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output}")


if __name__ == "__main__":
    main()
