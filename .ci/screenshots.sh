#!/usr/bin/env bash
# The README's pictures of the inspector: the real binary in tmux (default dark theme), walked
# with send-keys, captured with colours (`capture-pane -e`) and turned into PNG files in assets/
# by .ci/ansi_png.py through headless Chromium. Installs Debian's chromium and CJK and emoji
# fonts when missing. Not part of .ci/run: run it by hand after a change to the screens, from
# the repository root, with a built binary (KEEP_CAPTURES=DIR keeps the raw captures):
#
#   cargo build --release && bash .ci/screenshots.sh [target/release/authwalk]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/authwalk}")
out=assets
work=$(mktemp -d)
sock="authwalk-shots-$$"
t() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { t kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

if ! [ -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk fonts-noto-color-emoji >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk fonts-noto-color-emoji
fi

fail() {
  echo "screenshots: $*" >&2
  t capture-pane -p -t shot >&2 || true
  exit 1
}
wait_for() {
  for _ in $(seq 1 200); do
    if t capture-pane -p -t shot | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  fail "\"$1\" never appeared"
}
keys() { t send-keys -t shot "$@"; }

# start COLS ROWS ARGS...: the inspector in a fresh session, on its own sandbox keys.
start() {
  local cols=$1 rows=$2
  shift 2
  t new-session -d -s shot -x "$cols" -y "$rows" \
    "exec env -u NO_COLOR AUTHWALK_DATA_DIR='$work/data' TERM=xterm-256color COLORTERM=truecolor '$bin' $*"
  size="$cols $rows"
}

# shoot NAME: wait for the screen to settle, capture it with colours, quit, make the PNG.
shoot() {
  sleep 0.5
  t capture-pane -e -p -N -t shot >"$work/$1.ans"
  if [ -n "${KEEP_CAPTURES:-}" ]; then cp "$work/$1.ans" "$KEEP_CAPTURES/"; fi
  local pid
  pid=$(t display-message -p -t shot '#{pane_pid}')
  keys q
  for _ in $(seq 1 100); do
    t has-session -t shot 2>/dev/null || break
    sleep 0.1
  done
  if t has-session -t shot 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    fail "q did not quit"
  fi
  # shellcheck disable=SC2086
  python3 .ci/ansi_png.py "$work/$1.ans" "$out/$1.png" $size
  echo "screenshots: $out/$1.png ($(du -k "$out/$1.png" | cut -f1) KB)"
}

# Keys made once, before any picture (the first start generates them).
AUTHWALK_DATA_DIR="$work/data" "$bin" run alipay-web >/dev/null

# walk_alipay_web: from the first screen to the end of the login, in English, the last step
# landed on its Verify tab.
walk_alipay_web() {
  wait_for "publicAppAuthorize.htm"
  keys n
  wait_for "Approve as demo user"
  keys Enter
  wait_for "Code received"
  keys n
  wait_for "✓ 3"
  keys n
  wait_for "✓ 4"
  wait_for "Verified"
}

# The flow picker, the first screen of `authwalk` with no flow named.
start 120 40 --lang en
wait_for "wechat-qr"
shoot tui-picker

# The first screen of alipay-web, wide enough for the QR code inline.
start 160 48 --lang en --flow alipay-web
wait_for "publicAppAuthorize.htm"
shoot tui-authorize

# The consent step: the demo users to approve as (n or Enter approves the highlighted one).
start 120 40 --lang en --flow alipay-web
wait_for "publicAppAuthorize.htm"
keys n
wait_for "Approve as demo user"
keys Down
shoot tui-consent

# A whole alipay-web walk: the last step lands on its Verify tab, the signature verified.
start 120 40 --lang en --flow alipay-web
walk_alipay_web
shoot tui-verified

# A projector's 80×24: the same walk, wrapped between words, the steps pane narrowed.
start 80 24 --lang en --flow alipay-web
walk_alipay_web
shoot tui-small

# wechat-web with the wrong scope: the user-info step fails, the diagnosis strip opens under
# the provider's answer.
start 120 40 --lang en --flow wechat-web --scenario wrong-scope
wait_for "Authorize"
keys n
wait_for "Approve as demo user"
keys Enter
wait_for "Code received"
keys n
wait_for "✓ 3"
keys n
wait_for "✓ 4"
keys n
wait_for "✗ 5"
wait_for "Diagnosis"
wait_for "48001"
shoot tui-diagnosis

# The workbench: user-info's request open as a form, a parameter added, the old sign kept.
start 120 40 --lang en --flow alipay-web
walk_alipay_web
keys E
wait_for "Edit and resend · user-info"
keys a
keys -l "extra_param=1"
keys Enter
wait_for "extra_param  1"
keys o
wait_for "the old sign kept"
shoot tui-edit

# The same edit sent: the gateway refuses it, and c compares it with the attempt before,
# naming the parameter, the two strings to sign one under the other.
start 120 40 --lang en --flow alipay-web
walk_alipay_web
keys E
wait_for "Edit and resend · user-info"
keys a
keys -l "extra_param=1"
keys Enter
keys o
wait_for "the old sign kept"
keys s
wait_for "isv.invalid-signature"
keys c
wait_for "Changed: extra_param"
shoot tui-compare

# The callback's timeline: the redirect-twice scenario, two hits with one code, 40163.
start 120 40 --lang en --flow wechat-web --scenario redirect-twice
wait_for "Authorize"
keys n
wait_for "Approve as demo user"
keys Enter
wait_for "Code received"
keys n
wait_for "✗ 3"
keys T
wait_for "Callback timeline"
shoot tui-timeline

# The SDK code popup: user-info's call as the first SDK's code, with its trap notes.
start 120 40 --lang en --flow alipay-web
walk_alipay_web
keys C
wait_for "as SDK code"
shoot tui-code

# wechat-mini: n decrypts the button's encryptedData with the session_key and the pane stays
# on it: input → key → IV → plaintext, the watermark checked.
start 120 40 --lang en --flow wechat-mini
wait_for "Login code (wx.login)"
keys n
wait_for "as demo user (Enter)"
keys Enter
wait_for "Code received"
keys n
wait_for "✓ 2"
keys n
wait_for "2 Decryption"
wait_for "watermark  appid"
shoot tui-decryption

# Chinese: the fields of the profile with their meanings.
start 120 40 --lang zh --flow alipay-web
wait_for "publicAppAuthorize.htm"
keys n
wait_for "以演示用户身份同意授权"
keys Enter
wait_for "已收到授权码"
keys n
wait_for "✓ 3"
keys n
wait_for "✓ 4"
keys ']'
wait_for "user_status"
shoot tui-zh

# The trainer's offline demo: a saved transcript replayed in presenter mode, in Chinese, on
# the token step's fields.
start 120 40 --lang zh replay --present tests/fixtures/transcripts/alipay-web.json
wait_for "回放 alipay-web.json"
keys n
keys n
keys ']' ']' ']' ']'
wait_for "access_token"
shoot tui-replay
