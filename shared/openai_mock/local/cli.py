"""`openai-mock serve`: the whole mock on one port, no Docker."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openai-mock", description="A mock of the whole OpenAI API.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every function of template.yaml on one port")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--template", type=Path, default=Path("template.yaml"))
    serve.add_argument("--store", choices=["memory", "dynamodb"], default=None)
    serve.add_argument("--dynamodb-endpoint", default=None, help="e.g. http://localhost:8001 (DynamoDB Local)")
    serve.add_argument("--table", default=None, help="DynamoDB table name (created if missing)")
    serve.add_argument("--seed", default=None, help="deployment-wide seed for generated content")
    serve.add_argument("--fixtures", type=Path, default=None, help="YAML/JSON fixtures for every tenant "
                       "(docs/controls.md)")
    return parser


def _apply_options(args: argparse.Namespace) -> None:
    """Options become the same environment variables a Lambda reads, so there is one settings path."""
    for option, variable in (
        ("store", "OPENAI_MOCK_STORE"),
        ("dynamodb_endpoint", "OPENAI_MOCK_DYNAMODB_ENDPOINT"),
        ("table", "OPENAI_MOCK_TABLE_NAME"),
        ("seed", "OPENAI_MOCK_SEED"),
    ):
        value = getattr(args, option)
        if value is not None:
            os.environ[variable] = str(value)
    if args.fixtures is not None:
        os.environ["OPENAI_MOCK_FIXTURES_FILE"] = str(args.fixtures.resolve())


def _ensure_table() -> None:
    from openai_mock.settings import get_settings
    from openai_mock.store.dynamodb import create_table

    settings = get_settings()
    if settings.store != "dynamodb":
        return
    import boto3

    client = boto3.client("dynamodb", region_name=settings.region, endpoint_url=settings.dynamodb_endpoint)
    if settings.table_name not in client.list_tables()["TableNames"]:
        create_table(client, settings.table_name)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    started = time.perf_counter()
    _apply_options(args)
    from openai_mock.local.server import build_app
    from openai_mock.settings import reset_settings
    from openai_mock.store import reset_stores

    reset_settings()
    reset_stores()
    _ensure_table()
    template = args.template.resolve()
    # Function modules are imported by their dotted path (functions.models.app) from the template's folder.
    sys.path.insert(0, str(template.parent))
    app = build_app(template)
    print(
        f"openai-mock: {app.state.route_count} routes from {app.state.function_count} functions, "
        f"ready in {time.perf_counter() - started:.2f}s at http://{args.host}:{args.port}/v1",
        flush=True,
    )
    # No `server: uvicorn` header: OpenAI's answers do not name their server software.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, server_header=False)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        serve(args)


if __name__ == "__main__":
    main()
