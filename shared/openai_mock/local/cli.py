"""`openai-mock serve`: the whole mock on one port, no Docker. Also `python -m openai_mock serve`."""

from __future__ import annotations

import argparse
import atexit
import inspect
import os
import shutil
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from openai_mock.local import tls
from openai_mock.local.bundle import BUNDLE_DIR, TEMPLATE_VARIABLE, TemplateError, find_template, version
from openai_mock.local.template import Template

# What each worker of `serve --workers N` imports and calls to build its app.
WORKER_APP = "openai_mock.local.server:app_from_environment"
WORKER_HEALTHCHECK_SECONDS = 60

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
    serve.add_argument(
        "--store",
        type=_store_option,
        default=None,
        metavar="{memory,sqlite[:PATH],dynamodb}",
        help="memory (one process, gone when it stops; the default), sqlite:PATH (a database file every worker "
        "shares, kept across restarts) or dynamodb",
    )
    serve.add_argument(
        "--workers",
        type=_workers_option,
        default=1,
        metavar="{N,auto}",
        help="serve with N processes (auto: one per core), sharing state through the store: sqlite or dynamodb "
        "(without --store, a SQLite database in a temporary folder, removed at exit)",
    )
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
    secure = serve.add_argument_group("HTTPS and wss:// (docs/install.md)")
    secure.add_argument(
        "--tls",
        action="store_true",
        help="serve https:// and wss:// with a self-signed certificate for localhost, made once and kept in "
        "~/.cache/openai-mock/tls (the Node SDK opens Realtime sockets as wss:// only)",
    )
    secure.add_argument(
        "--tls-cert", type=Path, default=None, metavar="PEM", help="your own certificate (implies --tls)"
    )
    secure.add_argument("--tls-key", type=Path, default=None, metavar="PEM", help="its private key (with --tls-cert)")
    secure.add_argument(
        "--tls-client-ca",
        type=Path,
        default=None,
        metavar="PEM",
        help="mutual TLS, as mtls.api.openai.com: a client must present a certificate this authority signed "
        "(implies --tls)",
    )
    serve.add_argument(
        "--fixtures", type=Path, default=None, help="YAML/JSON fixtures for every tenant (docs/controls.md)"
    )
    serve.add_argument(
        "--webhooks", type=Path, default=None, help="YAML/JSON webhook endpoints for every tenant (docs/webhooks.md)"
    )
    recording = serve.add_argument_group("record and replay (docs/controls.md)")
    recording.add_argument(
        "--proxy",
        metavar="URL",
        default=None,
        help="forward every request no fixture matches to this OpenAI-compatible base URL (e.g. "
        "https://api.openai.com/v1), the caller's Authorization passed through, and relay its answer",
    )
    recording.add_argument(
        "--record",
        metavar="DIR",
        type=Path,
        default=None,
        help="with --proxy: save each forwarded exchange in DIR as a fixtures file (secrets redacted)",
    )
    recording.add_argument(
        "--replay",
        metavar="DIR",
        type=Path,
        default=None,
        help="answer requests recorded in DIR (same method, path and body) with the recorded answers",
    )
    recording.add_argument(
        "--strict",
        action="store_true",
        help="with --replay: an unrecorded request gets a 404 (code unrecorded_request) instead of the mock's answer",
    )
    recording.add_argument(
        "--replay-speed",
        type=float,
        default=1.0,
        metavar="X",
        help="with --replay: play recorded stream timings X times faster (0: no delays; default 1)",
    )
    drift = commands.add_parser(
        "drift",
        help="compare recorded answers (serve --record DIR) with the mock's answers to the same requests",
        description="Sends each request recorded in DIR to the mock (in this process) and prints how the answers' "
        "shapes differ: status, OpenAI header names, JSON keys, types, nullability, `object` values, stream event "
        "names. Exit code 0: no differences; 1: differences; 2: a usage error.",
    )
    drift.add_argument("dir", type=Path, metavar="DIR", help="a folder written by serve --proxy URL --record DIR")
    drift.add_argument("--template", type=Path, default=None, help="the SAM template to serve (as for serve)")
    drift.add_argument("--seed", default=None, help="deployment-wide seed for generated content")
    return parser


