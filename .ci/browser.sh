#!/usr/bin/env bash
# Browser check: headless Chromium opens each provider's consent page served by the sandbox,
# picks a demo user, clicks approve and must land on the redirect with a code. Saves a phone-
# sized screenshot of each consent page into assets/. Installs Debian's chromium (and CJK and
# emoji fonts so the screenshots are legible) and playwright-core (used only to drive
# /usr/bin/chromium; no browser is downloaded). Run from the repository root.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d)
PID=""
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! [ -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk fonts-noto-color-emoji >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji
fi

if [ -x target/release/authwalk ]; then
    BIN=target/release/authwalk
else
    cargo build --locked --bin authwalk
    BIN=target/debug/authwalk
fi

mkdir -p "$WORK/node"
(cd "$WORK/node" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund playwright-core@1.65.1)

"$BIN" sandbox --listen 127.0.0.1:0 --state-dir "$WORK/state" >"$WORK/sandbox.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
    [ -s "$WORK/state/sandbox.json" ] && break
    if ! kill -0 "$PID" 2>/dev/null; then
        cat "$WORK/sandbox.log" >&2
        echo "the sandbox exited before writing sandbox.json" >&2
        exit 1
    fi
    sleep 0.1
done
[ -s "$WORK/state/sandbox.json" ] || { echo "sandbox.json never appeared" >&2; exit 1; }

cp "$ROOT/.ci/browser/consent.mjs" "$WORK/node/"
SANDBOX_JSON="$WORK/state/sandbox.json" SCREENSHOT_DIR="$ROOT/assets" USER_DATA_DIR="$(mktemp -d)" \
    node "$WORK/node/consent.mjs"
echo "browser: both consent pages approved in Chromium"
