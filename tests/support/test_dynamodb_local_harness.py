"""Smoke test for the DynamoDB Local harness: start, create a pk/sk table, put, query, stop."""

from __future__ import annotations

import pytest

from tests.support.dynamodb_local import DynamoDBLocal, dynamodb_local_unavailable_reason


def test_dynamodb_local_round_trip() -> None:
    if reason := dynamodb_local_unavailable_reason():
        pytest.skip(reason)

    ddb = DynamoDBLocal()
    ddb.start()
    try:
        assert ddb.endpoint_url.startswith("http://127.0.0.1:")
        client = ddb.client()
        client.create_table(
            TableName="harness-smoke",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(
            TableName="harness-smoke",
            Item={"pk": {"S": "thread#1"}, "sk": {"S": "msg#001"}, "body": {"S": "hello"}},
        )
        result = client.query(
            TableName="harness-smoke",
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": "thread#1"}, ":prefix": {"S": "msg#"}},
        )
        assert result["Items"] == [{"pk": {"S": "thread#1"}, "sk": {"S": "msg#001"}, "body": {"S": "hello"}}]
    finally:
        ddb.stop()

    with pytest.raises(RuntimeError):
        _ = ddb.endpoint_url  # stopped instances have no endpoint
