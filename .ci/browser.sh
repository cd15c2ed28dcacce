#!/usr/bin/env bash
# Browser check: headless Chromium opens each provider's consent page served by the sandbox,
# picks a demo user, clicks approve and must land on the redirect with a code. Saves a phone-
# sized screenshot of each consent page into assets/. Installs Debian's chromium (and CJK and
# emoji fonts so the screenshots are legible) and playwright-core (used only to drive
# /usr/bin/chromium; no browser is downloaded). Run from the repository root.
set -euo pipefail

# shellcheck source=.ci/sandbox-lib.sh
source "$(dirname "$0")/sandbox-lib.sh"

if ! [ -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk fonts-noto-color-emoji >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji
fi

mkdir -p "$WORK/node"
(cd "$WORK/node" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund playwright-core@1.65.1)

start_sandbox

cp "$ROOT/.ci/browser/consent.mjs" "$WORK/node/"
SCREENSHOT_DIR="$ROOT/assets" USER_DATA_DIR="$(mktemp -d)" \
    node "$WORK/node/consent.mjs"
echo "browser: both consent pages approved in Chromium"