def run_drift(args: argparse.Namespace) -> int:
    """Prints one line per difference (`file: difference`), then a summary; the exit code."""
    found = find_template(args.template)
    if not args.dir.is_dir():
        raise CommandError(f"{args.dir}: no such folder")
    os.environ["OPENAI_MOCK_STORE"] = "memory"
    if args.seed is not None:
        os.environ["OPENAI_MOCK_SEED"] = str(args.seed)
    from openai_mock.local.drift import drift
    from openai_mock.settings import reset_settings
    from openai_mock.store import reset_stores

    reset_settings()
    reset_stores()
    try:
        report = drift(args.dir, found.path)
    except Exception as error:  # a recording file's content is the user's: whatever is wrong with it, in one line
        detail = " ".join(str(error).split())[:400] or type(error).__name__
        raise CommandError(f"{args.dir}: {detail}") from None
    differences = [(name, line) for name, lines in report.items() for line in lines]
    for name, line in differences:
        print(f"{name}: {line}")
    drifted = len({name for name, _ in differences})
    print(
        f"openai-mock drift: {len(report)} recorded exchanges, "
        + (f"{len(differences)} differences in {drifted}" if differences else "no differences")
    )
    return 1 if differences else 0


def _store_option(value: str) -> tuple[str, str | None]:
    """`memory`, `dynamodb`, `sqlite` or `sqlite:PATH` → (backend, path)."""
    backend, _, path = value.partition(":")
    if backend not in ("memory", "dynamodb", "sqlite") or (path and backend != "sqlite"):
        raise argparse.ArgumentTypeError(f"expected memory, sqlite[:PATH] or dynamodb, got {value!r}")
    return backend, path or None


def _workers_option(value: str) -> int:
    if value == "auto":
        return os.cpu_count() or 1
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more) or auto, got {value!r}")
    return workers


