"""`openai-mock serve`: the whole mock on one port, no Docker. Also `python -m openai_mock serve`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from openai_mock.local.bundle import BUNDLE_DIR, TEMPLATE_VARIABLE, TemplateError, find_template, version

USAGE_ERROR = 2  # what argparse exits with on a bad command line; a missing or broken template is one too


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openai-mock", description="A mock of the whole OpenAI API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every function of template.yaml on one port")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--template",
        type=Path,
        default=None,
        help=f"the SAM template to serve (default: ${TEMPLATE_VARIABLE}, else the template.yaml of "
        "an openai-mock checkout at or above the working directory, else the packaged one)",
    )
    serve.add_argument("--store", choices=["memory", "dynamodb"], default=None)
    serve.add_argument("--dynamodb-endpoint", default=None, help="e.g. http://localhost:8001 (DynamoDB Local)")
    serve.add_argument("--table", default=None, help="DynamoDB table name (created if missing)")
    serve.add_argument("--bucket", default=None, help="S3 bucket for file bytes (created if missing)")
    serve.add_argument("--s3-endpoint", default=None, help="an S3-compatible endpoint, e.g. http://localhost:5000")
    serve.add_argument(
        "--blob-dir",
        type=Path,
        default=None,
        help="a folder for file bytes instead of S3: processes sharing it and a DynamoDB share everything",
    )
    serve.add_argument("--seed", default=None, help="deployment-wide seed for generated content")
    serve.add_argument(
        "--fixtures", type=Path, default=None, help="YAML/JSON fixtures for every tenant (docs/controls.md)"
    )
    serve.add_argument(
        "--webhooks", type=Path, default=None, help="YAML/JSON webhook endpoints for every tenant (docs/webhooks.md)"
    )
    return parser


def _apply_options(args: argparse.Namespace) -> None:
    """Options become the same environment variables a Lambda reads, so there is one settings path."""
    for option, variable in (
        ("store", "OPENAI_MOCK_STORE"),
        ("dynamodb_endpoint", "OPENAI_MOCK_DYNAMODB_ENDPOINT"),
        ("table", "OPENAI_MOCK_TABLE_NAME"),
        ("bucket", "OPENAI_MOCK_BUCKET_NAME"),
        ("s3_endpoint", "OPENAI_MOCK_S3_ENDPOINT"),
        ("seed", "OPENAI_MOCK_SEED"),
    ):
        value = getattr(args, option)
        if value is not None:
            os.environ[variable] = str(value)
    if args.fixtures is not None:
        os.environ["OPENAI_MOCK_FIXTURES_FILE"] = str(args.fixtures.resolve())
    if args.webhooks is not None:
        os.environ["OPENAI_MOCK_WEBHOOKS_FILE"] = str(args.webhooks.resolve())
    if args.blob_dir is not None:
        args.blob_dir.mkdir(parents=True, exist_ok=True)
        os.environ["OPENAI_MOCK_BLOB_DIR"] = str(args.blob_dir.resolve())


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
    if settings.bucket_name:
        s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.s3_endpoint)
        if settings.bucket_name not in [bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])]:
            s3.create_bucket(Bucket=settings.bucket_name)


class CommandError(Exception):
    """A bad option value found before serving: one line on stderr, exit code 2."""


def _check_fixtures(path: Path, option: str = "--fixtures") -> None:
    """Read a fixtures (or webhooks) file once up front: a mistake in it is a one-line error now, not a 500 later."""
    if not path.is_file():
        raise CommandError(f"{option} {path}: no such file")
    if option == "--webhooks":
        from openai_mock.control.webhooks.endpoints import load_file
    else:
        from openai_mock.control.fixtures import load_file

    try:
        load_file(path)
    except ImportError:
        raise CommandError(
            f"{option} {path}: a YAML file needs PyYAML (pip install 'openai-mock[local]'), or write it as JSON"
        ) from None
    except Exception as error:  # the file's content is the user's: whatever is wrong with it, in one line
        detail = " ".join(str(error).split())[:400] or type(error).__name__
        raise CommandError(f"{option} {path}: {detail}") from None


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    started = time.perf_counter()
    found = find_template(args.template)
    if args.fixtures is not None:
        _check_fixtures(args.fixtures)
    if args.webhooks is not None:
        _check_fixtures(args.webhooks, "--webhooks")
    _apply_options(args)
    from openai_mock.local.server import build_app
    from openai_mock.settings import reset_settings
    from openai_mock.store import reset_stores

    reset_settings()
    reset_stores()
    _ensure_table()
    app = build_app(found.path)
    source = "the packaged template" if found.path.parent == BUNDLE_DIR else f"{found.path} ({found.origin})"
    print(
        f"openai-mock {version()}: {app.state.route_count} routes from {app.state.function_count} functions of "
        f"{source}, ready in {time.perf_counter() - started:.2f}s at http://{args.host}:{args.port}/v1",
        flush=True,
    )
    # No `server: uvicorn` header: OpenAI's answers do not name their server software.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, server_header=False)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        try:
            serve(args)
        except (TemplateError, CommandError) as error:
            print(f"openai-mock: error: {error}", file=sys.stderr)
            raise SystemExit(USAGE_ERROR) from None


if __name__ == "__main__":
    main()
