# Shared by the interop and browser checks (sourced, not run): a temporary work folder cleaned
# up on exit, the authwalk binary, and a standalone sandbox started on a free loopback port.
# After `start_sandbox`, $SANDBOX_JSON names its sandbox.json.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
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

start_sandbox() {
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
}
