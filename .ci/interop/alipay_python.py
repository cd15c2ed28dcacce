"""alipay-sdk-python against the sandbox: approve, exchange the code, read the profile, with
the SDK's own request signing and response verification; then prove the verification is real
by injecting a tampered signature.

SDK quirks met here (all of the SDK, none of the sandbox):
- WebUtils.get_http_connection ignores the port of server_url (it always connects to 80 for
  http) and then fails concatenating the int port to the URL; it is replaced below with a
  version that keeps the port. Nothing else about the SDK is changed.
- app_private_key must be one-line PKCS#1 (the SDK wraps it in "BEGIN RSA PRIVATE KEY");
  the sandbox ships PKCS#8 PEM, so it is unwrapped with pyasn1 (an rsa dependency).
- timestamp is formatted in the local zone: the caller runs this with TZ=Asia/Shanghai.
"""

import base64
import http.client
import json
import os
import sys
import urllib.parse

import requests
from pyasn1.codec.der import decoder

import alipay.aop.api.util.WebUtils as web_utils
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.request.AlipaySystemOauthTokenRequest import AlipaySystemOauthTokenRequest
from alipay.aop.api.request.AlipayUserInfoShareRequest import AlipayUserInfoShareRequest


def get_http_connection(url, query_string, timeout):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "https":
        connection = http.client.HTTPSConnection(parsed.hostname, parsed.port or 443, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=timeout)
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path}?{query_string}", connection


web_utils.get_http_connection = get_http_connection


def one_line(pem):
    return "".join(line.strip() for line in pem.splitlines() if line and "-----" not in line)


def pkcs1_one_line(pkcs8_pem):
    info, _ = decoder.decode(base64.b64decode(one_line(pkcs8_pem)))
    return base64.b64encode(bytes(info[2])).decode()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def approve(manifest, app, user, scope="auth_user"):
    url = (
        f"{manifest['alipay']['authorize']}?app_id={app['app_id']}&scope={scope}"
        f"&redirect_uri={urllib.parse.quote(app['redirect_uri'], safe='')}&state=py"
    )
    resp = requests.post(url, data={"user": user, "decision": "approve"}, allow_redirects=False, timeout=10)
    assert resp.status_code == 302, resp.status_code
    query = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)
    assert query["state"] == ["py"]
    return query["auth_code"][0]


def client_for(manifest, app):
    config = AlipayClientConfig()
    config.server_url = manifest["alipay"]["gateway"]
    config.app_id = app["app_id"]
    config.app_private_key = pkcs1_one_line(read(app["app_private_key"]))
    config.alipay_public_key = one_line(read(app["alipay_public_key"]))
    config.sign_type = app["sign_type"]
    config.charset = app["charset"]
    return DefaultAlipayClient(config)


def main():
    manifest = json.loads(read(os.environ["SANDBOX_JSON"]))
    control = manifest["control"]
    users = {"RSA2": "alipay-certified", "RSA": "alipay-student", "GBK": "alipay-emoji"}
    for app in manifest["alipay"]["apps"][:3]:
        client = client_for(manifest, app)
        code = approve(manifest, app, users.get(app["charset"].upper(), users[app["sign_type"]]))
        token_request = AlipaySystemOauthTokenRequest()
        token_request.grant_type = "authorization_code"
        token_request.code = code
        token = json.loads(client.execute(token_request))
        assert token.get("access_token"), token

        info_request = AlipayUserInfoShareRequest()
        info_request.add_other_text_param("auth_token", token["access_token"])
        info = json.loads(client.execute(info_request))
        assert info["code"] == "10000", info
        assert info["user_id"] == token["user_id"]
        print(f"  {app['app_id']} ({app['sign_type']}, {app['charset']}): {info.get('nick_name')} verified")

    # The SDK must reject a tampered response: its verification is really exercised.
    app = manifest["alipay"]["apps"][0]
    client = client_for(manifest, app)
    code = approve(manifest, app, "alipay-certified")
    requests.post(
        f"{control}/faults",
        json={"provider": "alipay", "method": "alipay.system.oauth.token", "fault": "tampered-signature"},
        headers={"X-Authwalk-Sandbox-Token": manifest["token"]},
        timeout=10,
    ).raise_for_status()
    token_request = AlipaySystemOauthTokenRequest()
    token_request.grant_type = "authorization_code"
    token_request.code = code
    try:
        client.execute(token_request)
    except Exception as e:  # the SDK raises ResponseException
        assert "verify" in str(e), e
        print("  tampered response rejected by the SDK")
    else:
        sys.exit("the SDK accepted a tampered response")


if __name__ == "__main__":
    main()
