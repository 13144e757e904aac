#!/usr/bin/env bash
# What bench/peers.py runs besides the mock: wrk (apt) and aimock (npm, into .cache/aimock, pinned).
set -euo pipefail
cd "$(dirname "$0")/.."
AIMOCK_VERSION="${AIMOCK_VERSION:-1.43.0}"
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi
if [ ! -f ".cache/aimock/node_modules/@copilotkit/aimock/package.json" ] \
    || ! grep -q "\"version\": \"$AIMOCK_VERSION\"" .cache/aimock/node_modules/@copilotkit/aimock/package.json; then
    npm install --prefix .cache/aimock --no-audit --no-fund --silent "@copilotkit/aimock@$AIMOCK_VERSION"
fi
echo "wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), aimock $AIMOCK_VERSION"
