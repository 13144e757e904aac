"""boto3 clients are made when first needed, never at import (issue 30: a Lambda cold start pays for each one).

With EnablePersistence=true a function's import creates no client and imports no boto3; its first store call makes
the DynamoDB client; the S3 client waits for the first blob (file bytes, or an object too big for an item)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openai_mock.store import get_blobs, get_store
from openai_mock.store.dynamodb import SPILL_BYTES

REPO = Path(__file__).resolve().parents[2]

_IMPORT_EVERY_APP = """
import importlib.util, json, sys
from pathlib import Path
for path in sorted(Path("functions").glob("*/app.py")):
    spec = importlib.util.spec_from_file_location(f"bench_app_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
from openai_mock import store
print(json.dumps({
    "boto3": "boto3" in sys.modules,
    "stores": store.get_store.cache_info().currsize + store.get_blobs.cache_info().currsize,
}))
"""


def test_importing_every_function_with_persistence_creates_no_client() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'shared'}",
        "OPENAI_MOCK_STORE": "dynamodb",
        "OPENAI_MOCK_TABLE_NAME": "objects",
        "OPENAI_MOCK_BUCKET_NAME": "blobs",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERY_APP], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == {"boto3": False, "stores": 0}


@pytest.mark.usefixtures("moto_persistence")
def test_the_s3_client_waits_for_the_first_spilled_body() -> None:
    store = get_store()
    assert get_blobs.cache_info().currsize == 0  # the DynamoDB client only
    store.create("tenant_lazy", "response", {"id": "resp_small", "text": "short"})
    assert store.get("tenant_lazy", "response", "resp_small") == {"id": "resp_small", "text": "short"}
    assert get_blobs.cache_info().currsize == 0
    big = {"id": "resp_big", "data": base64.b64encode(os.urandom(SPILL_BYTES * 2 * 3 // 4)).decode()}
    store.create("tenant_lazy", "response", big)  # incompressible and over the item limit: spilled to S3
    assert get_blobs.cache_info().currsize == 1
    assert store.get("tenant_lazy", "response", "resp_big") == big
    assert store.delete("tenant_lazy", "response", "resp_big") == big
