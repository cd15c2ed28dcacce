"""Round-trip authwalk's Alipay signatures through the official Python SDK (alipay-sdk-python).

Usage: python alipay_sdk_sign.py PATH/TO/authwalk

Checks, for every request vector and for a freshly generated key pair:
  * the SDK's canonical string equals `authwalk sign`'s (where the SDK's rules agree, see below);
  * the SDK's signature equals authwalk's, byte for byte (PKCS#1 v1.5 is deterministic);
  * the SDK verifies authwalk's signature, and authwalk verifies the SDK's response signature.

SDK quirks met on the way (all reported here, none worked around silently):
  * `get_sign_content` does not drop empty or blank values (the Java SDK does), so for the
    edge-case vector its canonical string differs; we assert that difference explicitly.
  * `sign_with_rsa2` wraps the key in an `RSA PRIVATE KEY` label, so it only accepts PKCS#1
    one-line keys; `authwalk keys convert --to pkcs1 --one-line` makes one.
  * `verify_with_rsa` infers the hash from the signature instead of taking sign_type, so it
    cannot tell an RSA response from an RSA2 one.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from alipay.aop.api.util.SignatureUtils import (
    get_sign_content,
    sign_with_rsa,
    sign_with_rsa2,
    verify_with_rsa,
)

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors" / "alipay"
AUTHWALK = sys.argv[1]

checks = 0
failures = 0


def check(cond, what):
    global checks, failures
    checks += 1
    if not cond:
        failures += 1
        print(f"FAIL: {what}")


def authwalk(*args):
    out = subprocess.run([AUTHWALK, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"authwalk {' '.join(args)} failed: {out.stderr}")
    return out.stdout


def oneline(path):
    return Path(path).read_text().strip()


app_private_pkcs1 = oneline(VECTORS / "app_private_key_pkcs1_oneline.txt")
app_public = oneline(VECTORS / "app_public_key_oneline.txt")

for vector_path in sorted(VECTORS.glob("v1_req_*.json")):
    vector = json.loads(vector_path.read_text())
    params = vector["params_before_signing"]
    sign_type = vector["sign_type"]
    ours = json.loads(
        authwalk(
            "sign",
            "--json",
            "--private-key",
            str(VECTORS / "app_private_key_pkcs8.pem"),
            *[f"{k}={v}" for k, v in params.items()],
        )
    )
    sdk_content = get_sign_content(params)
    if any(not v.strip() for v in params.values()):
        check(sdk_content != ours["canonical"], f"{vector_path.name}: SDK keeps empty values")
        kept = {k: v for k, v in params.items() if v.strip()}
        sdk_content = get_sign_content(kept)
    check(sdk_content == ours["canonical"], f"{vector_path.name}: canonical string")
    signer = sign_with_rsa2 if sign_type == "RSA2" else sign_with_rsa
    sdk_sign = signer(app_private_pkcs1, sdk_content, "utf-8")
    check(sdk_sign == ours["sign"], f"{vector_path.name}: signature")
    check(sdk_sign == vector["expected_sign"], f"{vector_path.name}: SDK matches the vector")
    # Older SDK releases return the hash name, newer ones True; both raise on a bad signature.
    verified = verify_with_rsa(app_public, ours["canonical"].encode("utf-8"), ours["sign"])
    check(verified in (True, "SHA-256" if sign_type == "RSA2" else "SHA-1"), f"{vector_path.name}: SDK verifies ours")

# The SDK must reject a signature over other bytes, or the checks above prove nothing.
try:
    verify_with_rsa(app_public, b"app_id=tampered", ours["sign"])
    check(False, "SDK rejects a signature over other bytes")
except Exception:  # rsa.VerificationError
    check(True, "SDK rejects a signature over other bytes")

# Response signatures: the SDK verifies the text authwalk locates.
alipay_public = oneline(VECTORS / "fake_alipay_public_key_oneline.txt")
for vector_path in sorted(VECTORS.glob("v1_resp_*.json")):
    if vector_path.name.endswith(".body.json"):
        continue
    vector = json.loads(vector_path.read_text())
    if not vector.get("verifies_directly"):
        continue
    located = json.loads(
        subprocess.run(
            [AUTHWALK, "verify", "--json", "--reveal", "--alipay-public-key", str(VECTORS / "fake_alipay_public_key.pem"),
             str(VECTORS / vector["raw_body_file"])],
            capture_output=True, text=True,
        ).stdout
    )
    check(located["outcome"] == "verified", f"{vector_path.name}: authwalk verifies")
    verify_with_rsa(alipay_public, located["signed_text"].encode("utf-8"), located["sign"])
    checks += 1

# A fresh key pair made by authwalk, converted for the SDK.
with tempfile.TemporaryDirectory() as tmp:
    authwalk("keys", "gen", "--out", tmp)
    pkcs1 = Path(tmp) / "pkcs1.txt"
    authwalk("keys", "convert", "--to", "pkcs1", "--one-line", "--out", str(pkcs1), str(Path(tmp) / "app_private_key.pem"))
    params = {"app_id": "2021000000000002", "method": "alipay.user.info.share", "auth_token": "tok 中文",
              "charset": "utf-8", "sign_type": "RSA2", "timestamp": "2026-01-01 00:00:00", "version": "1.0"}
    ours = json.loads(authwalk("sign", "--json", "--private-key", str(Path(tmp) / "app_private_key.pem"),
                               *[f"{k}={v}" for k, v in params.items()]))
    sdk_sign = sign_with_rsa2(oneline(pkcs1), get_sign_content(params), "utf-8")
    check(sdk_sign == ours["sign"], "fresh key: signature")

print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
