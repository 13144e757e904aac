"""tools/empty_bucket.py: what the preview workflow runs before `sam delete`, so a stack whose bucket holds
objects can be deleted. Under moto (dummy credentials only)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

REPO = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("empty_bucket", REPO / "tools" / "empty_bucket.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["empty_bucket"] = module
    spec.loader.exec_module(module)
    return module


def test_every_object_and_version_goes_and_the_bucket_can_be_deleted(aws_credentials: None) -> None:
    tool = _tool()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="blobs")
        s3.put_bucket_versioning(Bucket="blobs", VersioningConfiguration={"Status": "Enabled"})
        for index in range(1205):
            s3.put_object(Bucket="blobs", Key=f"tenant/file-{index % 1100}", Body=b"x")
        s3.delete_object(Bucket="blobs", Key="tenant/file-1")  # a delete marker
        assert tool.empty_bucket(s3, "blobs") == 1206
        s3.delete_bucket(Bucket="blobs")  # what CloudFormation does next: it no longer refuses
        assert tool.empty_bucket(s3, "blobs") == 0  # gone already: nothing to do


def test_main_empties_the_named_bucket(aws_credentials: None, capsys: pytest.CaptureFixture[str]) -> None:
    tool = _tool()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="named")
        s3.put_object(Bucket="named", Key="a", Body=b"x")
        assert tool.main(["--bucket", "named", "--region", "us-east-1"]) == 0
        assert "1 object versions deleted" in capsys.readouterr().out
        assert s3.list_objects_v2(Bucket="named")["KeyCount"] == 0


def test_the_stacks_bucket_is_found_and_a_stack_without_one_is_fine() -> None:
    tool = _tool()
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    stubber = Stubber(cloudformation)
    stubber.add_response(
        "describe_stack_resource",
        {
            "StackResourceDetail": {
                "LogicalResourceId": "BlobsBucket",
                "PhysicalResourceId": "openai-mock-pr-1-blobsbucket-abc",
                "ResourceType": "AWS::S3::Bucket",
                "LastUpdatedTimestamp": "2026-01-01T00:00:00Z",
                "ResourceStatus": "CREATE_COMPLETE",
            }
        },
        {"StackName": "openai-mock-pr-1", "LogicalResourceId": "BlobsBucket"},
    )
    stubber.add_client_error(
        "describe_stack_resource", service_error_code="ValidationError", service_message="Stack does not exist"
    )
    with stubber:
        assert tool.bucket_of_stack(cloudformation, "openai-mock-pr-1") == "openai-mock-pr-1-blobsbucket-abc"
        assert tool.bucket_of_stack(cloudformation, "openai-mock-pr-2") is None


def test_the_preview_workflow_and_make_delete_stack_empty_the_bucket_first() -> None:
    workflow = (REPO / ".github" / "workflows" / "preview.yml").read_text()
    delete_job = workflow[workflow.index("  delete:") :]
    assert delete_job.index("tools/empty_bucket.py --stack") < delete_job.index("delete-stack")