def _apply_options(args: argparse.Namespace) -> None:
    """Options become the same environment variables a Lambda reads, so there is one settings path."""
    if args.store is not None:
        backend, path = args.store
        os.environ["OPENAI_MOCK_STORE"] = backend
        if path is not None:
            os.environ["OPENAI_MOCK_SQLITE_PATH"] = str(Path(path).resolve())
    elif args.workers > 1 and "OPENAI_MOCK_STORE" not in os.environ:
        # Workers share nothing but the store: without one named, a fresh SQLite database for this run.
        folder = tempfile.mkdtemp(prefix="openai-mock-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["OPENAI_MOCK_STORE"] = "sqlite"
        os.environ["OPENAI_MOCK_SQLITE_PATH"] = str(Path(folder) / "store.sqlite3")
    if os.environ.get("OPENAI_MOCK_STORE") == "sqlite" and "OPENAI_MOCK_SQLITE_PATH" in os.environ:
        os.environ["OPENAI_MOCK_SQLITE_PATH"] = str(Path(os.environ["OPENAI_MOCK_SQLITE_PATH"]).resolve())
    for option, variable in (
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
    """The store's tables, created before serving (before the workers start, so they never race to)."""
    from openai_mock.settings import get_settings

    settings = get_settings()
    if settings.store == "sqlite":
        from openai_mock.store.sqlite import prepare

        prepare(settings.sqlite_path)
        return
    if settings.store != "dynamodb":
        return
    import boto3

    from openai_mock.store.dynamodb import create_table

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
    except Exception as error:  # the file's content is the user's: whatever is wrong with it, in one line
        detail = " ".join(str(error).split())[:400] or type(error).__name__
        raise CommandError(f"{option} {path}: {detail}") from None


def _check_recording(args: argparse.Namespace) -> None:
    if args.record is not None and not args.proxy:
        raise CommandError("--record saves what --proxy forwards: give --proxy URL too")
    if args.strict and args.replay is None:
        raise CommandError("--strict is a mode of --replay: give --replay DIR too")
    if args.replay_speed < 0:
        raise CommandError(f"--replay-speed {args.replay_speed}: expected 0 or more")
    if args.proxy and not args.proxy.startswith(("http://", "https://")):
        raise CommandError(f"--proxy {args.proxy}: expected an http:// or https:// URL")
    if (args.proxy or args.replay is not None) and args.workers > 1:
        raise CommandError("--proxy and --replay serve from one process: leave out --workers")
    if args.replay is not None:
        if not args.replay.is_dir():
            raise CommandError(f"--replay {args.replay}: no such folder")
        from openai_mock.local.recording import load_recordings

        try:
            load_recordings(args.replay)
        except Exception as error:  # the folder's content is the user's: whatever is wrong with it, in one line
            detail = " ".join(str(error).split())[:400] or type(error).__name__
            raise CommandError(f"--replay {args.replay}: {detail}") from None


def _tls_files(args: argparse.Namespace) -> tls.KeyPair | None:
    """The certificate and key to serve with: the user's, or the kept self-signed one; None without TLS."""
    if (args.tls_cert is None) != (args.tls_key is None):
        raise CommandError("--tls-cert and --tls-key go together: give both, or --tls alone for a local certificate")
    given = [("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key), ("--tls-client-ca", args.tls_client_ca)]
    for option, path in given:
        if path is not None and not path.is_file():
            raise CommandError(f"{option} {path}: no such file")
    if args.tls_cert is not None:
        return tls.KeyPair(args.tls_cert.resolve(), args.tls_key.resolve())
    return tls.self_signed(tls.default_folder()) if args.tls or args.tls_client_ca is not None else None


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    started = time.perf_counter()
    found = find_template(args.template)
    secured = _tls_files(args)
    if args.fixtures is not None:
        _check_fixtures(args.fixtures)
    if args.webhooks is not None:
        _check_fixtures(args.webhooks, "--webhooks")
    _check_recording(args)
    _apply_options(args)
    from openai_mock.generation import tokens
    from openai_mock.local.server import build_app
    from openai_mock.settings import get_settings, reset_settings
    from openai_mock.store import reset_stores

    reset_settings()
    reset_stores()
    if args.workers > 1 and get_settings().store == "memory":
        raise CommandError("--workers shares state through the store: use --store sqlite:PATH (or dynamodb)")
    _ensure_table()
    source = "the packaged template" if found.path.parent == BUNDLE_DIR else f"{found.path} ({found.origin})"
    settings = get_settings()
    store = f"sqlite:{settings.sqlite_path}" if settings.store == "sqlite" else settings.store
    # No `server: uvicorn` header: OpenAI's answers do not name their server software.
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "warning",
        "access_log": False,
        "server_header": False,
    }
    scheme = "http"
    if secured is not None:
        options.update(ssl_certfile=str(secured.cert), ssl_keyfile=str(secured.key))
        scheme = "https"
        print(
            f"openai-mock: TLS with {secured.cert} (clients trust it with NODE_EXTRA_CA_CERTS={secured.cert}, "
            f"SSL_CERT_FILE or httpx's verify=)",
            flush=True,
        )
        if args.tls_client_ca is not None:  # the handshake itself refuses a client without such a certificate
            options.update(ssl_ca_certs=str(args.tls_client_ca.resolve()), ssl_cert_reqs=ssl.CERT_REQUIRED)
            print(f"openai-mock: mutual TLS: clients present a certificate {args.tls_client_ca} signed", flush=True)
    if args.workers > 1:
        # Each worker (a spawned process) builds the app itself, from the template named here.
        os.environ[TEMPLATE_VARIABLE] = str(found.path)
        functions = len(Template(found.path).functions)
        print(
            f"openai-mock {version()}: {functions} functions of {source}, {args.workers} workers sharing the "
            f"{store} store, starting at {scheme}://{args.host}:{args.port}/v1",
            flush=True,
        )
        # uvicorn kills a worker that does not answer its health check within 5 s by default: a worker loading a
        # tokenizer for its first request on a busy machine can take longer, and its clients would be cut off.
        if "timeout_worker_healthcheck" in inspect.signature(uvicorn.run).parameters:
            options["timeout_worker_healthcheck"] = WORKER_HEALTHCHECK_SECONDS
        uvicorn.run(WORKER_APP, factory=True, workers=args.workers, **options)
        return
    app: Any = build_app(found.path)
    tokens.preload()
    if args.proxy or args.replay is not None:
        from openai_mock.local.recording import RecordReplayApp

        app = RecordReplayApp(
            app,
            upstream=args.proxy,
            record=args.record,
            replay=args.replay,
            strict=args.strict,
            speed=args.replay_speed,
        )
    print(
        f"openai-mock {version()}: {app.state.route_count} routes from {app.state.function_count} functions of "
        f"{source}, {store} store, ready in {time.perf_counter() - started:.2f}s at "
        f"{scheme}://{args.host}:{args.port}/v1",
        flush=True,
    )
    uvicorn.run(app, **options)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            serve(args)
        elif args.command == "drift":
            raise SystemExit(run_drift(args))
    except (TemplateError, CommandError) as error:
        print(f"openai-mock: error: {error}", file=sys.stderr)
        raise SystemExit(USAGE_ERROR) from None


if __name__ == "__main__":
    main()
