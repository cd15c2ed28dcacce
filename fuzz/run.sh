#!/usr/bin/env bash
# Run every fuzz target (or the ones named) for N minutes each, at most JOBS at a time, under
# `nice`, and append one line per target to fuzz/LOG.md. Not run by CI.
#
#   fuzz/run.sh [MINUTES] [TARGET...]        (default: 10 minutes, every target)
#   JOBS=1 fuzz/run.sh 1 keys_parse          (one target, one minute)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The targets are
# built without a sanitizer (the crate forbids unsafe code, so a panic or an abort is what we
# look for) and with debug assertions, so arithmetic overflow panics too. Seeds come from
# tests/vectors, tests/fixtures and tests/bad_input; the working corpus, crash artifacts and
# libFuzzer's output stay in fuzz/corpus, fuzz/artifacts and fuzz/logs (none committed). Each
# crash found gets a regression test in the main crate's tests and its fix noted in the log's
# "fixed" column.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
minutes="${1:-10}"
shift || true
jobs="${JOBS:-2}"
all=(alipay_verify keys_parse url_lint wechat_json explain_detect callback_parse capture_replay)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi
flags=(--sanitizer none --debug-assertions)

cd "$here"
nice cargo +nightly fuzz build "${flags[@]}"

# Copy a seed file into a corpus, optionally behind a one-byte selector (targets that read
# their first byte as a mode).
seed() { # with-selector(0|1) file target
    local name
    name="$(basename "$2")-$(cksum <"$2" | cut -d' ' -f1)"
    if [ "$1" = 1 ]; then
        { printf '\0'; cat "$2"; } >"corpus/$3/$name"
    else
        cp "$2" "corpus/$3/$name"
    fi
}

seed_corpus() { # target
    local t="$1" f
    mkdir -p "corpus/$t"
    case "$t" in
        alipay_verify | explain_detect)
            for f in "$root"/tests/vectors/alipay/*.body.json "$root"/tests/fixtures/responses/* \
                "$root"/tests/bad_input/responses/*; do
                [ -f "$f" ] && seed 1 "$f" "$t"
            done ;;
        wechat_json)
            for f in "$root"/tests/fixtures/responses/* "$root"/tests/bad_input/responses/*; do
                [ -f "$f" ] && seed 0 "$f" "$t"
            done ;;
        keys_parse)
            for f in "$root"/tests/vectors/alipay/*.pem "$root"/tests/vectors/alipay/*oneline.txt \
                "$root"/tests/vectors/alipay/certs/* "$root"/tests/fixtures/keys/* \
                "$root"/tests/bad_input/keys/*; do
                [ -f "$f" ] && [ "$(wc -c <"$f")" -le 16384 ] && seed 0 "$f" "$t"
            done ;;
        capture_replay)
            for f in "$root"/tests/bad_input/har/* "$root"/tests/bad_input/replay/* \
                "$root"/tests/fixtures/transcripts/*; do
                [ -f "$f" ] && [ "$(wc -c <"$f")" -le 65536 ] && seed 0 "$f" "$t"
            done ;;
        url_lint | callback_parse)
            for f in "$root"/tests/bad_input/urls/*; do
                [ -f "$f" ] && seed 0 "$f" "$t"
            done
            # Every URL quoted in the vectors, one per file.
            grep -rhoE 'https?://[^" ]+' "$root"/tests/vectors "$root"/tests/fixtures 2>/dev/null |
                sort -u | head -n 200 | while read -r url; do
                    printf '%s' "$url" >"corpus/$t/url-$(printf '%s' "$url" | cksum | cut -d' ' -f1)"
                done ;;
    esac
}

run_one() { # target
    local t="$1" out start ran before after execs crashes
    seed_corpus "$t"
    mkdir -p "artifacts/$t" logs
    out="logs/$t.txt"
    start=$SECONDS
    before=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
    nice cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" -- \
        -max_total_time=$((minutes * 60)) -max_len="$([ "$t" = capture_replay ] && echo 65536 || echo 16384)" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$out" 2>&1 || true
    ran=$(((SECONDS - start + 30) / 60))
    after=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
    crashes=$((after - before))
    execs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$out" | grep -oE '[0-9]+$' ||
        grep -oE '^#[0-9]+' "$out" | tail -n 1 | tr -d '#' || echo '?')
    printf '| %s | %s | %s | %s | %s | %s |\n' "$(date -u +%Y-%m-%d)" "$t" "$ran" \
        "${execs:-?}" "$crashes" "$([ "$crashes" -eq 0 ] && echo '-' || echo 'pending')" \
        >>"$here/LOG.md"
    echo "$t: $execs executions, $crashes new crash(es); output in fuzz/$out"
}


running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
