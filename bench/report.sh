#!/usr/bin/env bash
# Regenerates bench/REPORT.md: a whole Alipay login by authwalk against the official Python and
# Node SDKs, RSA signatures per second against the rsa crate and OpenSSL, the sandbox's
# throughput against its RSA bound, the inspector's figures and the soak, on this machine, in
# one run. Release builds; the Python SDK goes into the venv .ci/run uses and the Node SDK into a
# folder beside it, under $TMPDIR (both kept between runs); every request goes to 127.0.0.1.
# Not part of CI. Run from anywhere: bash bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d)
VENV="${TMPDIR:-/tmp}/authwalk-ci-venv"
SDKS="${TMPDIR:-/tmp}/authwalk-bench-sdks"
RUNS=${RUNS:-15}
PID=""
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
start=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - start))" >&2; }
export CARGO_TERM_COLOR=never

step "machine"
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "nproc=$(nproc)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "memory=$(awk '/^MemTotal/ {printf "%.1f GiB (MemTotal %d kB)", $2 / 1048576, $2}' /proc/meminfo)"
    echo "kernel=$(uname -sr)"
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "rustc=$(rustc --version)"
    echo "openssl=$(openssl version | sed 's/ (Library.*//')"
    echo "glibc=$(ldd --version | head -1)"
    echo "python=$(python3 --version 2>&1)"
    echo "node=$(node --version)"
    echo "tmux=$(tmux -V 2>/dev/null || echo 'not installed')"
} >"$WORK/machine.env"

step "release builds"
cargo build --release --locked --bin authwalk
cargo bench --locked --no-run
BIN="$ROOT/target/release/authwalk"

step "the official SDKs"
# The same venv and pin as .ci/run (alipay-sdk-python alone is some 450 MB).
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'alipay-sdk-python==3.7.1411'
mkdir -p "$SDKS/node"
(cd "$SDKS/node" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --silent --no-audit --no-fund alipay-sdk@4.14.0)
# ES modules resolve packages next to the importing file.
cp bench/sdk/alipay_walk.mjs "$SDKS/node/"
{
    echo "python_sdk=$("$VENV/bin/pip" show alipay-sdk-python 2>/dev/null | sed -n 's/^Version: //p')"
    echo "node_sdk=$(node -p "require('$SDKS/node/node_modules/alipay-sdk/package.json').version")"
} >>"$WORK/machine.env"

step "a whole login: authwalk and the SDKs against one running sandbox"
"$BIN" sandbox --listen 127.0.0.1:0 --state-dir "$WORK/state" -q >"$WORK/sandbox.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
    [ -s "$WORK/state/sandbox.json" ] && break
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/sandbox.log" >&2; exit 1; }
    sleep 0.1
done
SANDBOX_JSON="$WORK/state/sandbox.json"
AUTHWALK=("$BIN" run alipay-web --json --sandbox "$SANDBOX_JSON")
# The SDKs format `timestamp` in the local zone and the gateway reads China time.
PYTHON=(env TZ=Asia/Shanghai SANDBOX_JSON="$SANDBOX_JSON" "$VENV/bin/python" bench/sdk/alipay_walk.py)
NODE=(env TZ=Asia/Shanghai SANDBOX_JSON="$SANDBOX_JSON" node "$SDKS/node/alipay_walk.mjs")
EMBEDDED=(env AUTHWALK_DATA_DIR="$WORK/data" "$BIN" run alipay-web --json)
"${AUTHWALK[@]}" | python3 -c 'import json, sys; assert json.load(sys.stdin)["ok"] is True'
"${PYTHON[@]}"
"${NODE[@]}"
python3 bench/pairs.py "$RUNS" "$WORK/walk_python.json" -- "${AUTHWALK[@]}" --vs "${PYTHON[@]}"
python3 bench/pairs.py "$RUNS" "$WORK/walk_node.json" -- "${AUTHWALK[@]}" --vs "${NODE[@]}"
python3 bench/pairs.py "$RUNS" "$WORK/walk_embedded.json" -- "${EMBEDDED[@]}" --vs "${AUTHWALK[@]}"
# Alipay's modes against the v2 public-key walk: certificate mode, and OpenAPI v3.
"${AUTHWALK[@]}" --app 2021000000000005 | python3 -c 'import json, sys; assert json.load(sys.stdin)["ok"] is True'
"${AUTHWALK[@]}" --api v3 | python3 -c 'import json, sys; assert json.load(sys.stdin)["ok"] is True'
python3 bench/pairs.py "$RUNS" "$WORK/walk_cert.json" -- "${AUTHWALK[@]}" --app 2021000000000005 --vs "${AUTHWALK[@]}"
python3 bench/pairs.py "$RUNS" "$WORK/walk_v3.json" -- "${AUTHWALK[@]}" --api v3 --vs "${AUTHWALK[@]}"
# What an SDK's process costs before its first request: the interpreter and the SDK's import.
python3 bench/pairs.py "$RUNS" "$WORK/start_sdks.json" -- \
    "$VENV/bin/python" -c 'import alipay.aop.api.DefaultAlipayClient, alipay.aop.api.request.AlipaySystemOauthTokenRequest, alipay.aop.api.request.AlipayUserInfoShareRequest' \
    --vs env -C "$SDKS/node" node --input-type=module -e "import 'alipay-sdk'"
kill "$PID"
wait "$PID" 2>/dev/null || true
PID=""

step "RSA signatures per second"
cargo bench --locked --bench rsa_speed | tee "$WORK/rsa.txt"
for i in 1 2 3; do
    openssl speed -seconds 3 rsa2048 2>/dev/null | tail -1 | tee "$WORK/openssl.$i.txt"
done

step "sandbox throughput against the RSA bound"
for i in 1 2 3; do
    FLOW_SECONDS=5 cargo bench --locked --bench sandbox_flows | tee "$WORK/flows.$i.txt"
done

step "the inspector"
cargo bench --locked --bench tui | tee "$WORK/tui.txt"

step "soak"
cargo bench --locked --bench soak | tee "$WORK/soak.txt"

step "the workbench"
cargo bench --locked --bench workbench | tee "$WORK/workbench.txt"

echo "minutes=$(((SECONDS - start + 30) / 60))" >>"$WORK/machine.env"
python3 bench/render.py "$WORK" >bench/REPORT.md
step "wrote bench/REPORT.md"
