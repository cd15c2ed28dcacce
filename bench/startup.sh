#!/usr/bin/env bash
# The whole walk over its RSA floor: instructions (callgrind counts them, the same figure on a
# busy or an idle machine) and wall time (farm-bench, paired) of `authwalk run alipay-web` on
# the embedded sandbox, for the binary A and, when given, a binary B to compare with (an older
# build). Loopback only. Usage: bash bench/startup.sh [A [B]]
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "${1:-target/release/authwalk}")
B=${2:+$(realpath "$2")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() { # binary state-dir args… → "total rsa_sign rsa_verify"
    local bin=$1 dir=$2
    shift 2
    (cd "$work" && rm -f callgrind.out.* &&
        valgrind --tool=callgrind "$bin" "$@" --state-dir "$dir" >/dev/null 2>&1 || true)
    callgrind_annotate --inclusive=yes "$work"/callgrind.out.* 2>/dev/null | awk '
        /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
        /keys::PrivateKey::sign \[/ { gsub(",", "", $1); sign = $1 }
        /SignatureScheme>::verify \[/ { gsub(",", "", $1); verify = $1 }
        END { printf "%d %d %d\n", total, sign, verify }'
}
for bin in "$A" ${B:+"$B"}; do
    dir="$work/state-$(basename "$(dirname "$(dirname "$(dirname "$bin")")")")"
    mkdir -p "$dir"
    "$bin" run alipay-web --state-dir "$dir" >/dev/null # keys made once, as on a used machine
    read -r total sign verify < <(count "$bin" "$dir" run alipay-web)
    awk -v t="$total" -v s="$sign" -v v="$verify" -v b="$bin" 'BEGIN {
        printf "%s: %.1fM instructions, RSA %.1fM (sign %.1fM, verify %.1fM): %.3f of the floor\n",
            b, t / 1e6, (s + v) / 1e6, s / 1e6, v / 1e6, t / (s + v) }'
done
if [ -n "$B" ]; then
    da="$work/state-a" db="$work/state-b"
    mkdir -p "$da" "$db"
    "$A" run alipay-web --state-dir "$da" >/dev/null
    "$B" run alipay-web --state-dir "$db" >/dev/null
    farm-bench -n 21 --vs "$B run alipay-web --state-dir $db" -- "$A" run alipay-web --state-dir "$da"
fi
