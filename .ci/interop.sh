#!/usr/bin/env bash
# Interop check: the official Alipay SDKs (Python, Node) and wechatpy walk a full login against
# the embedded sandbox with only the base URL changed, verifying the sandbox's response
# signatures with the SDKs' own verification. Installs what it needs itself (a Python venv and
# an npm project in a temporary directory). Run from the repository root.
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

if [ -x target/release/authwalk ]; then
    BIN=target/release/authwalk
else
    cargo build --locked --bin authwalk
    BIN=target/debug/authwalk
fi

echo "== installing the SDKs"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "alipay-sdk-python==3.7.1411" "wechatpy==1.8.18" requests
mkdir -p "$WORK/node"
(cd "$WORK/node" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund alipay-sdk@4.14.0)

echo "== starting the sandbox"
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
export SANDBOX_JSON="$WORK/state/sandbox.json"

# Quirk: the Python and Node Alipay SDKs format `timestamp` in the host's local zone, while
# the gateway reads it as China time (UTC+8); run them in that zone, as a server in China is.
echo "== alipay-sdk-python"
TZ=Asia/Shanghai "$WORK/venv/bin/python" "$ROOT/.ci/interop/alipay_python.py"

echo "== alipay-sdk (Node)"
# ES modules resolve packages next to the importing file, so run a copy inside the npm project.
cp "$ROOT/.ci/interop/alipay_node.mjs" "$WORK/node/"
TZ=Asia/Shanghai node "$WORK/node/alipay_node.mjs"

echo "== wechatpy"
"$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_oauth.py"

echo "interop: all SDK flows passed"
