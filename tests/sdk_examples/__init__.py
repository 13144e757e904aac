"""The official SDKs' own example scripts, fetched from PyPI (`make sdk-examples`), that
tests/functions/test_sdk_examples.py runs against the mock."""
