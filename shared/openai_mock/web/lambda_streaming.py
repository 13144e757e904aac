#!/usr/bin/env python3
"""Exec wrapper for StreamingMode=stream: serve a function's ASGI app over HTTP for the Lambda Web Adapter.

With the Web Adapter layer attached, Lambda starts the adapter as an extension and runs
`AWS_LAMBDA_EXEC_WRAPPER` (this file) instead of the Python runtime. The adapter turns each API Gateway
event into an HTTP request to this server and streams the response body back as it is written, so
`stream: true` reaches the client chunk by chunk. The function keeps its usual `Handler: app.handler`:
the module part names the file whose `app` is served, so no function needs a start script of its own.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any


def app_module_name(handler: str) -> str:
    """`app.handler` → `app`: the module that defines both the Mangum handler and the ASGI `app`."""
    module, _, attribute = handler.rpartition(".")
    if not module or not attribute:
        raise ValueError(f"handler {handler!r} is not of the form module.attribute")
    return module


def search_path(task_root: str, python_version: tuple[int, int] = sys.version_info[:2]) -> list[str]:
    """What the Python runtime would put on sys.path: the function code, then the layers under /opt."""
    major, minor = python_version
    return [task_root, "/opt/python", f"/opt/python/lib/python{major}.{minor}/site-packages"]


def load_app(environ: dict[str, str]) -> Any:
    task_root = environ.get("LAMBDA_TASK_ROOT", str(Path.cwd()))
    for entry in reversed(search_path(task_root)):
        if entry not in sys.path and Path(entry).is_dir():
            sys.path.insert(0, entry)
    module = importlib.import_module(app_module_name(environ.get("_HANDLER", "app.handler")))
    return module.app


def main(environ: dict[str, str] | None = None) -> None:
    import uvicorn

    environ = dict(os.environ) if environ is None else environ
    port = int(environ.get("AWS_LWA_PORT") or environ.get("PORT") or "8080")
    # One process, no access log (Powertools logs each request), lifespan off like the Mangum handler.
    uvicorn.run(load_app(environ), host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


if __name__ == "__main__":
    # Run as a script, Python put this file's folder first on sys.path; the package is imported from /opt/python.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    main()
