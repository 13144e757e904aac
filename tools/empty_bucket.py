"""Empty a stack's blob bucket so `sam delete` can delete the stack (CloudFormation cannot delete a bucket that
still holds objects: a closed pull request's preview stack would be left in DELETE_FAILED).

    python tools/empty_bucket.py --stack openai-mock-pr-12-my-branch     # the stack's BlobsBucket, if any
    python tools/empty_bucket.py --bucket some-bucket

Every object version and delete marker goes (a versioned bucket refuses deletion too). A stack without the
bucket (persistence off) or a stack that does not exist is not an error: there is nothing to empty."""

from __future__ import annotations

import argparse
import sys
from typing import Any

LOGICAL_ID = "BlobsBucket"


def bucket_of_stack(cloudformation: Any, stack: str) -> str | None:
    """The physical name of the stack's BlobsBucket, or None (no such stack, or no bucket in it)."""
    from botocore.exceptions import ClientError

    try:
        answer = cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=LOGICAL_ID)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationError":  # no stack, or no such resource
            return None
        raise
    return str(answer["StackResourceDetail"]["PhysicalResourceId"]) or None


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker of the bucket (1,000 a request); how many went."""
    from botocore.exceptions import ClientError

    removed = 0
    try:
        while True:  # the first page again and again: deleting while paging would skip what moved up
            page = s3.list_object_versions(Bucket=bucket, MaxKeys=1000)
            keys = [
                {"Key": entry["Key"], "VersionId": entry["VersionId"]}
                for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            if not keys:
                return removed
            for start in range(0, len(keys), 1000):
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
            removed += len(keys)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return removed
        raise
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--stack", help="the stack whose BlobsBucket to empty")
    target.add_argument("--bucket", help="the bucket to empty")
    parser.add_argument("--region", default=None)
    options = parser.parse_args(argv)

    import boto3

    bucket = options.bucket or bucket_of_stack(
        boto3.client("cloudformation", region_name=options.region), options.stack
    )
    if bucket is None:
        print(f"{options.stack}: no blob bucket, nothing to empty")
        return 0
    removed = empty_bucket(boto3.client("s3", region_name=options.region), bucket)
    print(f"{bucket}: {removed} object versions deleted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
