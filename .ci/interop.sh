#!/usr/bin/env bash
# Interop check: the official Alipay SDKs (Python, Node) and wechatpy walk a full login against
# the embedded sandbox with only the base URL changed, verifying the sandbox's response
# signatures with the SDKs' own verification. The Node SDK also walks in certificate mode and
# over OpenAPI v3 with curl() (alipay-sdk 4.14.0 has both: dist/esm/alipay.js, antcertutil.js);
# fzlee's python-alipay-sdk walks in certificate mode (DCAliPay). Installs what it needs itself (a Python venv and
# an npm project in a temporary directory). Run from the repository root.
set -euo pipefail

# shellcheck source=.ci/sandbox-lib.sh
source "$(dirname "$0")/sandbox-lib.sh"

echo "== installing the SDKs"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "alipay-sdk-python==3.7.1411" "wechatpy==1.8.18" requests
# fzlee's SDK installs a top-level `alipay` package, as the official Python SDK does: a venv
# of its own keeps the two apart.
python3 -m venv "$WORK/venv-fzlee"
"$WORK/venv-fzlee/bin/pip" install --quiet --disable-pip-version-check "python-alipay-sdk==3.4.0"
mkdir -p "$WORK/node"
(cd "$WORK/node" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund alipay-sdk@4.14.0)

echo "== starting the sandbox"
start_sandbox

# Quirk: the Python and Node Alipay SDKs format `timestamp` in the host's local zone, while
# the gateway reads it as China time (UTC+8); run them in that zone, as a server in China is.
echo "== alipay-sdk-python"
TZ=Asia/Shanghai "$WORK/venv/bin/python" "$ROOT/.ci/interop/alipay_python.py"

echo "== alipay-sdk-python, open_id apps"
TZ=Asia/Shanghai "$WORK/venv/bin/python" "$ROOT/.ci/interop/alipay_python_openid.py"

echo "== alipay-sdk (Node)"
# ES modules resolve packages next to the importing file, so run a copy inside the npm project.
cp "$ROOT/.ci/interop/alipay_node.mjs" "$WORK/node/"
TZ=Asia/Shanghai node "$WORK/node/alipay_node.mjs"

echo "== python-alipay-sdk (fzlee), certificate mode"
TZ=Asia/Shanghai "$WORK/venv-fzlee/bin/python" "$ROOT/.ci/interop/fzlee_cert.py"

echo "== wechatpy"
"$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_oauth.py"

echo "== wechatpy (mini program)"
AUTHWALK_BIN="$BIN" "$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_mini.py"
# `authwalk code --program`: the generated programs log in against the same sandbox with the
# SDK alone (consent by the sandbox's documented request) and must learn the ids authwalk's own
# walk of that flow learnt.
echo "== authwalk code --program (alipay-python, fzlee, alipay-node, wechatpy)"
program() { # FLOW SDK RUNNER FILE [walk options…]
    local flow=$1 sdk=$2 runner=$3 file=$4
    shift 4
    local user=alipay-certified
    [[ $flow == wechat-* ]] && user=wechat-unionid
    "$BIN" code "$flow" --program --sdk "$sdk" --sandbox "$SANDBOX_JSON" --user "$user" "$@" >"$file" 2>/dev/null
    local seen got
    # A walk that ends in a rejection (snsapi_base has no profile: 48001) exits 1 and still
    # holds the ids it learnt.
    seen=$({ "$BIN" run "$flow" --sandbox "$SANDBOX_JSON" --user "$user" --json "$@" || true; } |
        python3 -c 'import json,sys; c=json.load(sys.stdin)["context"]; print(c["user_id"] or c["open_id"])')
    got=$(AUTHWALK_SANDBOX="$SANDBOX_JSON" AUTHWALK_USER="$user" TZ=Asia/Shanghai $runner "$file" |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("user_id") or d.get("open_id") or d.get("openid"))')
    if [ "$seen" != "$got" ]; then
        echo "  $flow $sdk $*: the program learnt '$got', authwalk saw '$seen'" >&2
        exit 1
    fi
    echo "  $flow $sdk $*: $got, as authwalk saw"
}
program alipay-web alipay-python "$WORK/venv/bin/python" "$WORK/p1.py"
program alipay-mini alipay-python "$WORK/venv/bin/python" "$WORK/p2.py"
program alipay-web alipay-python "$WORK/venv/bin/python" "$WORK/p3.py" --app 2021000000000004
program alipay-web fzlee "$WORK/venv-fzlee/bin/python" "$WORK/p4.py"
program alipay-web fzlee "$WORK/venv-fzlee/bin/python" "$WORK/p5.py" --app 2021000000000005
program alipay-mini fzlee "$WORK/venv-fzlee/bin/python" "$WORK/p6.py"
program alipay-web alipay-node node "$WORK/node/p7.mjs"
program alipay-mini alipay-node node "$WORK/node/p8.mjs"
program alipay-web alipay-node node "$WORK/node/p9.mjs" --app 2021000000000005
program alipay-web alipay-node node "$WORK/node/p10.mjs" --app 2021000000000005 --api v3
program wechat-web wechatpy "$WORK/venv/bin/python" "$WORK/p11.py"
program wechat-web wechatpy "$WORK/venv/bin/python" "$WORK/p12.py" --scope snsapi_base
program wechat-qr wechatpy "$WORK/venv/bin/python" "$WORK/p13.py"
program wechat-mini wechatpy "$WORK/venv/bin/python" "$WORK/p14.py"

echo "== wechatpy WeChatComponent / ComponentOAuth (third-party platform)"
"$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_component.py"

echo "== wechatpy WeCom client (wechatpy.enterprise in 1.8.18)"
"$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_wecom.py"

echo "interop: all SDK flows passed"
