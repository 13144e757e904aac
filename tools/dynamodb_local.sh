#!/usr/bin/env bash
# Install DynamoDB Local (no Docker) into <repo>/.cache/dynamodb-local and print the path of DynamoDBLocal.jar.
#
# The official jar ships inside the npm package `amplify-dynamodb-simulator` (under emulator/), next to
# DynamoDBLocal_lib/ which holds the sqlite4java native libraries (pass it as -Djava.library.path).
# Idempotent: npm runs only when the pinned version is not installed yet; afterwards everything is offline.
# Messages go to stderr, so `JAR=$(bash tools/dynamodb_local.sh)` captures only the path (empty if unavailable).
set -euo pipefail

VERSION="2.9.30" # bundles DynamoDB Local 1.25.1
PACKAGE="amplify-dynamodb-simulator"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$repo_root/.cache/dynamodb-local"
pkg_dir="$prefix/node_modules/$PACKAGE"
jar="$pkg_dir/emulator/DynamoDBLocal.jar"

installed_version() {
    # Read the version without needing node: the first "version" key of package.json.
    sed -n 's/^  "version": "\(.*\)",\{0,1\}$/\1/p' "$pkg_dir/package.json" 2>/dev/null | head -n 1
}

if [[ -f "$jar" && "$(installed_version)" == "$VERSION" ]]; then
    echo "dynamodb-local: $PACKAGE@$VERSION already installed" >&2
else
    if ! command -v npm >/dev/null 2>&1; then
        echo "dynamodb-local: npm not found; skipping install (tests that need DynamoDB Local will be skipped)" >&2
        exit 0
    fi
    echo "dynamodb-local: installing $PACKAGE@$VERSION into $prefix" >&2
    mkdir -p "$prefix"
    # --ignore-scripts: the jar is already in the tarball; no dependency needs to run install hooks.
    npm install --prefix "$prefix" --no-audit --no-fund --ignore-scripts --loglevel=error \
        "$PACKAGE@$VERSION" >&2
    if [[ ! -f "$jar" ]]; then
        echo "dynamodb-local: install finished but $jar is missing" >&2
        exit 1
    fi
fi

if ! command -v java >/dev/null 2>&1; then
    echo "dynamodb-local: warning: java not found; DynamoDB Local needs a Java 11+ runtime" >&2
fi
echo "$jar"
