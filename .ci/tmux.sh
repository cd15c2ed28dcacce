#!/usr/bin/env bash
# The inspector in a real terminal: `?` shows the help at once on the picker, the first
# authorize screen and a replay. Walk alipay-web in tmux with send-keys, as a person would,
# and check what capture-pane shows: the QR code's block characters, "Verified", a user_status
# explanation; a resize to 60×20 does not kill it; y copies through OSC 52 into tmux's buffer;
# q quits and the terminal is restored (main screen, cooked mode). Then `authwalk replay` of a
# saved transcript: the same panes, read only (r runs nothing), q restores the terminal. Then a
# 2 MB bracketed paste (cut to the input's limit, the screen still answers, q quits cleanly);
# kill -INT, -QUIT, -TERM and -HUP each restore the terminal (cooked mode with echo, main
# screen, no mouse capture, no bracketed paste, cursor shown) and exit 128 + the signal; and
# closing the terminal under it leaves no process behind. wechat-mini walked to its end shows
# the decryption (plaintext, watermark) and wecom-web walks to its end. Phone mode (--lan) with
# curl as the phone: the code it brings to the sandbox's callback reaches the inspector.
# Refresh, language, restart, next user and the flow picker work without quitting.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/authwalk}
bin=$(realpath "$bin")
work=$(mktemp -d)
sock="authwalk-ci-$$"
t() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { t kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

fail() {
  echo "tmux check: $*" >&2
  t capture-pane -p -t walk >&2 || true
  exit 1
}
screen() { t capture-pane -p -t walk; }
# Kill the walk's session. It is the only one, so tmux's server goes with it: wait until the
# server is gone, since a new-session sent while it is going away fails with "server exited
# unexpectedly".
end_walk() {
  t kill-session -t walk 2>/dev/null || true
  for _ in $(seq 1 100); do
    t list-sessions >/dev/null 2>&1 || break
    sleep 0.05
  done
  sleep 0.1
}
wait_for() {
  for _ in $(seq 1 150); do
    if screen | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  fail "\"$1\" never appeared"
}

# `?` shows the help at once on the picker (no countdown or resize to redraw it), Esc closes it.
t new-session -d -s walk -x 120 -y 40 \
  "env AUTHWALK_DATA_DIR='$work/data' TERM=xterm-256color '$bin' --lang en; sleep 60"
wait_for "alipay-web"
t send-keys -t walk '?'
wait_for "Keys · Esc closes"
t send-keys -t walk Escape
for _ in $(seq 1 50); do screen | grep -qF "Keys · Esc closes" || break; sleep 0.1; done
screen | grep -qF "Keys · Esc closes" && fail "Esc did not close the help on the picker"
end_walk

# After authwalk exits, the pane records its status and the terminal mode it left behind.
t new-session -d -s walk -x 160 -y 48 \
  "env AUTHWALK_DATA_DIR='$work/data' TERM=xterm-256color '$bin' --lang en --flow alipay-web; \
   echo \$? > '$work/status'; stty -a > '$work/stty'; sleep 60"
t set-option -s set-clipboard on
t set-option -g window-size manual

wait_for "publicAppAuthorize.htm"
screen | grep -q "█" || fail "no QR block characters on the authorize screen"
t send-keys -t walk '?'
wait_for "Keys · Esc closes"
t send-keys -t walk Escape
for _ in $(seq 1 50); do screen | grep -qF "Keys · Esc closes" || break; sleep 0.1; done
t send-keys -t walk n
wait_for "Approve as demo user"
# The consent explains itself: the bar says Enter approves, Esc says what the list waits for
# (and keeps it), and n approves as the highlighted demo user.
screen | tail -1 | grep -qF "Enter approve" || fail "the key bar does not say Enter approve"
t send-keys -t walk Down
wait_for "▶ alipay-quick"
t send-keys -t walk Escape
wait_for "The walk waits for this consent"
screen | grep -qF "▶ alipay-quick" || fail "Esc hid the consent list"
t send-keys -t walk Up
wait_for "▶ alipay-certified"
t send-keys -t walk n
wait_for "Code received"
t send-keys -t walk n
wait_for "✓ 3"
t send-keys -t walk n
wait_for "✓ 4"
# A done step lands on its answer: the Verify tab of a signed one, the badge in the tab title,
# the sig mark on its row; the finished login says so.
wait_for "[Verify ✓]"
wait_for "✓ Verified"
wait_for "User info sig ✓"
wait_for "Login complete: 4 of 4 steps done"
t send-keys -t walk ']'
wait_for "normal user"
# A projector's 100x30 and an 80x24: the explanations wrap between words with a hanging indent.
for size in "100 30" "80 24"; do
  set -- $size
  t resize-window -t walk -x "$1" -y "$2"
  wait_for "[Fields]"
  screen | grep -qF "sub_co" && ! screen | grep -qF "sub_code" && fail "sub_code cut in two at $1x$2"
  screen | grep -qF "Login complete" || fail "no completion line at $1x$2"
done

# A small terminal: redrawn, not killed.
t resize-window -t walk -x 60 -y 20
sleep 0.5
[ -e "$work/status" ] && fail "authwalk exited after a resize to 60x20"
wait_for "authwalk"

# y on a Fields row: that row's value goes to the clipboard through OSC 52, which tmux keeps as
# a buffer (user_id is the twelfth row).
t send-keys -t walk j j j j j j j j j j j y
wait_for "Copied user_id"
for _ in $(seq 1 50); do
  t show-buffer 2>/dev/null | grep -qx "2088[0-9]*" && break
  sleep 0.1
done
t show-buffer 2>/dev/null | grep -qx "2088[0-9]*" || fail "y did not copy user_id through OSC 52"

# Without quitting: x refreshes the token (a fifth step), L switches the language and back,
# R restarts the walk with a fresh state, u restarts it as the next demo user (the header names
# them), F goes back to the flow picker.
t resize-window -t walk -x 160 -y 48
t send-keys -t walk x
wait_for "✓ 5 Refresh"
t send-keys -t walk L
wait_for "5 刷新令"
t send-keys -t walk L
wait_for "✓ 5 Refresh"
t send-keys -t walk R
for _ in $(seq 1 50); do screen | grep -qF "✓ 4" || break; sleep 0.1; done
screen | grep -qF "✓ 4" && fail "R did not restart the walk"
t send-keys -t walk u
wait_for "as alipay-quick"
t send-keys -t walk F
wait_for "wechat-qr"

t send-keys -t walk q
for _ in $(seq 1 100); do [ -s "$work/stty" ] && break; sleep 0.1; done
[ -s "$work/stty" ] || fail "q did not quit"
[ "$(cat "$work/status")" = 0 ] || fail "authwalk exited with status $(cat "$work/status")"
grep -qw -- "-icanon" "$work/stty" && fail "the terminal was left in raw mode"
[ "$(t display-message -p -t walk '#{alternate_on}')" = 0 ] || fail "the alternate screen is still on"
end_walk

# The workbench: E opens user-info's request as a form; a parameter added and sent with the
# old sign (o) is refused with isv.invalid-signature, and c names the parameter that changed;
# the same edit signed again succeeds (c then shows rejected → ok); ? lists edit, compare and
# the timeline, and T shows the redirect the walk took. (A pause after Escape, so the next
# key is not read as Alt and that key.)
t new-session -d -s walk -x 160 -y 48 \
  "env AUTHWALK_DATA_DIR='$work/data' TERM=xterm-256color '$bin' --lang en --flow alipay-web; sleep 60"
wait_for "publicAppAuthorize.htm"
t send-keys -t walk n
wait_for "Approve as demo user"
t send-keys -t walk n
wait_for "Code received"
t send-keys -t walk n
wait_for "✓ 3"
t send-keys -t walk n
wait_for "Login complete: 4 of 4 steps done"
t send-keys -t walk E
wait_for "Edit and resend · user-info"
t send-keys -t walk a
t send-keys -t walk -l "extra_param=1"
t send-keys -t walk Enter
wait_for "extra_param  1"
t send-keys -t walk o
wait_for "the old sign kept"
t send-keys -t walk s
wait_for "Sent attempt 2 of user-info"
wait_for "isv.invalid-signature"
t send-keys -t walk c
wait_for "Changed: extra_param"
wait_for "canonical ←"
wait_for "outcome: ok → rejected"
t send-keys -t walk Escape
sleep 0.3
t send-keys -t walk E
wait_for "Edit and resend · user-info"
wait_for "signed again with the app's key"
t send-keys -t walk s
wait_for "Sent attempt 3 of user-info"
for _ in $(seq 1 50); do
  t send-keys -t walk c
  screen | grep -qF "outcome: rejected → ok" && break
  t send-keys -t walk Escape
  sleep 0.3
done
wait_for "outcome: rejected → ok"
t send-keys -t walk Escape
sleep 0.3
t send-keys -t walk T
wait_for "Callback timeline"
wait_for "walk     taken"
t send-keys -t walk Escape
sleep 0.3
t send-keys -t walk '?'
wait_for "Keys · Esc closes"
for line in "edit and resend the request" "compare two attempts" "the callback's timeline"; do
  screen | grep -qF "$line" || fail "the help does not list: $line"
done
end_walk

# wechat-mini to its end: one n decrypts the button's data and the pane stays on it (the
# plaintext, the watermark checked, nothing sent), E there says there is no request to edit;
# then the phone number. Then wecom-web to its end (the member's sensitive fields).
t new-session -d -s walk -x 160 -y 48 \
  "env AUTHWALK_DATA_DIR='$work/data' TERM=xterm-256color '$bin' --lang en --flow wechat-mini; sleep 60"
wait_for "Login code (wx.login)"
t send-keys -t walk n
wait_for "as demo user (Enter)"
t send-keys -t walk n
wait_for "Code received"
t send-keys -t walk n
wait_for "✓ 2"
t send-keys -t walk n
wait_for "2 Decryption"
wait_for "✓ 4"
for line in "input → key → IV → plaintext" '"nickName": "Lily"' "watermark  appid wx5a1d0c0ffee00003 ✓"; do
  screen | grep -qF -- "$line" || fail "the decryption pane does not show: $line"
done
screen | grep -qF "Not sent yet" && fail "the decryption pane says it was not sent"
t send-keys -t walk E
wait_for "sends no request"
t send-keys -t walk n
wait_for "Login complete: 5 of 5 steps done"
end_walk
t new-session -d -s walk -x 100 -y 30 \
  "env AUTHWALK_DATA_DIR='$work/data' TERM=xterm-256color '$bin' --lang en --flow wecom-web; sleep 60"
wait_for "1 App token"
t send-keys -t walk n
wait_for "✓ 1"
t send-keys -t walk n
wait_for "Approve as demo user"
t send-keys -t walk n
wait_for "Code received"
t send-keys -t walk n
wait_for "✓ 4"
t send-keys -t walk n
wait_for "Login complete: 5 of 5 steps done"
wait_for '"userid": "LiLy"'
end_walk

# A replay: the transcript's walk, read only.
rm -f "$work/status" "$work/stty"
t new-session -d -s walk -x 120 -y 40 \
  "env TERM=xterm-256color '$bin' --lang en replay tests/fixtures/transcripts/alipay-web.json; \
   echo \$? > '$work/status'; stty -a > '$work/stty'; sleep 60"
wait_for "Replay of alipay-web.json"
t send-keys -t walk '?'
wait_for "Keys · Esc closes"
t send-keys -t walk Escape
for _ in $(seq 1 50); do screen | grep -qF "Keys · Esc closes" || break; sleep 0.1; done
t send-keys -t walk j j ']' ']' ']'
wait_for "Verified"
t send-keys -t walk r
wait_for "read only"
t send-keys -t walk q
for _ in $(seq 1 100); do [ -s "$work/stty" ] && break; sleep 0.1; done
[ -s "$work/stty" ] || fail "q did not quit the replay"
[ "$(cat "$work/status")" = 0 ] || fail "replay exited with status $(cat "$work/status")"
grep -qw -- "-icanon" "$work/stty" && fail "the replay left the terminal in raw mode"
end_walk

# Phone mode: a phone (curl, every request sent to 127.0.0.1 with the LAN address kept in the
# URL and Host) opens the authorize URL copied from the screen, approves as a demo user and
# follows the 302 to the sandbox's callback; the inspector, untouched, shows the code and the
# walk completes. Skipped on a machine with no LAN address (--lan needs one).
t new-session -d -s walk -x 160 -y 48 \
  "env AUTHWALK_DATA_DIR='$work/data-lan' TERM=xterm-256color '$bin' --lang en --lan --flow alipay-web \
   || echo 'no LAN here'; sleep 60"
t set-option -s set-clipboard on
for _ in $(seq 1 150); do
  screen | grep -qF -e "publicAppAuthorize.htm" -e "no LAN here" -e "--lan needs one" && break
  sleep 0.1
done
if screen | grep -qF "publicAppAuthorize.htm"; then
  t send-keys -t walk '1' y
  url=""
  for _ in $(seq 1 50); do
    url=$(t show-buffer 2>/dev/null || true)
    case "$url" in http://*publicAppAuthorize.htm*) break ;; esac
    sleep 0.1
  done
  case "$url" in http://*publicAppAuthorize.htm*) ;; *) fail "y gave no authorize URL: $url" ;; esac
  hostport=${url#http://}
  hostport=${hostport%%/*}
  resolve=(--resolve "$hostport:127.0.0.1")
  t send-keys -t walk n
  wait_for "Approve as demo user"
  curl -sSf "${resolve[@]}" -o "$work/consent.html" "$url" || fail "the phone could not open the consent page"
  grep -q "decision" "$work/consent.html" || fail "no consent form on the page"
  callback=$(curl -sS "${resolve[@]}" -o /dev/null -w '%{redirect_url}' \
    --data 'user=alipay-certified&decision=approve' "$url")
  case "$callback" in "http://$hostport/__sandbox/callback?"*) ;; *) fail "no 302 to the callback: $callback" ;; esac
  curl -sSf "${resolve[@]}" "$callback" | grep -q "Callback received" \
    || fail "the sandbox's callback page did not say Callback received"
  wait_for "Code received"
  t send-keys -t walk n
  wait_for "✓ 3"
  t send-keys -t walk n
  wait_for "✓ 4"
else
  echo "tmux check: no LAN address, phone mode skipped" >&2
fi
end_walk

# A walk whose pane, once authwalk ends, records its status and the terminal mode, then types
# what it is sent into a file (bracketed paste left on would show there as ESC [200~).
start_walk() {
  rm -f "$work/status" "$work/stty" "$work/typed"
  t new-session -d -s walk -x 120 -y 40 \
    "env AUTHWALK_DATA_DIR='$work/data' TERM=xterm-256color '$bin' --lang en --flow alipay-web; \
     echo \$? > '$work/status'; stty -a > '$work/stty'; cat -v > '$work/typed'; sleep 60"
  wait_for "publicAppAuthorize.htm"
  pid=$(ps -o pid= --ppid "$(t display-message -p -t walk '#{pane_pid}')" | tr -d ' ')
  [ -n "$pid" ] || fail "no authwalk process in the pane"
}
# $1: the exit status expected; $2: what ended it.
restored() {
  for _ in $(seq 1 100); do [ -s "$work/stty" ] && break; sleep 0.1; done
  [ -s "$work/stty" ] || fail "$2: authwalk did not end"
  [ "$(cat "$work/status")" = "$1" ] || fail "$2: exit status $(cat "$work/status"), not $1"
  grep -qw -- "-icanon" "$work/stty" && fail "$2: the terminal was left in raw mode (-icanon)"
  grep -qw -- "-echo" "$work/stty" && fail "$2: the terminal was left without echo"
  modes=$(t display-message -p -t walk '#{alternate_on} #{mouse_any_flag} #{cursor_flag}')
  [ "$modes" = "0 0 1" ] || fail "$2: alternate screen, mouse capture, cursor: $modes (want 0 0 1)"
  t set-buffer -b probe "typed-after"
  t paste-buffer -p -b probe -t walk
  t send-keys -t walk Enter C-d
  for _ in $(seq 1 50); do grep -q "typed-after" "$work/typed" 2>/dev/null && break; sleep 0.1; done
  grep -q "typed-after" "$work/typed" || fail "$2: the shell got no paste after authwalk"
  grep -q "200~" "$work/typed" && fail "$2: bracketed paste was left on"
  end_walk
}

# A 2 MB bracketed paste: cut to 64 KiB with a word, the screen still answers, q quits cleanly.
start_walk
{
  printf 'https://cb.example/callback?state=xyz&code='
  # `yes` ends on SIGPIPE once head has enough.
  yes 0123456789abcdef | tr -d '\n' | head -c 2097109 || true
} > "$work/paste"
t load-buffer -b big "$work/paste"
t paste-buffer -p -b big -t walk
wait_for "Paste cut to 64 KiB of 2 MiB"
wait_for "Paste a redirect URL"
# Esc then a key at once would read as Alt+key: wait for the popup to close first.
t send-keys -t walk Escape
for _ in $(seq 1 50); do screen | grep -qF "Paste a redirect URL" || break; sleep 0.1; done
t send-keys -t walk n
wait_for "Approve as demo user"
t send-keys -t walk q
restored 0 "q after a 2 MB paste"

# Terminating signals: the terminal restored, the shell's code for the signal.
for sig in INT QUIT TERM HUP; do
  start_walk
  kill -"$sig" "$pid"
  restored $((128 + $(kill -l "$sig"))) "kill -$sig"
done

# Closing the terminal under it: the process ends too (it once spun on, orphaned).
start_walk
end_walk
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "authwalk $pid outlived its closed terminal"
echo "tmux check passed"
