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

echo "== alipay-sdk (Node)"
# ES modules resolve packages next to the importing file, so run a copy inside the npm project.
cp "$ROOT/.ci/interop/alipay_node.mjs" "$WORK/node/"
TZ=Asia/Shanghai node "$WORK/node/alipay_node.mjs"

echo "== python-alipay-sdk (fzlee), certificate mode"
TZ=Asia/Shanghai "$WORK/venv-fzlee/bin/python" "$ROOT/.ci/interop/fzlee_cert.py"

echo "== wechatpy"
"$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_oauth.py"

echo "== wechatpy WeChatComponent / ComponentOAuth (third-party platform)"
"$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_component.py"

echo "== wechatpy WeCom client (wechatpy.enterprise in 1.8.18)"
"$WORK/venv/bin/python" "$ROOT/.ci/interop/wechatpy_wecom.py"

echo "interop: all SDK flows passed"
